"""Splitting machine-translated text into words: letters/digits runs (with inner hyphens and
apostrophes) and single punctuation marks.

>>> split_words("Mr. O'Neill visited São Paulo-Norte, twice!")
['Mr', '.', "O'Neill", 'visited', 'São', 'Paulo-Norte', ',', 'twice', '!']
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)


def split_words(text: str) -> list[str]:
    return _WORD.findall(text)


def join_words(tokens: list[str] | tuple[str, ...]) -> str:
    """Tokens back to text for a translation model (spaces between tokens)."""
    return " ".join(tokens)
