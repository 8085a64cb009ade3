"""Target candidate spans for matching: every n-gram, or the spans an NER model proposes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import overload

import numpy as np

SENTENCE_BREAKS = frozenset({"!", "?"})
Candidate = tuple[int, int]


class NgramCandidates(Sequence[Candidate]):
    """Every contiguous span ``[start, end)`` of a sentence that contains no break token,
    at most ``max_length`` tokens long, ordered by start then end: a lazy sequence.

    A sentence of n tokens has about n²/2 n-grams (two million for 2,000 tokens), so they
    are never listed: the sequence holds three integer arrays of length n and computes
    the k-th span, or the index of a span, on demand. Matching scores only the spans
    near an entity's links (:func:`core.projection.matching.score_pairs`).

    >>> spans = NgramCandidates(["a", "b", "!", "c"])
    >>> list(spans), len(spans), spans[3], spans.index((1, 2))
    ([(0, 1), (0, 2), (1, 2), (3, 4)], 4, (3, 4), 2)
    """

    def __init__(self, tokens: Sequence[str], max_length: int | None = None, breaks: Iterable[str] = SENTENCE_BREAKS):
        breaks = frozenset(breaks)
        n = len(tokens)
        reach = np.empty(n, dtype=np.int64)  # spans starting at s end at most at reach[s]
        next_break = n
        for k in range(n - 1, -1, -1):
            if tokens[k] in breaks:
                next_break = k
            reach[k] = next_break
        counts = reach - np.arange(n, dtype=np.int64)
        if max_length is not None:
            counts = np.minimum(counts, max_length)
        self.n_tokens = n
        self.max_length = max_length
        #: how many spans start at each token, and the index of the first of them
        self.counts = counts
        self.offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def __len__(self) -> int:
        return int(self.offsets[-1])

    @overload
    def __getitem__(self, k: int) -> Candidate: ...

    @overload
    def __getitem__(self, k: slice) -> list[Candidate]: ...

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        k = int(k)
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(f"n-gram {k} out of range ({len(self)} n-grams)")
        start = int(np.searchsorted(self.offsets, k, side="right")) - 1
        return start, start + 1 + k - int(self.offsets[start])

    def __iter__(self) -> Iterator[Candidate]:
        for start, count in enumerate(self.counts.tolist()):
            for end in range(start + 1, start + count + 1):
                yield start, end

    def __contains__(self, span: object) -> bool:
        if not (isinstance(span, tuple) and len(span) == 2):
            return False
        start, end = span
        return bool(
            isinstance(start, (int, np.integer))
            and 0 <= start < self.n_tokens
            and 0 < end - start <= self.counts[start]
        )

    def index(self, span: Candidate, start: int = 0, stop: int | None = None) -> int:
        if span not in self:
            raise ValueError(f"{span} is not an n-gram of this sentence")
        k = self.indices(np.array([span[0]]), np.array([span[1]]))[0]
        if k < start or (stop is not None and k >= stop):
            raise ValueError(f"{span} is not in the given range")
        return int(k)

    def indices(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """The index of each span ``[starts[i], ends[i])`` (which must be an n-gram)."""
        return self.offsets[starts] + (ends - starts - 1)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, NgramCandidates):
            return self.n_tokens == other.n_tokens and np.array_equal(self.counts, other.counts)
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(other) == len(self) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        cap = f", max_length={self.max_length}" if self.max_length is not None else ""
        return f"NgramCandidates({self.n_tokens} tokens{cap}: {len(self)} spans)"


def ngram_candidates(
    tokens: Sequence[str],
    max_length: int | None = None,
    breaks: Iterable[str] = SENTENCE_BREAKS,
) -> NgramCandidates:
    """Every contiguous span ``[start, end)`` that contains no break token (``!``, ``?``),
    at most ``max_length`` tokens long (no cap by default), ordered by start then end,
    as a lazy :class:`NgramCandidates` sequence.

    >>> list(ngram_candidates(["a", "b", "!", "c"]))
    [(0, 1), (0, 2), (1, 2), (3, 4)]
    """
    return NgramCandidates(tokens, max_length, breaks)


def trim_candidates(
    candidates: Sequence[Candidate],
    tokens: Sequence[str],
    edge_words: frozenset[str],
) -> list[Candidate]:
    """Drop candidates that start or end on a word of ``edge_words`` (lower-cased), such as
    the target language's stop words and punctuation."""
    return [
        (start, end)
        for start, end in candidates
        if tokens[start].lower() not in edge_words and tokens[end - 1].lower() not in edge_words
    ]
