"""Agreement between annotators on the overlap sentences: span F1 and token kappa.

An *annotator* is a reviewer, or a projection method (``"heuristic"``, ``"matching"``)
added with :func:`with_annotator`; every function treats them alike. Only sentences that
both (for Fleiss: all) annotators reviewed count.

Span F1 between two annotators is symmetric: ``2 * matched / (spans of one + spans of
the other)``.

- *exact*: a span of one matches a span of the other with the same start, end and label.
- *partial*: spans match when they share at least one token and have the same label, each
  span matched at most once; ``matched`` is the largest such one-to-one matching per
  sentence. ``[0, 2) PER`` and ``[0, 3) PER`` match; ``[0, 2) PER`` and ``[0, 2) ORG``
  do not.

Per label, a match counts for its (shared) label and each span for its own label, so the
per-label counts add up to the overall ones.

Kappa compares token labels: each token gets its entity label (``PER``) or ``O``, and ``O``
tokens count. (Entity type per token, not IOB2: a boundary off by one word is one token
of disagreement, not two.) Cohen's kappa pools the tokens of the sentences a pair both
reviewed; Fleiss' kappa pools the tokens of the sentences every annotator of the group
reviewed. A kappa is ``None`` when undefined (chance agreement is 1: one label only).

>>> reviews = [SentenceReviews(7, 4, {"ana": (Span(0, 2, "PER"),), "ben": (Span(0, 1, "PER"),)})]
>>> span_agreement(reviews, "ana", "ben", "exact").f1, span_agreement(reviews, "ana", "ben", "partial").f1
(0.0, 1.0)
>>> round(cohen_kappa(reviews, "ana", "ben"), 3)
0.5
"""

from __future__ import annotations

import numbers
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from core.datamodel import Span
from core.errors import LabelBridgeError

OUTSIDE = "O"
ALL_LABELS = "ALL"
MATCHES = ("exact", "partial")


class AgreementError(LabelBridgeError):
    """Reviews that agreement cannot be measured on (spans past the sentence, overlaps)."""


@dataclass(frozen=True)
class SentenceReviews:
    """One overlap sentence: its length in target tokens and each annotator's kept spans.

    An annotator absent from ``spans`` did not review the sentence; one present with no
    spans reviewed it and kept none. Spans are checked: inside the sentence, and no two
    of one annotator overlapping (as in a valid IOB2 sentence).
    """

    sentence_id: int
    length: int
    spans: Mapping[str, tuple[Span, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.length, bool) or not isinstance(self.length, numbers.Integral) or self.length < 0:
            raise AgreementError(
                f"sentence {self.sentence_id}: its length must be a whole number of tokens, got {self.length!r}"
            )
        object.__setattr__(self, "length", int(self.length))
        table = {}
        for annotator, spans in self.spans.items():
            if isinstance(spans, Span) or not all(isinstance(span, Span) for span in spans):
                raise AgreementError(f"sentence {self.sentence_id}: {annotator}'s spans must be a list of spans")
            ordered = tuple(sorted(spans, key=lambda s: (s.start, s.end, s.label)))
            for span in ordered:
                if span.end > self.length:
                    raise AgreementError(
                        f"sentence {self.sentence_id}: {annotator}'s span [{span.start}, {span.end}) {span.label} "
                        f"runs past its {self.length} tokens"
                    )
            for first, second in zip(ordered, ordered[1:]):
                if first.overlaps(second):
                    raise AgreementError(
                        f"sentence {self.sentence_id}: {annotator}'s spans [{first.start}, {first.end}) and "
                        f"[{second.start}, {second.end}) overlap"
                    )
            table[annotator] = ordered
        object.__setattr__(self, "spans", table)

    @property
    def annotators(self) -> tuple[str, ...]:
        return tuple(self.spans)


@dataclass(frozen=True)
class SpanCounts:
    """Span matches between two annotators: ``f1`` is ``None`` when neither has a span."""

    matched: int
    first: int
    second: int

    @property
    def f1(self) -> float | None:
        total = self.first + self.second
        return 2 * self.matched / total if total else None


@dataclass(frozen=True)
class AgreementRow:
    """One number of the agreement table (tidy: one row per pair, label and measure).

    ``measure`` is ``f1_exact``, ``f1_partial``, ``cohen_kappa`` or ``fleiss_kappa``;
    ``label`` an entity label or ``ALL``; ``second`` is ``""`` for Fleiss, whose
    annotators are listed in ``first`` joined by ``+``. ``sentences`` is how many
    sentences were compared, ``support`` how many spans (F1: both annotators' spans) or
    tokens (kappa) the number rests on.
    """

    first: str
    second: str
    label: str
    measure: str
    value: float | None
    sentences: int
    support: int


def with_annotator(
    reviews: Iterable[SentenceReviews], name: str, spans: Mapping[int, Sequence[Span]]
) -> list[SentenceReviews]:
    """The reviews with one more annotator (e.g. a method), whose spans are given per
    sentence id; sentences missing from ``spans`` get none of its spans (it did not annotate them).

    >>> reviews = [SentenceReviews(7, 4, {"ana": (Span(0, 2, "PER"),)})]
    >>> with_annotator(reviews, "heuristic", {7: [Span(0, 2, "PER")]})[0].annotators
    ('ana', 'heuristic')
    """
    out = []
    for sentence in reviews:
        if name in sentence.spans:
            raise AgreementError(f"sentence {sentence.sentence_id} already has an annotator named {name!r}")
        table = dict(sentence.spans)
        if sentence.sentence_id in spans:
            table[name] = tuple(spans[sentence.sentence_id])
        out.append(SentenceReviews(sentence.sentence_id, sentence.length, table))
    return out


def _distinct(names: Sequence[str]) -> list[str]:
    names = list(names)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise AgreementError(f"annotator {repeated[0]!r} is listed twice")
    return names


def annotators_of(reviews: Iterable[SentenceReviews]) -> list[str]:
    """Every annotator in the reviews, in order of first appearance."""
    return list(dict.fromkeys(name for sentence in reviews for name in sentence.spans))


def span_agreement(reviews: Iterable[SentenceReviews], first: str, second: str, match: str = "exact") -> SpanCounts:
    """Span matches of ``first`` and ``second`` over all labels (see the module docstring)."""
    return span_agreement_by_label(reviews, first, second, match)[ALL_LABELS]


def span_agreement_by_label(
    reviews: Iterable[SentenceReviews], first: str, second: str, match: str = "exact"
) -> dict[str, SpanCounts]:
    """Span matches per label, plus the overall counts under ``ALL``."""
    if match not in MATCHES:
        raise AgreementError(f"unknown span match {match!r}; choose one of {', '.join(MATCHES)}")
    matched: Counter[str] = Counter()
    first_count: Counter[str] = Counter()
    second_count: Counter[str] = Counter()
    for sentence in reviews:
        if first not in sentence.spans or second not in sentence.spans:
            continue
        a, b = sentence.spans[first], sentence.spans[second]
        first_count.update(s.label for s in a)
        second_count.update(s.label for s in b)
        pairs = _exact_pairs(a, b) if match == "exact" else _partial_pairs(a, b)
        matched.update(a[i].label for i, _ in pairs)
    labels = sorted(set(first_count) | set(second_count))
    table = {label: SpanCounts(matched[label], first_count[label], second_count[label]) for label in labels}
    table[ALL_LABELS] = SpanCounts(sum(matched.values()), sum(first_count.values()), sum(second_count.values()))
    return table


def _exact_pairs(a: Sequence[Span], b: Sequence[Span]) -> list[tuple[int, int]]:
    where = {(s.start, s.end, s.label): j for j, s in enumerate(b)}
    return [(i, where[(s.start, s.end, s.label)]) for i, s in enumerate(a) if (s.start, s.end, s.label) in where]


def _partial_pairs(a: Sequence[Span], b: Sequence[Span]) -> list[tuple[int, int]]:
    """A largest one-to-one matching of overlapping same-label spans (augmenting paths)."""
    options = [[j for j, t in enumerate(b) if s.label == t.label and s.overlaps(t)] for s in a]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in options[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(a)):
        augment(i, set())
    return sorted((i, j) for j, i in owner.items())


def token_labels(spans: Sequence[Span], length: int) -> list[str]:
    """Each token's entity label, ``O`` outside the spans.

    >>> token_labels([Span(1, 3, "LOC")], 4)
    ['O', 'LOC', 'LOC', 'O']
    """
    labels = [OUTSIDE] * length
    for span in spans:
        labels[span.start : span.end] = [span.label] * len(span)
    return labels


def _token_table(reviews: Iterable[SentenceReviews], group: Sequence[str]) -> tuple[list[list[str]], int]:
    """One row per token of the sentences all of ``group`` reviewed: each one's label."""
    rows: list[list[str]] = []
    sentences = 0
    for sentence in reviews:
        if not all(name in sentence.spans for name in group):
            continue
        sentences += 1
        columns = [token_labels(sentence.spans[name], sentence.length) for name in group]
        rows.extend(list(row) for row in zip(*columns))
    return rows, sentences


def cohen_kappa(reviews: Iterable[SentenceReviews], first: str, second: str) -> float | None:
    """Cohen's kappa of two annotators' token labels (``None`` when undefined)."""
    rows, _ = _token_table(reviews, [first, second])
    return _cohen(rows)


def _cohen(rows: list[list[str]]) -> float | None:
    if not rows:
        return None
    n = len(rows)
    observed = sum(a == b for a, b in rows) / n
    first, second = Counter(a for a, _ in rows), Counter(b for _, b in rows)
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def fleiss_kappa(reviews: Iterable[SentenceReviews], group: Sequence[str] | None = None) -> float | None:
    """Fleiss' kappa of the token labels of ``group`` (default: every annotator), on the
    sentences all of them reviewed; ``None`` when undefined or fewer than two annotators."""
    reviews = list(reviews)
    group = _distinct(group) if group is not None else annotators_of(reviews)
    if len(group) < 2:
        return None
    rows, _ = _token_table(reviews, group)
    return _fleiss(rows)


def _fleiss(rows: list[list[str]]) -> float | None:
    if not rows:
        return None
    raters, subjects = len(rows[0]), len(rows)
    totals: Counter[str] = Counter()
    agreement = 0.0
    for row in rows:
        counts = Counter(row)
        totals.update(counts)
        agreement += (sum(c * c for c in counts.values()) - raters) / (raters * (raters - 1))
    observed = agreement / subjects
    expected = sum((c / (subjects * raters)) ** 2 for c in totals.values())
    return None if expected == 1 else (observed - expected) / (1 - expected)


def agreement_table(
    reviews: Iterable[SentenceReviews],
    annotators: Sequence[str] | None = None,
    fleiss_group: Sequence[str] | None = None,
) -> list[AgreementRow]:
    """Every pair of ``annotators`` (default: all, in order of appearance): exact and
    partial span F1 overall and per label, and Cohen's kappa; then Fleiss' kappa over
    ``fleiss_group`` (default: ``annotators``; e.g. the reviewers without the methods)."""
    reviews = list(reviews)
    names = _distinct(annotators) if annotators is not None else annotators_of(reviews)
    rows: list[AgreementRow] = []
    for first, second in combinations(names, 2):
        sentences = sum(first in s.spans and second in s.spans for s in reviews)
        for match in MATCHES:
            by_label = span_agreement_by_label(reviews, first, second, match)
            for label in [ALL_LABELS, *sorted(set(by_label) - {ALL_LABELS})]:
                counts = by_label[label]
                rows.append(
                    AgreementRow(
                        first, second, label, f"f1_{match}", counts.f1, sentences, counts.first + counts.second
                    )
                )
        tokens, _ = _token_table(reviews, [first, second])
        rows.append(AgreementRow(first, second, ALL_LABELS, "cohen_kappa", _cohen(tokens), sentences, len(tokens)))
    group = _distinct(fleiss_group) if fleiss_group is not None else names
    if len(group) >= 2:
        tokens, sentences = _token_table(reviews, group)
        rows.append(
            AgreementRow("+".join(group), "", ALL_LABELS, "fleiss_kappa", _fleiss(tokens), sentences, len(tokens))
        )
    return rows


def agreement_frame(rows: Sequence[AgreementRow]):
    """The table as a pandas DataFrame (for ``st.dataframe`` and ``.to_csv``)."""
    from dataclasses import fields

    import pandas as pd

    columns = [f.name for f in fields(AgreementRow)]
    return pd.DataFrame([[getattr(row, c) for c in columns] for row in rows], columns=columns)
