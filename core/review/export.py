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
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from core.corpus.io import format_conll
from core.datamodel import Sentence, Span
from core.review.model import Decision, Proposal, final_spans
from core.review.store import ReviewStore

MODES = ("reviewed", "all")
# Above this many sentences the Export page writes its files into the project's folder instead of
# offering them as a download: Streamlit holds a download's whole file in the server's memory
# (``st.download_button`` reads even a callable's file-like result into bytes, and its media
# store keeps them), about 15 MB of JSONL for 20,000 Europarl sentences, 77 MB for 100,000.
DOWNLOAD_MAX_SENTENCES = 20_000
EXPORTS_FOLDER = "exports"  # inside the project's folder


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
    chunk: int = 256,
) -> Iterator[CleanSentence]:
    """The cleaned sentences in corpus order, read from the store ``chunk`` sentences (and their
    decisions) at a time: memory does not grow with the project. ``lead`` (default: the lead who
    made the assignment) and ``primary_method`` (default: ``fallback_method``, else matching)
    decide team sentences that neither an adjudication nor a majority settles."""
    from core.review.team import resolved_spans  # team builds on this module's store helpers

    if mode not in MODES:
        raise ValueError(f"unknown export mode {mode!r}; choose one of {', '.join(MODES)}")
    dropped = frozenset({"MISC"}) if drop_misc else frozenset()
    done_by_owner = store.done_by_owner()
    lead = lead if lead is not None else (store.meta("assignment") or {}).get("lead")
    primary = primary_method or fallback_method or "matching"
    batch: list = []

    def cleaned(records: list) -> Iterator[CleanSentence]:
        decisions = store.decisions_between(records[0].id, records[-1].id)
        by_owner = store.decisions_by_owner([r.id for r in records if r.id in done_by_owner])
        done = set(store.done_between(records[0].id, records[-1].id))
        for record in records:
            reviewed = record.id in done
            if mode == "reviewed" and not reviewed:  # done since the ids were read: next export
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
                mine = (
                    by_owner.get(record.id, {}).get(next(iter(owners)), {})
                    if len(owners) == 1
                    else decisions.get(record.id, {})
                )
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

    for record in store.sentences(done_only=mode == "reviewed", chunk=chunk, links=False):
        batch.append(record)
        if len(batch) >= chunk:
            yield from cleaned(batch)
            batch = []
    if batch:
        yield from cleaned(batch)


def conll_block(sentence: CleanSentence) -> str:
    """One sentence in CoNLL, with the blank line after it."""
    return format_conll([sentence.sentence()])


def jsonl_line(s: CleanSentence) -> str:
    """One sentence as a JSON line: tokens, spans with provenance, and the source side."""
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
    return (
        json.dumps(
            {
                "id": s.id,
                "reviewed": s.reviewed,
                **({"resolution": s.rule} if s.rule else {}),
                "tokens": list(s.tokens),
                "spans": spans,
                "source_tokens": list(s.source_tokens),
                "source_spans": [{"start": x.start, "end": x.end, "label": x.label} for x in s.source_spans],
            },
            ensure_ascii=False,
        )
        + "\n"
    )


WRITERS = {"conll": conll_block, "jsonl": jsonl_line}


def write_export(sentences: Iterable[CleanSentence], kind: str, out: IO[str]) -> int:
    """Write ``sentences`` as ``kind`` (conll or jsonl) to the open text file ``out``, one
    sentence at a time; returns the number of sentences written."""
    line = WRITERS[kind]
    n = 0
    for sentence in sentences:
        out.write(line(sentence))
        n += 1
    return n


def export_file(sentences: Iterable[CleanSentence], kind: str, folder: str | Path) -> Path:
    """Stream ``sentences`` into a new file in ``folder`` (UTF-8) and return its path."""
    handle, name = tempfile.mkstemp(prefix="labelbridge-export-", suffix=f".{kind}", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            write_export(sentences, kind, out)
    except BaseException:  # no half-written file left behind
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def save_export(sentences: Iterable[CleanSentence], kind: str, dest: str | Path) -> Path:
    """Stream ``sentences`` as ``kind`` into ``dest``: written to a temporary file beside it and
    renamed into place when complete, so ``dest`` is never half written (memory does not grow
    with the corpus)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    written = export_file(sentences, kind, dest.parent)
    try:
        os.replace(written, dest)
    except BaseException:
        written.unlink(missing_ok=True)
        raise
    return dest


def to_conll(sentences: Iterable[CleanSentence]) -> str:
    return "".join(conll_block(s) for s in sentences)


def to_jsonl(sentences: Iterable[CleanSentence]) -> str:
    """One JSON object a sentence: tokens, spans with provenance, and the source side."""
    return "".join(jsonl_line(s) for s in sentences)
