"""Entity markers for marker-based translation (EasyProject, back-translation refinement).

English entities are wrapped in ``[ ]`` before translation; the marker-aware model keeps
the brackets around the translated entities. The marked spans are read back from the
translation and given labels by fuzzy string matching (difflib ratio above a threshold)
against each English entity translated on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from core.corpus.wordsplit import split_words
from core.datamodel import Sentence, Span

OPEN, CLOSE = "[", "]"


def insert_markers(sentence: Sentence) -> str:
    """``In [ Madrid ] , [ Juan ] said .`` for the entities of ``sentence``."""
    starts = {span.start for span in sentence.spans}
    ends = {span.end for span in sentence.spans}
    words = []
    for k, token in enumerate(sentence.tokens):
        if k in ends:
            words.append(CLOSE)
        if k in starts:
            words.append(OPEN)
        words.append(token)
    if len(sentence.tokens) in ends:
        words.append(CLOSE)
    return " ".join(words)


def parse_markers(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Words of a marked translation (markers removed) and the marked ``[start, end)`` ranges.

    An unclosed ``[`` or a stray ``]`` is dropped; an empty pair of brackets marks nothing.

    >>> parse_markers("En [Madrid], [Juan Pérez] dijo.")
    (['En', 'Madrid', ',', 'Juan', 'Pérez', 'dijo', '.'], [(1, 2), (3, 5)])
    """
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for token in split_words(text):
        if token == OPEN:
            start = len(words)
        elif token == CLOSE:
            if start is not None and len(words) > start:
                spans.append((start, len(words)))
            start = None
        else:
            words.append(token)
    return words, spans


def similarity(a: str, b: str) -> float:
    """difflib's ratio of two strings, case-insensitive."""
    return SequenceMatcher(None, a.lower(), b.lower()).ratio()


@dataclass(frozen=True)
class LabelMatch:
    span: tuple[int, int]
    entity: int
    score: float


def assign_labels(
    words: Sequence[str],
    marked: Sequence[tuple[int, int]],
    entities: Sequence[Span],
    entity_texts: Sequence[Sequence[str]],
    threshold: float = 0.5,
) -> list[LabelMatch]:
    """Match marked spans to entities, one to one, best ratio first; ``entity_texts[e]``
    holds the strings entity ``e`` may appear as (its translation, its English form).
    Pairs with ratio <= ``threshold`` are not matched."""
    options = []
    for m, (start, end) in enumerate(marked):
        text = " ".join(words[start:end])
        for e, _ in enumerate(entities):
            score = max((similarity(text, form) for form in entity_texts[e]), default=0.0)
            if score > threshold:
                options.append((-score, m, e))
    used_spans: set[int] = set()
    used_entities: set[int] = set()
    matches = []
    for negative, m, e in sorted(options):
        if m in used_spans or e in used_entities:
            continue
        used_spans.add(m)
        used_entities.add(e)
        matches.append(LabelMatch(marked[m], e, -negative))
    return sorted(matches, key=lambda match: match.span)


def recover_entities(
    marked_translation: str,
    source: Sentence,
    entity_translations: Sequence[str],
    threshold: float = 0.5,
) -> Sentence:
    """The labelled target sentence read from a marker translation of ``source``."""
    words, marked = parse_markers(marked_translation)
    forms = [[translated, source.text(entity)] for translated, entity in zip(entity_translations, source.spans)]
    matches = assign_labels(words, marked, source.spans, forms, threshold)
    spans = [Span(m.span[0], m.span[1], source.spans[m.entity].label, m.score) for m in matches]
    return Sentence(tuple(words), tuple(spans))
