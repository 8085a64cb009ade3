"""Numbers for the Compare and Statistics screens, computed from a project's review store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from core.corpus.evaluate import Evaluation, evaluate
from core.datamodel import Sentence, Span
from core.review.counts import scores
from core.review.model import SentenceRecord, final_spans
from core.review.store import ReviewStore


def bracketed(tokens: Sequence[str], spans: Sequence[Span]) -> str:
    """``[PER Maria Lindqvist] inauguró …``: a sentence with its spans, as plain text."""
    starts = {s.start: s for s in spans}
    ends = {s.end for s in spans}
    words = []
    for k, token in enumerate(tokens):
        if k in starts:
            token = f"[{starts[k].label} {token}"
        if k + 1 in ends:
            token += "]"
        words.append(token)
    return " ".join(words)


@dataclass(frozen=True)
class MethodCounts:
    sentences: int
    disagreeing: int
    both: int
    heuristic_only: int
    matching_only: int


def method_counts(records: Sequence[SentenceRecord]) -> MethodCounts:
    both = h_only = m_only = 0
    for r in records:
        for p in r.proposals():
            if len(p.methods) == 2:
                both += 1
            elif p.methods == ("heuristic",):
                h_only += 1
            else:
                m_only += 1
    return MethodCounts(len(records), sum(r.disagree for r in records), both, h_only, m_only)


def method_f1(
    store: ReviewStore, records: Sequence[SentenceRecord], primary: str = "matching"
) -> dict[str, Evaluation]:
    """Each method against target gold (sentences with gold only) and, once anything has been
    reviewed, the reviewed result: done sentences' cleaned spans, elsewhere the decisions
    made so far plus the project's ``primary`` method for the undecided spans."""
    gold_of = [(r, r.gold_spans) for r in records if r.gold_spans is not None]
    if not gold_of:
        return {}
    with_gold = [r for r, _ in gold_of]
    gold = [Sentence(r.target_tokens, spans) for r, spans in gold_of]
    result = {}
    for method in ("heuristic", "matching"):
        predicted = [
            Sentence(r.target_tokens, tuple(Span(s.start, s.end, s.label) for s, _, _ in getattr(r, method)))
            for r in with_gold
        ]
        result[method] = evaluate(gold, predicted)
    done = store.done_ids()
    decisions = store.all_decisions()
    if not done and not any(d.action != "undecided" for items in decisions.values() for d in items.values()):
        return result  # nothing reviewed yet: "after review" would only repeat a method
    reviewed = []
    for r in with_gold:
        kept = final_spans(r.proposals(), decisions.get(r.id, {}), None if r.id in done else primary)
        reviewed.append(Sentence(r.target_tokens, tuple(Span(s.start, s.end, s.label) for s, *_ in kept)))
    result["after review"] = evaluate(gold, reviewed)
    return result


def decision_table(store: ReviewStore) -> list[dict]:
    """One row per current decision: sentence, method(s) that proposed it, label, action."""
    rows = []
    decisions = store.all_decisions()
    for sid, items in decisions.items():
        record = store.sentence(sid)
        proposals = {p.item: p for p in record.proposals()}
        for item, d in items.items():
            if d.action == "undecided":
                continue
            p = proposals.get(item)
            methods = "added" if p is None else ("both" if len(p.methods) == 2 else p.methods[0] + " only")
            label = p.span.label if p is not None else (d.span.label if d.span else "?")
            rows.append(
                {"sentence": sid + 1, "proposed by": methods, "label": label, "decision": d.action, "at": d.updated_at}
            )
    return rows


def acceptance(rows: Sequence[dict], by: str) -> list[dict]:
    """Per value of ``by``: counts of each decision and the share accepted as projected. A row
    is one decision, or many with a ``count`` (:func:`decision_summary` rows)."""
    table: dict[str, Counter] = {}
    for row in rows:
        table.setdefault(row[by], Counter())[row["decision"]] += row.get("count", 1)
    result = []
    for key, counts in sorted(table.items()):
        judged = counts["accept"] + counts["fix"] + counts["reject"]
        result.append(
            {
                by: key,
                **{k: counts[k] for k in ("accept", "fix", "reject", "add")},
                "acceptance rate": round(counts["accept"] / judged, 3) if judged else None,
            }
        )
    return result


def acceptance_rate(rows: Sequence[dict]) -> float | None:
    """The share of judged spans (accepted, fixed or rejected) accepted as projected (rows as
    :func:`acceptance` takes them)."""
    judged = sum(r.get("count", 1) for r in rows if r["decision"] in ("accept", "fix", "reject"))
    accepted = sum(r.get("count", 1) for r in rows if r["decision"] == "accept")
    return accepted / judged if judged else None


def median(values: Sequence[float]) -> float | None:
    """The median (the mean of the two middle values for an even count); None when empty."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return None
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def seconds_per_sentence(times: Sequence[tuple[int, float, float]]) -> list[float]:
    """The recorded review times of done sentences (``store.done_times()``), unknown ones left out."""
    return [seconds for _, _, seconds in times if seconds and seconds > 0]


# -- the same numbers from the store's aggregates: no sentence is loaded ----------------------
def project_counts(store: ReviewStore) -> MethodCounts:
    """:func:`method_counts` of the whole project, summed in SQL."""
    c = store.method_overlap_counts()
    return MethodCounts(c["sentences"], c["disagreeing"], c["both"], c["heuristic_only"], c["matching_only"])


def project_f1(store: ReviewStore, primary: str = "matching") -> dict[str, Evaluation]:
    """:func:`method_f1` of the whole project from per-sentence counts summed in SQL: the same
    numbers as seqeval (see :mod:`core.review.counts`), without loading a sentence."""
    if not store.has_gold():
        return {}
    gold = store.gold_totals()
    result = {method: scores(store.method_totals(method), gold) for method in ("heuristic", "matching")}
    if store.anything_reviewed():
        result["after review"] = scores(store.cleaned_totals(primary, gold_only=True), gold)
    return result


def decision_summary(store: ReviewStore) -> list[dict]:
    """:func:`decision_table` counted: one row per (proposed by, label, decision) with ``count``."""
    return [
        {"proposed by": by, "label": label, "decision": action, "count": n}
        for by, label, action, n in store.decision_counts()
    ]


def histogram(values: Sequence[float], bins: int = 20) -> list[dict]:
    """Equal-width bins over ``values``: ``{"from", "to", "sentences"}`` each (the chart gets
    the bins, not every value)."""
    if not values:
        return []
    low, high = min(values), max(values)
    width = (high - low) / bins or 1.0
    counts = Counter(min(int((v - low) / width), bins - 1) for v in values)
    return [
        {"from": low + k * width, "to": low + (k + 1) * width, "sentences": counts[k]} for k in range(bins) if counts[k]
    ]
