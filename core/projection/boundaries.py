"""Where a projected span may begin and end.

Most boundary errors of projection are a lower-case function word or a punctuation
mark pulled in at an edge ("los Estados miembros" for "Member States"). A target
candidate may start or end on such a word only if the source entity does too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from core.alignment.lexical import fold
from core.datamodel import Span
from core.projection.stopwords import is_punctuation, stop_words


@dataclass(frozen=True)
class EdgeRule:
    """Function words of each language; empty sets disable the rule for a side."""

    source_stop_words: frozenset[str] = frozenset()
    target_stop_words: frozenset[str] = frozenset()

    @classmethod
    def for_languages(cls, source_lang: str | None, target_lang: str | None) -> EdgeRule:
        return cls(stop_words(source_lang), stop_words(target_lang))

    @staticmethod
    def _weak(token: str, stops: frozenset[str], lower_case_only: bool) -> bool:
        if is_punctuation(token):
            return True
        return token.lower() in stops and (token[:1].islower() or not lower_case_only)

    def allows(self, source: Sequence[str], target: Sequence[str], entity: Span, candidate: tuple[int, int]) -> bool:
        """True unless the candidate has a weak edge (punctuation, a lower-case function
        word) where the entity's matching edge is not weak (punctuation or a function word
        in any case: "The Hague") and not the same word ("de Palacio")."""
        start, end = candidate
        for source_edge, target_edge in (
            (source[entity.start], target[start]),
            (source[entity.end - 1], target[end - 1]),
        ):
            if self._weak(target_edge, self.target_stop_words, lower_case_only=True) and not (
                self._weak(source_edge, self.source_stop_words, lower_case_only=False)
                or fold(source_edge) == fold(target_edge)
            ):
                return False
        return True

    def for_pair(self, source: Sequence[str], target: Sequence[str]) -> PairEdges:
        """This rule bound to one sentence pair (what :func:`core.projection.matching.score_pairs` takes)."""
        return PairEdges(self, tuple(source), tuple(target))


@dataclass(frozen=True)
class PairEdges:
    """:meth:`EdgeRule.allows` for one sentence pair, as a pair filter
    ``(entity, candidate) -> bool`` and, for many candidates at once, as two masks over
    the target words (:meth:`edges`). The target's weak words and folded forms are worked
    out once per pair, not once per candidate.

    >>> edges = EdgeRule(frozenset({"the"}), frozenset({"el", "de"})).for_pair(["the", "Rhine"], ["el", "Rin", "de"])
    >>> from core.datamodel import Span
    >>> [bool(x) for x in edges.edges(Span(1, 2, "LOC"))[0]], edges(Span(1, 2, "LOC"), (0, 2))
    ([False, True, False], False)
    >>> [bool(x) for x in edges.edges(Span(0, 2, "LOC"))[0]], edges(Span(0, 2, "LOC"), (0, 2))
    ([True, True, True], True)
    """

    rule: EdgeRule
    source: tuple[str, ...]
    target: tuple[str, ...]
    _weak: np.ndarray = field(init=False, repr=False, compare=False)
    _folded: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        weak = [EdgeRule._weak(token, self.rule.target_stop_words, lower_case_only=True) for token in self.target]
        object.__setattr__(self, "_weak", np.array(weak, dtype=bool))
        # folded forms of the weak words (the others are never compared)
        folded = np.array([fold(t) if w else "" for t, w in zip(self.target, weak)], dtype=object)
        object.__setattr__(self, "_folded", folded)

    def __call__(self, entity: Span, candidate: tuple[int, int]) -> bool:
        return self.rule.allows(self.source, self.target, entity, candidate)

    def _side(self, source_edge: str) -> np.ndarray:
        if EdgeRule._weak(source_edge, self.rule.source_stop_words, lower_case_only=False):
            return np.ones(len(self.target), dtype=bool)
        return ~self._weak | (self._folded == fold(source_edge))

    def edges(self, entity: Span) -> tuple[np.ndarray, np.ndarray]:
        """Where a candidate for ``entity`` may start (first mask) and end (second mask:
        its last word), one boolean per target word; the same answers as :meth:`__call__`."""
        return self._side(self.source[entity.start]), self._side(self.source[entity.end - 1])
