"""Exporting the cleaned target corpus: CoNLL IOB2, and JSONL with provenance.

``reviewed`` exports only the sentences a reviewer marked done; ``all`` exports every
sentence, using ``fallback_method``'s projection for spans nobody decided.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator

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
    chunk: int = 256,
) -> Iterator[CleanSentence]:
    """The cleaned sentences in corpus order, read from the store ``chunk`` sentences (and their
    decisions) at a time: memory does not grow with the project."""
    if mode not in MODES:
        raise ValueError(f"unknown export mode {mode!r}; choose one of {', '.join(MODES)}")
    dropped = frozenset({"MISC"}) if drop_misc else frozenset()
    batch: list = []

    def cleaned(records: list) -> Iterator[CleanSentence]:
        decisions = store.decisions_between(records[0].id, records[-1].id)
        done = set(store.done_between(records[0].id, records[-1].id))
        for record in records:
            reviewed = record.id in done
            if mode == "reviewed" and not reviewed:  # done since the ids were read: next export
                continue
            kept = final_spans(record.proposals(), decisions.get(record.id, {}), None if reviewed else fallback_method, dropped)
            yield CleanSentence(record.id, record.target_tokens, tuple(CleanSpan(*row) for row in kept), reviewed,
                                record.source_tokens, record.source_spans)

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
    return json.dumps({
        "id": s.id,
        "reviewed": s.reviewed,
        "tokens": list(s.tokens),
        "spans": spans,
        "source_tokens": list(s.source_tokens),
        "source_spans": [{"start": x.start, "end": x.end, "label": x.label} for x in s.source_spans],
    }, ensure_ascii=False) + "\n"


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
    with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
        write_export(sentences, kind, out)
    return Path(name)


def to_conll(sentences: Iterable[CleanSentence]) -> str:
    return "".join(conll_block(s) for s in sentences)


def to_jsonl(sentences: Iterable[CleanSentence]) -> str:
    """One JSON object a sentence: tokens, spans with provenance, and the source side."""
    return "".join(jsonl_line(s) for s in sentences)
