"""Error analysis of a projection against gold: what kind of mistake each one is.

Every gold or predicted span that is not an exact match falls in one category:
``boundary`` (overlaps a gold span of the same label), ``label`` (same tokens, other
label), ``boundary+label`` (overlaps a gold span of another label), ``missed`` (a gold
span no prediction touches) or ``spurious`` (a prediction that touches no gold span).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from core.datamodel import Sentence, Span

CATEGORIES = ("boundary", "label", "boundary+label", "missed", "spurious")


@dataclass(frozen=True)
class ProjectionError:
    sentence: int
    category: str
    gold: Span | None
    predicted: Span | None

    @property
    def label(self) -> str:
        return (self.gold or self.predicted).label  # type: ignore[union-attr]


def classify_sentence(index: int, gold: Sequence[Span], predicted: Sequence[Span]) -> list[ProjectionError]:
    """The errors of one sentence (exact matches are not errors)."""
    exact = set(gold) & set(predicted)
    errors = []
    for p in predicted:
        if p in exact:
            continue
        touching = [g for g in gold if g.overlaps(p) and g not in exact]
        if not touching:
            errors.append(ProjectionError(index, "spurious", None, p))
            continue
        g = max(touching, key=lambda s: min(s.end, p.end) - max(s.start, p.start))
        same_tokens = (g.start, g.end) == (p.start, p.end)
        if same_tokens:
            category = "label"
        else:
            category = "boundary" if g.label == p.label else "boundary+label"
        errors.append(ProjectionError(index, category, g, p))
    for g in gold:
        if g not in exact and not any(g.overlaps(p) for p in predicted):
            errors.append(ProjectionError(index, "missed", g, None))
    return errors


def classify(gold: Sequence[Sentence], predicted: Sequence[Sentence]) -> list[ProjectionError]:
    errors = []
    for k, (g, p) in enumerate(zip(gold, predicted)):
        errors.extend(classify_sentence(k, g.spans, p.spans))
    return errors


def summarize(errors: Sequence[ProjectionError]) -> dict[str, Counter]:
    """Counts per category, overall and by (gold, else predicted) label."""
    table: dict[str, Counter] = {"all": Counter(e.category for e in errors)}
    for e in errors:
        table.setdefault(e.label, Counter())[e.category] += 1
    return table


def format_summary(errors: Sequence[ProjectionError]) -> str:
    table = summarize(errors)
    rows: list[tuple[str, ...]] = [("label",) + CATEGORIES]
    for label in sorted(k for k in table if k != "all") + ["all"]:
        rows.append((label,) + tuple(str(table[label][c]) for c in CATEGORIES))
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    return "\n".join(
        "  ".join(c.rjust(w) if k else c.ljust(w) for k, (c, w) in enumerate(zip(r, widths))) for r in rows
    )
