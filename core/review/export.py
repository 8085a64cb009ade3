"""Exporting the cleaned target corpus: CoNLL IOB2, and JSONL with provenance.

``reviewed`` exports only the sentences a reviewer marked done; ``all`` exports every
sentence, using ``fallback_method``'s projection for spans nobody decided.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterator

from core.corpus.io import format_conll
from core.datamodel import Sentence, Span
from core.review.store import Decision, Proposal, ReviewStore, final_spans

MODES = ("reviewed", "all")


@dataclass(frozen=True)
class CleanSpan:
    span: Span
    how: str  # accept, fix, add, or auto (undecided, taken from the fallback method)
    proposal: Proposal | None
    decision: Decision | None


@dataclass(frozen=True)
class CleanSentence:
    id: int
    tokens: tuple[str, ...]
    spans: tuple[CleanSpan, ...]
    reviewed: bool
    source_tokens: tuple[str, ...]
    source_spans: tuple[Span, ...]

    def sentence(self) -> Sentence:
        return Sentence(self.tokens, tuple(Span(c.span.start, c.span.end, c.span.label) for c in self.spans))


def clean_sentences(
    store: ReviewStore,
    mode: str = "reviewed",
    fallback_method: str | None = "matching",
    drop_misc: bool = False,
) -> Iterator[CleanSentence]:
    """The cleaned sentences in corpus order."""
    if mode not in MODES:
        raise ValueError(f"unknown export mode {mode!r}; choose one of {', '.join(MODES)}")
    done = store.done_ids()
    decisions = store.all_decisions()
    dropped = frozenset({"MISC"}) if drop_misc else frozenset()
    for record in store.sentences():
        reviewed = record.id in done
        if mode == "reviewed" and not reviewed:
            continue
        kept = final_spans(record.proposals(), decisions.get(record.id, {}), None if reviewed else fallback_method, dropped)
        yield CleanSentence(
            record.id,
            record.target_tokens,
            tuple(CleanSpan(*row) for row in kept),
            reviewed,
            record.source_tokens,
            record.source_spans,
        )


def to_conll(sentences: Iterator[CleanSentence] | list[CleanSentence]) -> str:
    return format_conll(s.sentence() for s in sentences)


def to_jsonl(sentences: Iterator[CleanSentence] | list[CleanSentence]) -> str:
    """One JSON object a sentence: tokens, spans with provenance, and the source side."""
    lines = []
    for s in sentences:
        spans = []
        for c in s.spans:
            entry = {
                "start": c.span.start,
                "end": c.span.end,
                "label": c.span.label,
                "text": " ".join(s.tokens[c.span.start : c.span.end]),
                "methods": list(c.proposal.methods) if c.proposal else [],
                "scores": dict(c.proposal.scores) if c.proposal else {},
                "review": c.how,
            }
            if c.proposal is not None and c.how == "fix":
                p = c.proposal.span
                entry["projected"] = {"start": p.start, "end": p.end, "label": p.label}
            spans.append(entry)
        lines.append(json.dumps({
            "id": s.id,
            "reviewed": s.reviewed,
            "tokens": list(s.tokens),
            "spans": spans,
            "source_tokens": list(s.source_tokens),
            "source_spans": [{"start": x.start, "end": x.end, "label": x.label} for x in s.source_spans],
        }, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)
