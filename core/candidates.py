"""Target candidate spans for matching: every n-gram, or the spans an NER model proposes."""
from __future__ import annotations

from typing import Iterable, Sequence

SENTENCE_BREAKS = frozenset({"!", "?"})


def ngram_candidates(
    tokens: Sequence[str],
    max_length: int | None = None,
    breaks: Iterable[str] = SENTENCE_BREAKS,
) -> list[tuple[int, int]]:
    """Every contiguous span ``[start, end)`` that contains no break token (``!``, ``?``),
    at most ``max_length`` tokens long (no cap by default), ordered by start then end.

    >>> ngram_candidates(["a", "b", "!", "c"])
    [(0, 1), (0, 2), (1, 2), (3, 4)]
    """
    breaks = frozenset(breaks)
    spans = []
    for start in range(len(tokens)):
        for end in range(start + 1, len(tokens) + 1):
            if tokens[end - 1] in breaks or (max_length is not None and end - start > max_length):
                break
            spans.append((start, end))
    return spans


def trim_candidates(
    candidates: Sequence[tuple[int, int]],
    tokens: Sequence[str],
    edge_words: frozenset[str],
) -> list[tuple[int, int]]:
    """Drop candidates that start or end on a word of ``edge_words`` (lower-cased), such as
    the target language's stop words and punctuation."""
    return [
        (start, end)
        for start, end in candidates
        if tokens[start].lower() not in edge_words and tokens[end - 1].lower() not in edge_words
    ]
