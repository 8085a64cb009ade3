"""Review as a team: what the store's per-reviewer decisions say once several people review.

- :func:`overlap_reviews`: each reviewer's kept spans on the sentences two or more reviewers
  marked done (the overlap sample when there is an assignment), as
  :class:`~core.review.agreement.SentenceReviews` for the agreement measures;
- :func:`team_agreement`: the agreement table of the reviewers and the two methods;
- :func:`reviewer_statistics`: sentences, decisions, acceptance and time per reviewer;
- :func:`team_disagreements`: the overlap sentences whose reviewers kept different spans;
- :func:`resolved_spans`: the final spans of a sentence several reviewers saw (the rules of
  :mod:`core.review.adjudication`: adjudicated, else majority, else the lead's, else the
  project's primary method).

A reviewer's *kept spans* of a sentence are those of their done review (accepted, fixed or
added); a review not marked done does not count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.datamodel import Span
from core.projection.pipeline import METHODS
from core.review.adjudication import Disagreement, Resolution, disagreements, resolve
from core.review.agreement import AgreementRow, SentenceReviews, agreement_table, with_annotator
from core.review.model import Decision, SentenceRecord, final_spans, is_adjudication
from core.review.stats import acceptance, acceptance_rate, median
from core.review.store import ReviewStore


def kept_spans(record: SentenceRecord, decisions: Mapping[str, Decision]) -> tuple[Span, ...]:
    """The spans a review keeps (no method fills in undecided items)."""
    return tuple(Span(s.start, s.end, s.label) for s, *_ in final_spans(record.proposals(), dict(decisions)))


def method_spans(record: SentenceRecord, method: str) -> tuple[Span, ...]:
    return tuple(Span(s.start, s.end, s.label) for s, _, _ in getattr(record, method))


def reviewers(store: ReviewStore) -> list[str]:
    """The reviewers of the project (adjudications left out): the assignment's order first."""
    assignment = store.assignment()
    names = list(assignment.queues) if assignment else []
    return names + [o for o in store.owners() if not is_adjudication(o) and o not in names]


def overlap_reviews(store: ReviewStore) -> list[SentenceReviews]:
    """Each reviewer's kept spans on every sentence two or more reviewers marked done (with an
    assignment: its overlap sentences only), in corpus order."""
    assignment = store.assignment()
    allowed = set(assignment.overlap) if assignment else None
    done = store.done_by_owner()
    team = {
        sid: [o for o in owners if not is_adjudication(o)]
        for sid, owners in done.items()
        if allowed is None or sid in allowed
    }
    team = {sid: owners for sid, owners in team.items() if len(owners) >= 2}
    decisions = store.decisions_by_owner(team)
    out = []
    for sid, owners in sorted(team.items()):
        record = store.sentence(sid)
        spans = {o: kept_spans(record, decisions.get(sid, {}).get(o, {})) for o in owners}
        out.append(SentenceReviews(sid, len(record.target_tokens), spans))
    return out


def team_agreement(store: ReviewStore, reviews: Sequence[SentenceReviews] | None = None) -> list[AgreementRow]:
    """Pairwise span F1 (exact, partial, per label) and Cohen's kappa of every reviewer and
    both methods on the overlap; Fleiss' kappa over the reviewers."""
    reviews = list(overlap_reviews(store) if reviews is None else reviews)
    names = [n for n in reviewers(store) if any(n in r.spans for r in reviews)]
    table = list(reviews)
    for method in METHODS:
        table = with_annotator(
            table, method, {r.sentence_id: method_spans(store.sentence(r.sentence_id), method) for r in reviews}
        )
    if not names:
        return []
    return agreement_table(table, [*names, *METHODS], fleiss_group=names if len(names) >= 2 else None)


def team_disagreements(store: ReviewStore) -> list[Disagreement]:
    return disagreements(overlap_reviews(store))


@dataclass(frozen=True)
class ReviewerStats:
    reviewer: str
    sentences: int
    decisions: int
    acceptance_rate: float | None
    median_seconds: float | None
    by_method: list[dict]
    by_label: list[dict]


def reviewer_statistics(store: ReviewStore) -> list[ReviewerStats]:
    """Per reviewer: sentences done, span decisions, share accepted as projected (overall,
    per method and per label), median seconds per done sentence."""
    decisions = store.decisions_by_owner()
    done = store.done_by_owner()
    records: dict[int, SentenceRecord] = {}
    out = []
    for name in reviewers(store):
        rows = []
        for sid, owners in decisions.items():
            items = owners.get(name)
            if not items:
                continue
            record = records.setdefault(sid, store.sentence(sid))
            proposals = {p.item: p for p in record.proposals()}
            for item, d in items.items():
                if d.action == "undecided":
                    continue
                p = proposals.get(item)
                methods = "added" if p is None else ("both" if len(p.methods) == 2 else p.methods[0] + " only")
                label = p.span.label if p is not None else (d.span.label if d.span else "?")
                rows.append({"proposed by": methods, "label": label, "decision": d.action})
        seconds = [s for owners in done.values() for o, (_, s) in owners.items() if o == name and s > 0]
        sentences = sum(name in owners for owners in done.values())
        out.append(
            ReviewerStats(
                name,
                sentences,
                len(rows),
                acceptance_rate(rows),
                median(seconds),
                acceptance(rows, "proposed by"),
                acceptance(rows, "label"),
            )
        )
    return out


def resolved_spans(
    store: ReviewStore,
    record: SentenceRecord,
    lead: str | None,
    primary: str,
    done: Mapping[str, tuple] | None = None,
    decisions: Mapping[str, Mapping[str, Decision]] | None = None,
) -> tuple[Resolution, dict[tuple, Decision]] | None:
    """The final spans of a sentence that a lead adjudicated or two or more reviewers marked
    done (None otherwise: one review, or none, is not a team question), and for each kept
    span one decision that kept it (its provenance)."""
    done = store.done_by_owner().get(record.id, {}) if done is None else done
    decisions = store.decisions_by_owner().get(record.id, {}) if decisions is None else decisions
    adjudications = sorted((at or 0, o) for o, (at, _) in done.items() if is_adjudication(o))
    owners = [o for o in done if not is_adjudication(o)]
    if not adjudications and len(owners) < 2:
        return None
    spans = {o: kept_spans(record, decisions.get(o, {})) for o in owners}
    sentence = SentenceReviews(record.id, len(record.target_tokens), spans)
    adjudicated = None
    if adjudications:
        judge = adjudications[-1][1]  # the latest adjudication done
        adjudicated = kept_spans(record, decisions.get(judge, {}))
        owners = [judge, *owners]
    resolution = resolve(sentence, adjudicated, lead, method_spans(record, primary))
    provenance: dict[tuple, Decision] = {}
    for owner in owners:
        for d in decisions.get(owner, {}).values():
            if d.span is not None and d.action in ("accept", "fix", "add"):
                provenance.setdefault((d.span.start, d.span.end, d.span.label), d)
    return resolution, provenance
