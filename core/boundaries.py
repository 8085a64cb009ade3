"""Where a projected span may begin and end.

Most boundary errors of projection are a lower-case function word or a punctuation
mark pulled in at an edge ("los Estados miembros" for "Member States"). A target
candidate may start or end on such a word only if the source entity does too.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .aligners.lexical import fold
from .datamodel import Span
from .stopwords import is_punctuation, stop_words


@dataclass(frozen=True)
class EdgeRule:
    """Function words of each language; empty sets disable the rule for a side."""

    source_stop_words: frozenset[str] = frozenset()
    target_stop_words: frozenset[str] = frozenset()

    @classmethod
    def for_languages(cls, source_lang: str | None, target_lang: str | None) -> "EdgeRule":
        return cls(stop_words(source_lang), stop_words(target_lang))

    def _weak(self, token: str, stops: frozenset[str]) -> bool:
        return is_punctuation(token) or (token[:1].islower() and token.lower() in stops)

    def allows(self, source: Sequence[str], target: Sequence[str], entity: Span, candidate: tuple[int, int]) -> bool:
        """True unless the candidate has a weak edge (punctuation, a lower-case function
        word) where the entity's matching edge is not weak and not the same word."""
        start, end = candidate
        for source_edge, target_edge in ((source[entity.start], target[start]), (source[entity.end - 1], target[end - 1])):
            if self._weak(target_edge, self.target_stop_words) and not (
                self._weak(source_edge, self.source_stop_words) or fold(source_edge) == fold(target_edge)
            ):
                return False
        return True
