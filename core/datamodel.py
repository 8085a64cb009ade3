"""The data model: tokens, labelled spans, alignments, projections.

Spans are half-open token ranges ``[start, end)``. An alignment is a set of
``(source_index, target_index)`` word pairs, the order of Pharaoh ``i-j`` lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Span:
    """A labelled token range ``[start, end)``; ``score`` is optional evidence."""

    start: int
    end: int
    label: str
    score: float | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"a span needs 0 <= start < end, got [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def covers(self, index: int) -> bool:
        return self.start <= index < self.end


@dataclass(frozen=True)
class Sentence:
    """Tokens and the entity spans on them (no spans for plain text)."""

    tokens: tuple[str, ...]
    spans: tuple[Span, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "tokens", tuple(self.tokens))
        object.__setattr__(self, "spans", tuple(sorted(self.spans)))
        for span in self.spans:
            if span.end > len(self.tokens):
                raise ValueError(f"span {span} runs past the sentence's {len(self.tokens)} tokens")

    def __len__(self) -> int:
        return len(self.tokens)

    def text(self, span: Span) -> str:
        return " ".join(self.tokens[span.start : span.end])

    def with_spans(self, spans: Iterable[Span]) -> Sentence:
        return Sentence(self.tokens, tuple(spans))


Link = tuple[int, int]


@dataclass(frozen=True)
class Alignment:
    """Word links ``(source_index, target_index)`` between one sentence pair.

    ``weights`` optionally gives each link a confidence in ``(0, 1]`` (e.g. how many
    aligner runs agreed); a link without a weight counts as 1.
    """

    links: frozenset[Link] = frozenset()
    weights: tuple[tuple[Link, float], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "links", frozenset(self.links))
        object.__setattr__(self, "weights", tuple(sorted(self.weights)))

    @classmethod
    def from_pairs(cls, pairs: Iterable[Link], weights: dict[Link, float] | None = None) -> Alignment:
        links = frozenset((int(i), int(j)) for i, j in pairs)
        kept = tuple((link, float(w)) for link, w in (weights or {}).items() if link in links and w != 1.0)
        return cls(links, kept)

    def __iter__(self) -> Iterator[Link]:
        return iter(sorted(self.links))

    def __len__(self) -> int:
        return len(self.links)

    def __contains__(self, link: object) -> bool:
        return link in self.links

    def weight(self, link: Link) -> float:
        if link not in self.links:
            return 0.0
        return dict(self.weights).get(link, 1.0)

    def weight_map(self) -> dict[Link, float]:
        table = dict(self.weights)
        return {link: table.get(link, 1.0) for link in self.links}

    def source_to_target(self) -> dict[int, list[int]]:
        """Target indices linked to each source index (sorted)."""
        table: dict[int, list[int]] = {}
        for i, j in sorted(self.links):
            table.setdefault(i, []).append(j)
        return table

    def to_pharaoh(self, weights: bool = True) -> str:
        """``"0-0 1-2:0.4"``: links in order, a weight below 1 after a colon (if ``weights``)."""
        table = dict(self.weights) if weights else {}
        return " ".join(
            f"{i}-{j}:{table[(i, j)]:.3g}" if (i, j) in table else f"{i}-{j}" for i, j in sorted(self.links)
        )


@dataclass(frozen=True)
class SentencePair:
    """A source sentence with entities and the target sentence that receives them.

    ``target.spans`` holds target gold when the corpus has it; projection ignores it.
    """

    source: Sentence
    target: Sentence


@dataclass(frozen=True)
class Projection:
    """A span projected onto the target, with where it came from.

    ``source_span`` is the entity it came from, ``method`` "heuristic" or "matching",
    ``links`` the alignment pairs that support it, ``score`` the candidate score
    (matching) or the share of the entity's words that landed in it (heuristic).
    """

    span: Span
    source_span: Span
    method: str
    links: tuple[Link, ...] = ()
    score: float = 0.0
