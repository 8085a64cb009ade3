"""Entity counts per label, and seqeval's scores from them.

seqeval (default mode) scores a corpus from three numbers per label: entities predicted, gold
entities, and predicted entities that are also gold (true positives), each counted as a set per
sentence. For IOB2 written from non-overlapping spans, a sentence's entities are exactly its
spans, so the counts can be kept per sentence (when a sentence is added or decided) and summed
in SQL; :func:`scores` then gives the same precision, recall and F1 as seqeval, computed the same
way (float for float).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from core.corpus.evaluate import Evaluation, Scores
from core.datamodel import Span


def label_counts(spans: Iterable[Span], gold: Iterable[Span] | None) -> dict[str, tuple[int, int]]:
    """``label -> (entities, true positives)`` of one sentence's spans; with ``gold`` None
    (a sentence without gold) every true-positive count is 0."""
    distinct = {(s.start, s.end, s.label) for s in spans}
    gold_set = {(s.start, s.end, s.label) for s in gold} if gold is not None else set()
    table: dict[str, list[int]] = {}
    for key in distinct:
        entry = table.setdefault(key[2], [0, 0])
        entry[0] += 1
        entry[1] += key in gold_set
    return {label: (n, tp) for label, (n, tp) in table.items()}


def _scores(tp: int, predicted: int, gold: int) -> Scores:
    """seqeval's precision_recall_fscore_support for one row (beta 1, zero_division 0)."""
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold if gold else 0.0
    beta2 = 1.0
    denom = beta2 * precision + recall
    f1 = (1 + beta2) * precision * recall / (denom if denom else 1.0)
    return Scores(float(precision), float(recall), float(f1), int(gold))


def scores(predicted: Mapping[str, tuple[int, int]], gold: Mapping[str, int]) -> Evaluation:
    """The :class:`Evaluation` seqeval gives for corpus-wide counts: ``predicted`` maps
    label -> (entities predicted, true positives), ``gold`` label -> gold entities."""
    labels = sorted({label for label, (n, _) in predicted.items() if n} | {label for label, n in gold.items() if n})
    per_label = {}
    total_tp = total_pred = total_gold = 0
    for label in labels:
        n, tp = predicted.get(label, (0, 0))
        g = gold.get(label, 0)
        per_label[label] = _scores(tp, n, g)
        total_tp, total_pred, total_gold = total_tp + tp, total_pred + n, total_gold + g
    return Evaluation(_scores(total_tp, total_pred, total_gold), per_label)
