"""Exporting the cleaned target corpus: CoNLL IOB2, and JSONL with provenance.

``reviewed`` exports only the sentences a reviewer marked done; ``all`` exports every
sentence, using ``fallback_method``'s projection for spans nobody decided.

A sentence that one reviewer marked done exports that review. A sentence a lead adjudicated, or
that two or more reviewers marked done (the overlap of a team), exports by the first rule that
applies: the adjudication; else the spans more than half of its reviewers kept (a tie fails);
else the lead's own review; else the primary method's spans (``CleanSentence.rule`` says which).
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
    rule: str = ""  # for team sentences: adjudicated, majority, lead or primary

    def sentence(self) -> Sentence:
        return Sentence(self.tokens, tuple(Span(c.span.start, c.span.end, c.span.label) for c in self.spans))


def clean_sentences(
    store: ReviewStore,
    mode: str = "reviewed",
    fallback_method: str | None = "matching",
    drop_misc: bool = False,
    lead: str | None = None,
    primary_method: str | None = None,
) -> Iterator[CleanSentence]:
    """The cleaned sentences in corpus order. ``lead`` (default: the lead who made the
    assignment) and ``primary_method`` (default: ``fallback_method``, else matching) decide
    team sentences that neither an adjudication nor a majority settles."""
    from core.review.team import resolved_spans  # team builds on this module's store helpers

    if mode not in MODES:
        raise ValueError(f"unknown export mode {mode!r}; choose one of {', '.join(MODES)}")
    done = store.done_ids()
    decisions = store.all_decisions()
    by_owner = store.decisions_by_owner()
    done_by_owner = store.done_by_owner()
    lead = lead if lead is not None else (store.meta("assignment") or {}).get("lead")
    primary = primary_method or fallback_method or "matching"
    dropped = frozenset({"MISC"}) if drop_misc else frozenset()
    for record in store.sentences():
        reviewed = record.id in done
        if mode == "reviewed" and not reviewed:
            continue
        owners = done_by_owner.get(record.id, {})
        team = resolved_spans(store, record, lead, primary, owners, by_owner.get(record.id, {})) if owners else None
        rule = ""
        if team is not None:
            resolution, provenance = team
            proposals = {(p.span.start, p.span.end, p.span.label): p for p in record.proposals()}
            rule = resolution.rule
            kept = []
            for span in resolution.spans:
                if span.label in dropped:
                    continue
                key = (span.start, span.end, span.label)
                decision = provenance.get(key)
                how = decision.action if decision is not None and rule != "primary" else "auto"
                kept.append((span, how, proposals.get(key), decision if how != "auto" else None))
        else:
            mine = by_owner.get(record.id, {}).get(next(iter(owners)), {}) if len(owners) == 1 else decisions.get(record.id, {})
            kept = final_spans(record.proposals(), mine, None if reviewed else fallback_method, dropped)
        yield CleanSentence(
            record.id,
            record.target_tokens,
            tuple(CleanSpan(*row) for row in kept),
            reviewed,
            record.source_tokens,
            record.source_spans,
            rule,
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
            **({"resolution": s.rule} if s.rule else {}),
            "tokens": list(s.tokens),
            "spans": spans,
            "source_tokens": list(s.source_tokens),
            "source_spans": [{"start": x.start, "end": x.end, "label": x.label} for x in s.source_spans],
        }, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)
