"""Entity-level precision, recall and F1 with seqeval (conlleval-compatible default mode)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from core.corpus.tags import spans_to_iob2
from core.datamodel import Sentence
from core.errors import CorpusError


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(frozen=True)
class Evaluation:
    """Micro-averaged scores over all labels, and scores per label."""

    overall: Scores
    per_label: dict[str, Scores]

    def as_dict(self) -> dict:
        return {"overall": self.overall.as_dict(), "per_label": {k: v.as_dict() for k, v in self.per_label.items()}}

    def table(self) -> str:
        """A plain-text table, percentages with one decimal."""
        rows = [("label", "precision", "recall", "f1", "support")]
        for label, scores in sorted(self.per_label.items()) + [("overall", self.overall)]:
            rows.append(
                (
                    label,
                    f"{100 * scores.precision:.1f}",
                    f"{100 * scores.recall:.1f}",
                    f"{100 * scores.f1:.1f}",
                    str(scores.support),
                )
            )
        widths = [max(len(row[k]) for row in rows) for k in range(5)]
        return "\n".join(
            "  ".join(cell.rjust(w) if k else cell.ljust(w) for k, (cell, w) in enumerate(zip(row, widths)))
            for row in rows
        )


def evaluate(gold: Sequence[Sentence], predicted: Sequence[Sentence], ignore_labels: Iterable[str] = ()) -> Evaluation:
    """Compare predicted spans with gold spans sentence by sentence (same tokens)."""
    if len(gold) != len(predicted):
        raise CorpusError(None, None, f"gold has {len(gold)} sentences but the prediction has {len(predicted)}")
    for k, (g, p) in enumerate(zip(gold, predicted), start=1):
        if len(g) != len(p):
            raise CorpusError(None, None, f"sentence {k} has {len(g)} gold tokens but {len(p)} predicted tokens")
    return evaluate_tags(
        [spans_to_iob2(g.spans, len(g)) for g in gold],
        [spans_to_iob2(p.spans, len(p)) for p in predicted],
        ignore_labels,
    )


def evaluate_tags(
    gold: Sequence[Sequence[str]],
    predicted: Sequence[Sequence[str]],
    ignore_labels: Iterable[str] = (),
    strict: bool = False,
) -> Evaluation:
    """Score tag sequences as written, exactly as seqeval does.

    By default seqeval's default (conlleval) mode: an ``I-`` that continues no entity
    starts one, and IOB1 and BIOES tags are read too. ``strict=True`` is seqeval's strict
    IOB2 mode; check the tags with :func:`core.corpus.tags.check_iob2` first. Tags of an
    ignored label count as ``O`` on both sides.
    """
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    if len(gold) != len(predicted):
        raise CorpusError(None, None, f"gold has {len(gold)} sentences but the prediction has {len(predicted)}")
    ignored = frozenset(ignore_labels)

    def kept(tags: Sequence[str]) -> list[str]:
        return ["O" if tag != "O" and tag.partition("-")[2] in ignored else tag for tag in tags]

    y_true, y_pred = [], []
    for k, (g, p) in enumerate(zip(gold, predicted), start=1):
        if len(g) != len(p):
            raise CorpusError(None, None, f"sentence {k} has {len(g)} gold tokens but {len(p)} predicted tokens")
        y_true.append(kept(g))
        y_pred.append(kept(p))
    options = {"mode": "strict", "scheme": IOB2} if strict else {}
    with warnings.catch_warnings():  # no entity on either side: scores are 0, not a warning
        warnings.simplefilter("ignore")
        report = classification_report(y_true, y_pred, output_dict=True, zero_division=0, **options)
    per_label = {
        label: Scores(
            float(values["precision"]), float(values["recall"]), float(values["f1-score"]), int(values["support"])
        )
        for label, values in report.items()
        if label not in {"micro avg", "macro avg", "weighted avg"}
    }
    micro = report.get("micro avg", {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 0})
    overall = Scores(float(micro["precision"]), float(micro["recall"]), float(micro["f1-score"]), int(micro["support"]))
    return Evaluation(overall, per_label)
