"""Function words by language, from spaCy's per-language lists (no download needed)."""
from __future__ import annotations

import string
from functools import lru_cache

PUNCTUATION = frozenset(string.punctuation) | frozenset("«»“”‘’„‚–—…¿¡·")


@lru_cache(maxsize=None)
def stop_words(lang: str | None) -> frozenset[str]:
    """spaCy's stop words for an ISO 639-1 code (e.g. ``"es"``), lower-cased; an empty
    set for an unknown or missing language."""
    if not lang:
        return frozenset()
    try:
        from spacy.util import get_lang_class

        words = get_lang_class(lang.split("_")[0].lower()).Defaults.stop_words
    except Exception:  # spaCy has no list for this language
        return frozenset()
    return frozenset(word.lower() for word in words)


def is_punctuation(token: str) -> bool:
    return bool(token) and all(ch in PUNCTUATION for ch in token)
