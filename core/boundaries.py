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
        for source_edge, target_edge in ((source[entity.start], target[start]), (source[entity.end - 1], target[end - 1])):
            if self._weak(target_edge, self.target_stop_words, lower_case_only=True) and not (
                self._weak(source_edge, self.source_stop_words, lower_case_only=False) or fold(source_edge) == fold(target_edge)
            ):
                return False
        return True
