"""Prodigy JSONL, as ``ner.manual`` writes and reads it: one task a line with ``text``,
``tokens`` (``text``, ``start``, ``end``, ``id``, ``ws``), ``spans`` (character ``start``/``end``,
``token_start``/``token_end`` *inclusive*, ``label``) and ``answer``.

Reading keeps accepted tasks (and tasks with no answer yet) and skips rejected or ignored
ones. A task without ``tokens`` is tokenised with spaCy's rules for the language.

>>> from core.datamodel import Sentence, Span
>>> task = to_task(Sentence(("Vive", "en", "Málaga", "."), (Span(2, 3, "LOC"),)))
>>> task["spans"]
[{'start': 8, 'end': 14, 'token_start': 2, 'token_end': 2, 'label': 'LOC'}]
>>> from_task(task).spans
(Span(start=2, end=3, label='LOC', score=None),)
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeGuard

from core.datamodel import Sentence, Span
from core.errors import CorpusError
from core.formats.common import (
    Imported,
    RecordError,
    add_span,
    atomic_text,
    char_span_to_tokens,
    join_tokens,
    jsonl_records,
    label_problem,
    short,
    tokenize,
)

KEPT_ANSWERS = ("accept", None)
SKIPPED_ANSWERS = ("reject", "ignore")


def to_task(sentence: Sentence) -> dict[str, Any]:
    """One accepted ``ner.manual`` task: the tokens joined by spaces, and the spans."""
    text, offsets = join_tokens(sentence.tokens)
    last = len(sentence.tokens) - 1
    tokens = [
        {"text": t, "start": s, "end": e, "id": k, "ws": k != last}
        for k, (t, (s, e)) in enumerate(zip(sentence.tokens, offsets))
    ]
    spans = [
        {
            "start": offsets[s.start][0],
            "end": offsets[s.end - 1][1],
            "token_start": s.start,
            "token_end": s.end - 1,
            "label": s.label,
        }
        for s in sentence.spans
    ]
    return {"text": text, "tokens": tokens, "spans": spans, "answer": "accept"}


def write_prodigy(path: str | os.PathLike, sentences: Iterable[Sentence]) -> int:
    """One task a line, written as it goes; returns how many."""
    count = 0
    with atomic_text(path) as out:
        for sentence in sentences:
            out.write(json.dumps(to_task(sentence), ensure_ascii=False) + "\n")
            count += 1
    return count


def _is_int(value: object) -> TypeGuard[int]:
    return type(value) is int


def _tokens(task: dict, lang: str) -> tuple[str, tuple[str, ...], list[tuple[int, int]]]:
    text = task.get("text")
    if not isinstance(text, str):
        raise RecordError("has no text string")
    given = task.get("tokens")
    if given is None:
        tokens, offsets = tokenize(text, lang)
        return text, tuple(tokens), offsets
    if not isinstance(given, list):
        raise RecordError("tokens is not a list")
    tokens, offsets, position = [], [], 0
    for k, token in enumerate(given):
        if not isinstance(token, dict):
            raise RecordError(f"token {k} is not an object")
        word, start, end = token.get("text"), token.get("start"), token.get("end")
        if not (isinstance(word, str) and word and _is_int(start) and _is_int(end)):
            raise RecordError(f"token {k} needs a text and whole-number start and end")
        if "id" in token and token["id"] != k:
            raise RecordError(f"token {k} has id {short(token['id'])}; ids count the tokens from 0")
        if not (position <= start < end <= len(text)) or text[start:end] != word:
            raise RecordError(
                f"token {k} ({short(word)}) is not at characters {start}-{end} of the text"
                f" (found {short(text[start:end])})"
            )
        if text[position:start].strip():
            raise RecordError(f"characters {position}-{start} ({short(text[position:start])}) lie in no token")
        tokens.append(word)
        offsets.append((start, end))
        position = end
    if text[position:].strip():
        raise RecordError(f"characters {position}-{len(text)} ({short(text[position:])}) lie in no token")
    return text, tuple(tokens), offsets


def _span(item: object, text: str, offsets, allowed: frozenset[str] | None) -> Span:
    if not isinstance(item, dict):
        raise RecordError("is not an object")
    problem = label_problem(item.get("label"), allowed)
    if problem:
        raise RecordError(problem)
    ts, te, start, end = (item.get(key) for key in ("token_start", "token_end", "start", "end"))
    if ts is not None or te is not None:
        if not (_is_int(ts) and _is_int(te) and 0 <= ts <= te < len(offsets)):
            raise RecordError(
                f"has token_start {short(ts)} and token_end {short(te)}; expected 0 <= "
                f"token_start <= token_end < {len(offsets)} (token_end is inclusive)"
            )
        if (start is not None or end is not None) and (start, end) != (offsets[ts][0], offsets[te][1]):
            raise RecordError(
                f"characters {short(start)}-{short(end)} disagree with tokens {ts}-{te}, "
                f"which are characters {offsets[ts][0]}-{offsets[te][1]}"
            )
        return Span(ts, te + 1, item["label"])
    if not (_is_int(start) and _is_int(end) and 0 <= start < end <= len(text)):
        raise RecordError(f"has offsets {short(start)}-{short(end)}; expected 0 <= start < end <= {len(text)}")
    found = char_span_to_tokens(offsets, start, end, text)
    if found is None:
        raise RecordError(
            f"characters {start}-{end} ({short(text[start:end])}) do not start and end on token boundaries"
        )
    return Span(found[0], found[1], item["label"])


def from_task(task: Any, lang: str = "xx", allowed: frozenset[str] | None = None) -> Sentence:
    """The sentence of one task; problems raise :class:`RecordError`."""
    if not isinstance(task, dict):
        raise RecordError("is not a JSON object")
    text, tokens, offsets = _tokens(task, lang)
    if not tokens:
        raise RecordError("has no tokens")
    items = task.get("spans") or []
    if not isinstance(items, list):
        raise RecordError("spans is not a list")
    spans: list[Span] = []
    for j, item in enumerate(items, start=1):
        try:
            add_span(spans, _span(item, text, offsets, allowed), tokens)
        except RecordError as err:
            raise RecordError(f"span {j}: {err}") from None
    return Sentence(tokens, tuple(spans))


def read_prodigy(path: str | os.PathLike, lang: str = "xx", labels: Iterable[str] | None = None) -> Imported:
    """Sentences of a Prodigy JSONL file, read line by line; rejected and ignored tasks are
    listed in ``skipped``. ``labels`` limits the labels accepted."""
    path = Path(path)
    allowed = frozenset(labels) if labels is not None else None
    sentences, skipped = [], []
    for number, record, task in jsonl_records(path):
        answer = task.get("answer") if isinstance(task, dict) else None
        if answer in SKIPPED_ANSWERS:
            skipped.append(record)
            continue
        try:
            if answer not in KEPT_ANSWERS:
                raise RecordError(f"has answer {short(answer)}; expected accept, reject or ignore")
            sentences.append(from_task(task, lang, allowed))
        except RecordError as err:
            raise CorpusError(path, number, f"record {record}: {err}") from None
    return Imported(tuple(sentences), skipped=tuple(skipped))
