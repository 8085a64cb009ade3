"""The final spans of an overlap sentence several reviewers saw, and where they differ.

:func:`resolve` takes the first of these that applies:

1. ``adjudicated``: the spans a lead settled on (an empty list settles on no spans);
2. ``majority``: the spans more than half the sentence's reviewers kept (same start, end
   and label). It applies when every span any reviewer kept has a strict majority for or
   against it; a tie (two of four kept it) leaves the sentence to the next rule. Majority
   spans never overlap: two overlapping ones would each be kept by more than half the
   reviewers, so some reviewer would have kept both, and one reviewer's spans never
   overlap (:class:`~core.review.agreement.SentenceReviews` checks). No conflict rule is needed.
3. ``lead``: the lead's own review, when the lead reviewed the sentence;
4. ``primary``: the spans of the project's primary method.

The reviews passed in are the reviewers' only (do not add the methods as annotators).

>>> ana, ben, cy = (Span(0, 2, "PER"),), (Span(0, 2, "PER"),), (Span(0, 1, "PER"),)
>>> resolve(SentenceReviews(3, 5, {"ana": ana, "ben": ben, "cy": cy}))
Resolution(sentence_id=3, spans=(Span(start=0, end=2, label='PER', score=None),), rule='majority')
>>> resolve(SentenceReviews(3, 5, {"ana": ana, "cy": cy}), lead="cy").rule
'lead'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from core.datamodel import Span
from core.review.agreement import SentenceReviews

RULES = ("adjudicated", "majority", "lead", "primary")


@dataclass(frozen=True)
class Resolution:
    """The final spans of a sentence and the rule that chose them (one of ``RULES``)."""

    sentence_id: int
    spans: tuple[Span, ...]
    rule: str


@dataclass(frozen=True)
class Disagreement:
    """An overlap sentence whose reviewers kept different spans.

    ``spans``: each reviewer's kept spans; ``votes``: every distinct span any reviewer
    kept, with who kept it, in sentence order; ``agreed``: the spans all of them kept.
    """

    sentence_id: int
    length: int
    spans: Mapping[str, tuple[Span, ...]]
    votes: tuple[tuple[Span, tuple[str, ...]], ...]

    @property
    def agreed(self) -> tuple[Span, ...]:
        return tuple(span for span, voters in self.votes if len(voters) == len(self.spans))


def _key(span: Span) -> tuple[int, int, str]:
    return (span.start, span.end, span.label)


def _votes(sentence: SentenceReviews) -> list[tuple[Span, tuple[str, ...]]]:
    table: dict[tuple[int, int, str], list[str]] = {}
    for reviewer, spans in sentence.spans.items():
        for span in spans:
            table.setdefault(_key(span), []).append(reviewer)
    return [(Span(*key), tuple(voters)) for key, voters in sorted(table.items())]


def majority_spans(sentence: SentenceReviews) -> tuple[Span, ...] | None:
    """The spans more than half the reviewers kept, or ``None`` when no reviewer reviewed
    the sentence or some span has exactly half of them for it (a tie).

    >>> majority_spans(SentenceReviews(0, 3, {"ana": (Span(0, 1, "LOC"),), "ben": ()}))  # a tie
    >>> majority_spans(SentenceReviews(0, 3, {"ana": (), "ben": (), "cy": (Span(0, 1, "LOC"),)}))
    ()
    """
    reviewers = len(sentence.spans)
    if reviewers == 0:
        return None
    votes = _votes(sentence)
    if any(2 * len(voters) == reviewers for _, voters in votes):
        return None
    return tuple(span for span, voters in votes if 2 * len(voters) > reviewers)


def resolve(
    sentence: SentenceReviews,
    adjudicated: Sequence[Span] | None = None,
    lead: str | None = None,
    primary: Sequence[Span] = (),
) -> Resolution:
    """The final spans of one sentence by the first rule that applies (module docstring)."""
    sentence_id = sentence.sentence_id
    if adjudicated is not None:
        checked = SentenceReviews(sentence_id, sentence.length, {"the adjudication": tuple(adjudicated)})
        return Resolution(sentence_id, checked.spans["the adjudication"], "adjudicated")
    majority = majority_spans(sentence)
    if majority is not None:
        return Resolution(sentence_id, majority, "majority")
    if lead is not None and lead in sentence.spans:
        return Resolution(sentence_id, sentence.spans[lead], "lead")
    checked = SentenceReviews(sentence_id, sentence.length, {"the primary method": tuple(primary)})
    return Resolution(sentence_id, checked.spans["the primary method"], "primary")


def resolve_all(
    reviews: Iterable[SentenceReviews],
    adjudicated: Mapping[int, Sequence[Span]] | None = None,
    lead: str | None = None,
    primary: Mapping[int, Sequence[Span]] | None = None,
) -> list[Resolution]:
    """:func:`resolve` for each sentence; ``adjudicated`` and ``primary`` by sentence id."""
    adjudicated, primary = adjudicated or {}, primary or {}
    return [resolve(s, adjudicated.get(s.sentence_id), lead, primary.get(s.sentence_id, ())) for s in reviews]


def disagreements(reviews: Iterable[SentenceReviews]) -> list[Disagreement]:
    """The sentences at least two reviewers reviewed and kept different spans of, in the
    order given.

    >>> found = disagreements([SentenceReviews(4, 3, {"ana": (Span(0, 1, "LOC"),), "ben": (Span(0, 1, "ORG"),)})])
    >>> [(d.sentence_id, d.agreed, len(d.votes)) for d in found]
    [(4, (), 2)]
    """
    found = []
    for sentence in reviews:
        if len(sentence.spans) < 2:
            continue
        keys = {tuple(_key(s) for s in spans) for spans in sentence.spans.values()}
        if len(keys) > 1:
            found.append(
                Disagreement(sentence.sentence_id, sentence.length, dict(sentence.spans), tuple(_votes(sentence)))
            )
    return found
