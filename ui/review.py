"""The Review screen's component: a static HTML/JS frontend (no build step) that draws the
sentence pair as SVG and turns key presses and clicks into actions for Python."""

from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

from core.review.model import Decision, SentenceRecord

_component = components.declare_component("labelbridge_review", path=str(Path(__file__).parent / "review_component"))

LABEL_ORDER = ["PER", "LOC", "ORG", "MISC"]


def ordered_labels(labels: list[str]) -> list[str]:
    known = [label for label in LABEL_ORDER if label in labels]
    return known + sorted(label for label in labels if label not in LABEL_ORDER) or LABEL_ORDER


def payload(record: SentenceRecord, decisions: dict[str, Decision], **extra) -> dict:
    """Everything the frontend draws (plain JSON; it never interprets text as HTML)."""
    return {
        "sid": record.id,
        "source": list(record.source_tokens),
        "target": list(record.target_tokens),
        "source_spans": [[s.start, s.end, s.label] for s in record.source_spans],
        "links": [list(link) for link in record.alignment],
        "heuristic": [[s.start, s.end, s.label, score] for s, _, score in record.heuristic],
        "matching": [[s.start, s.end, s.label, score] for s, _, score in record.matching],
        "proposals": [
            {
                "item": p.item,
                "start": p.span.start,
                "end": p.span.end,
                "label": p.span.label,
                "methods": list(p.methods),
                "source": p.source,
                "scores": p.scores,
            }
            for p in record.proposals()
        ],
        "decisions": {
            item: {
                "action": d.action,
                "span": None if d.span is None else [d.span.start, d.span.end, d.span.label],
                "version": d.version,
            }
            for item, d in decisions.items()
        },
        "candidates": {str(e): [list(c) for c in cands] for e, cands in record.candidates.items()},
        **extra,
    }


def review_view(data: dict, key: str = "review"):
    return _component(data=data, key=key, default=None)
