"""Warnings about inputs that look mixed up, printed before the long work starts."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from core.datamodel import SentencePair
from core.projection.stopwords import stop_words

SAMPLE = 2000  # sentence pairs looked at; enough to tell two languages apart


def function_word_share(sentences, lang: str | None) -> float:
    """The share of tokens that are function words of ``lang`` (0 for an unknown language)."""
    words = stop_words(lang)
    tokens = [token.lower() for sentence in sentences for token in sentence.tokens]
    return sum(token in words for token in tokens) / len(tokens) if words and tokens else 0.0


def language_warnings(
    pairs: Sequence[SentencePair], source: str, target: str, source_lang: str | None, target_lang: str | None
) -> list[str]:
    """A warning when ``target_lang``'s function words are more common in the source than
    in the target, or ``source_lang``'s in the target than in the source: the two files
    are probably swapped (or a language code is wrong)."""
    sample = pairs[:SAMPLE]
    sources, targets = [p.source for p in sample], [p.target for p in sample]
    checks = (
        (target_lang, "--target-lang", sources, source, targets, target),
        (source_lang, "--source-lang", targets, target, sources, source),
    )
    for lang, flag, wrong, wrong_name, right, right_name in checks:
        if lang and stop_words(lang):
            in_wrong, in_right = function_word_share(wrong, lang), function_word_share(right, lang)
            if in_wrong >= 0.1 and in_wrong > 2 * in_right:
                return [
                    f"{flag} {lang}: {100 * in_wrong:.0f}% of the words of {wrong_name} are {lang} function words, "
                    f"but only {100 * in_right:.0f}% of those of {right_name}; are --source and --target swapped?"
                ]
    return []


def language_code_warnings(target_lang: str | None) -> list[str]:
    """A warning when ``--target-lang`` names no language spaCy has function words for."""
    if target_lang and not stop_words(target_lang):
        return [
            f"--target-lang {target_lang}: spaCy has no function-word list for this code, so only punctuation "
            "is kept off span edges (give an ISO 639-1 code such as es)"
        ]
    return []


def entity_warnings(pairs: Sequence[SentencePair], source: str, target: str) -> list[str]:
    """A warning when the source has no entities (nothing to project), stronger when the
    target has some (the files look swapped)."""
    if any(p.source.spans for p in pairs):
        return []
    if any(p.target.spans for p in pairs):
        return [
            f"{source} has no entities but {target} has some: are --source and --target swapped? "
            "(--source takes the annotated sentences)"
        ]
    return [f"{source} has no entities, so nothing will be projected (--source takes the annotated sentences)"]


def warn(messages: Sequence[str]) -> None:
    for message in messages:
        print(f"warning: {message}", file=sys.stderr, flush=True)
