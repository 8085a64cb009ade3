"""Function words by language, from spaCy's per-language lists (no download needed)."""

from __future__ import annotations

import importlib.util
import re
import string
from functools import cache
from pathlib import Path

PUNCTUATION = frozenset(string.punctuation) | frozenset("«»“”‘’„‚–—…¿¡·")


def _spacy_lang_folder() -> Path | None:
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "lang"


@cache
def stop_words(lang: str | None) -> frozenset[str]:
    """spaCy's stop words for an ISO 639-1 code (e.g. ``"es"``), lower-cased; an empty
    set for an unknown or missing language.

    The list is read from spaCy's ``lang/<code>/stop_words.py`` without importing spaCy
    (which takes seconds); a list that is not a plain literal falls back to the import.
    """
    code = (lang or "").split("_")[0].split("-")[0].lower()
    if not re.fullmatch(r"[a-z]{2,3}", code):
        return frozenset()
    folder = _spacy_lang_folder()
    source = folder / code / "stop_words.py" if folder else None
    if source is None or not source.is_file():
        return frozenset()
    namespace: dict = {}
    try:
        exec(compile(source.read_text(encoding="utf-8"), str(source), "exec"), namespace)
        words = namespace["STOP_WORDS"]
    except Exception:  # the list imports something: let spaCy build it
        from spacy.util import get_lang_class

        words = get_lang_class(code).Defaults.stop_words
    return frozenset(word.lower() for word in words)


def is_punctuation(token: str) -> bool:
    return bool(token) and all(ch in PUNCTUATION for ch in token)
