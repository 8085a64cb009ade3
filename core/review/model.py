"""The review model, independent of storage: proposals, decisions, the sentence records the
Review screen draws, who owns a decision, what the cleaned corpus keeps (:func:`final_spans`),
the span (de)serialisers, and the Review screen's filters. :mod:`core.review.store` keeps them
in SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from core.datamodel import Span

ACTIONS = ("accept", "reject", "fix", "add", "undecided")
KEPT_ACTIONS = frozenset({"accept", "fix", "add"})

LOCAL_OWNER = "local"  # the reviewer of a project reviewed without sign-in
ADJUDICATION = "adjudication:"  # owner prefix of a lead's adjudication: "adjudication:ana"


def owner_of(reviewer: str | None) -> str:
    """The owner key of a reviewer's decisions: their name, ``"local"`` for the anonymous one."""
    name = (reviewer or "").strip()
    return name or LOCAL_OWNER


def adjudication_owner(lead: str) -> str:
    """The owner key under which ``lead``'s adjudications are stored."""
    return ADJUDICATION + owner_of(lead)


def is_adjudication(owner: str) -> bool:
    return owner.startswith(ADJUDICATION)


MAX_SECONDS = 600.0  # time on one sentence counted at most (a tab left open is not work)


@dataclass(frozen=True)
class Proposal:
    """A projected span (an item to review): where it is and which methods proposed it.

    ``source`` is the index of the source entity it came from (of the first method that
    proposed it); ``scores`` maps method -> score.
    """

    item: str
    span: Span
    methods: tuple[str, ...]
    source: int
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """The current decision on one item; ``span`` is the kept span (None when rejected)."""

    item: str
    action: str
    span: Span | None
    version: int
    event_id: int
    updated_at: float
    reviewer: str = ""
    owner: str = LOCAL_OWNER


@dataclass(frozen=True)
class SentenceRecord:
    """Everything the review screen needs about one sentence pair."""

    id: int
    source_tokens: tuple[str, ...]
    source_spans: tuple[Span, ...]
    target_tokens: tuple[str, ...]
    gold_spans: tuple[Span, ...] | None
    alignment: tuple[tuple[int, int, float], ...]
    heuristic: tuple[tuple[Span, int, float], ...]
    matching: tuple[tuple[Span, int, float], ...]
    candidates: dict[int, list[tuple[int, int, float]]]
    disagree: bool
    min_score: float

    def proposals(self) -> list[Proposal]:
        return proposals_of(self.heuristic, self.matching)


def item_key(span: Span) -> str:
    return f"{span.start}:{span.end}:{span.label}"


def proposals_of(
    heuristic: Sequence[tuple[Span, int, float]],
    matching: Sequence[tuple[Span, int, float]],
) -> list[Proposal]:
    """The union of both methods' spans, one proposal per distinct (start, end, label)."""
    table: dict[str, dict] = {}
    for method, projections in (("heuristic", heuristic), ("matching", matching)):
        for span, source, score in projections:
            key = item_key(span)
            entry = table.setdefault(
                key, {"span": Span(span.start, span.end, span.label), "methods": [], "source": source, "scores": {}}
            )
            entry["methods"].append(method)
            entry["scores"][method] = score
    proposals = [Proposal(k, v["span"], tuple(v["methods"]), v["source"], v["scores"]) for k, v in table.items()]
    return sorted(proposals, key=lambda p: (p.span.start, p.span.end, p.item))


def spans_differ(heuristic: Iterable[Span], matching: Iterable[Span]) -> bool:
    key = lambda spans: sorted((s.start, s.end, s.label) for s in spans)  # noqa: E731
    return key(heuristic) != key(matching)


def final_spans(
    proposals: Sequence[Proposal],
    decisions: dict[str, Decision],
    fallback_method: str | None = None,
    dropped_labels: frozenset[str] = frozenset(),
) -> list[tuple[Span, str, Proposal | None, Decision | None]]:
    """The cleaned spans of one sentence: ``(span, how, proposal, decision)``.

    Decided items keep their decision (accept -> the proposed span, fix -> the corrected
    span, add -> the added span, reject -> nothing). Undecided items are kept only when
    ``fallback_method`` proposed them (``how == "auto"``). Overlaps are resolved so the
    result is a valid IOB2 sentence: decided spans beat undecided ones, and among decided
    ones the most recent decision wins.
    """
    by_item = {p.item: p for p in proposals}
    chosen: list[tuple[tuple, Span, str, Proposal | None, Decision | None]] = []
    for item, decision in decisions.items():
        if decision.action in KEPT_ACTIONS and decision.span is not None:
            chosen.append(((0, -decision.event_id), decision.span, decision.action, by_item.get(item), decision))
    for proposal in proposals:
        if proposal.item in decisions and decisions[proposal.item].action != "undecided":
            continue
        if fallback_method is not None and fallback_method in proposal.methods:
            chosen.append(((1, proposal.span.start), proposal.span, "auto", proposal, None))
    kept: list[tuple[Span, str, Proposal | None, Decision | None]] = []
    for _, span, how, chosen_proposal, chosen_decision in sorted(chosen, key=lambda row: row[0]):
        if span.label in dropped_labels:
            continue
        if any(span.overlaps(other) for other, *_ in kept):
            continue
        kept.append((span, how, chosen_proposal, chosen_decision))
    return sorted(kept, key=lambda row: row[0].start)


def spans_json(spans: Iterable[Span]) -> str:
    return json.dumps([[s.start, s.end, s.label] for s in spans])


def spans_of(text: str) -> tuple[Span, ...]:
    return tuple(Span(s, e, label) for s, e, label in json.loads(text))


def spans_from(text: str | None) -> tuple[Span, ...] | None:
    return None if text is None else spans_of(text)


def projections_from(text: str) -> tuple[tuple[Span, int, float], ...]:
    return tuple((Span(s, e, label, score), source, score) for s, e, label, source, score in json.loads(text))


@dataclass(frozen=True)
class NewSentence:
    """A sentence pair as the project writes it into the store."""

    source_tokens: Sequence[str]
    source_spans: Sequence[Span]
    target_tokens: Sequence[str]
    gold_spans: Sequence[Span] | None
    alignment: Sequence[tuple[int, int, float]]
    heuristic: Sequence[tuple[Span, int, float]]
    matching: Sequence[tuple[Span, int, float]]
    candidates: dict[int, list[tuple[int, int, float]]]


@dataclass(frozen=True)
class Filters:
    """The Review screen's sidebar filters."""

    unreviewed: bool = False
    disagree: bool = False
    max_score: float | None = None
    label: str | None = None
    text: str | None = None

    def active(self) -> bool:
        return bool(self.unreviewed or self.disagree or self.max_score is not None or self.label or self.text)
