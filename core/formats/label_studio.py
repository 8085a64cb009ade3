"""Label Studio JSON (the "Named Entity Recognition" template): a list of tasks, each with
``data.text`` and ``annotations[].result[]`` items of type ``labels`` whose ``value`` has
character offsets ``start``/``end`` (``end`` exclusive, counted in code points), the
``text`` they cover and one label in ``labels``.

Exported tasks also carry ``data.tokens`` (Label Studio keeps extra data fields), so a file
that comes back is read with exactly the tokens it left with. Tasks without tokens are
tokenised with spaCy's rules for the language; a span that does not start and end on a
token boundary is an error, never silently widened.

>>> from core.datamodel import Sentence, Span
>>> task = to_task(1, Sentence(("Visitó", "Málaga", "."), (Span(1, 2, "LOC"),)))
>>> task["data"]["text"], task["annotations"][0]["result"][0]["value"]
('Visitó Málaga .', {'start': 7, 'end': 13, 'text': 'Málaga', 'labels': ['LOC']})
>>> from_task({"data": {"text": "Visitó Málaga."}, "annotations": [{"result": [
...     {"type": "labels", "value": {"start": 7, "end": 13, "labels": ["LOC"]}}]}]}).spans
(Span(start=1, end=2, label='LOC', score=None),)
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from core.datamodel import Sentence, Span
from core.errors import CorpusError
from core.formats.common import (
    Imported,
    RecordError,
    add_span,
    atomic_text,
    char_span_to_tokens,
    join_tokens,
    label_problem,
    locate_tokens,
    short,
    tokenize,
)


def to_task(task_id: int, sentence: Sentence) -> dict[str, Any]:
    """One Label Studio task with the sentence's spans as a completed annotation."""
    text, offsets = join_tokens(sentence.tokens)
    result = []
    for k, span in enumerate(sentence.spans):
        start, end = offsets[span.start][0], offsets[span.end - 1][1]
        result.append(
            {
                "id": f"{task_id}-{k}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {"start": start, "end": end, "text": text[start:end], "labels": [span.label]},
            }
        )
    return {"id": task_id, "data": {"text": text, "tokens": list(sentence.tokens)}, "annotations": [{"result": result}]}


def write_label_studio(path: str | os.PathLike, sentences: Iterable[Sentence]) -> int:
    """A JSON list of tasks, written one task at a time; returns how many."""
    count = 0
    with atomic_text(path) as out:
        out.write("[")
        for count, sentence in enumerate(sentences, start=1):
            out.write(("\n" if count == 1 else ",\n") + json.dumps(to_task(count, sentence), ensure_ascii=False))
        out.write("\n]\n")
    return count


def _tokens(data: dict, lang: str) -> tuple[str, tuple[str, ...], list[tuple[int, int]]]:
    text = data.get("text")
    if not isinstance(text, str):
        raise RecordError("has no data.text string")
    given = data.get("tokens")
    if given is not None:
        offsets = locate_tokens(text, given) if isinstance(given, list) else None
        if offsets is None:
            raise RecordError("data.tokens do not spell data.text (tokens in order, separated only by white space)")
        return text, tuple(given), offsets
    tokens, offsets = tokenize(text, lang)
    return text, tuple(tokens), offsets


def _result_span(item: dict, text: str, tokens: tuple[str, ...], offsets, allowed: frozenset[str] | None) -> Span:
    value = item.get("value")
    if not isinstance(value, dict):
        raise RecordError("has no value object")
    start, end, labels = value.get("start"), value.get("end"), value.get("labels")
    if not (type(start) is int and type(end) is int and 0 <= start < end <= len(text)):
        raise RecordError(
            f"has offsets {short(start)}-{short(end)}; expected whole numbers with 0 <= start < end <= {len(text)} (the text's length)"
        )
    if "text" in value and value["text"] != text[start:end]:
        raise RecordError(
            f"characters {start}-{end} are {short(text[start:end])} but the result's text is {short(value['text'])}; the offsets are wrong"
        )
    if not isinstance(labels, list) or len(labels) != 1:
        raise RecordError(f"has labels {short(labels)}; a span needs exactly one label")
    problem = label_problem(labels[0], allowed)
    if problem:
        raise RecordError(problem)
    found = char_span_to_tokens(offsets, start, end, text)
    if found is None:
        near = [t for t, (s, e) in zip(tokens, offsets) if s < end and start < e]
        raise RecordError(
            f"characters {start}-{end} ({short(text[start:end])}) do not start and end on token boundaries"
            f" (the tokens there: {short(' '.join(near))})"
        )
    return Span(found[0], found[1], labels[0])


def _spans(result: list, text: str, tokens, offsets, allowed) -> tuple[Span, ...]:
    spans: list[Span] = []
    for j, item in enumerate(result, start=1):
        if not isinstance(item, dict) or item.get("type") != "labels":
            continue  # relations, choices, text areas: not entity spans
        try:
            add_span(spans, _result_span(item, text, tokens, offsets, allowed), tokens)
        except RecordError as err:
            raise RecordError(f"result {j}: {err}") from None
    return tuple(spans)


def from_task(task: Any, lang: str = "xx", allowed: frozenset[str] | None = None) -> Sentence | None:
    """The sentence of one task, spans from its first annotation that was not cancelled;
    ``None`` when it has no such annotation. Problems raise :class:`RecordError`."""
    if not isinstance(task, dict):
        raise RecordError("is not a JSON object")
    data = task.get("data")
    if not isinstance(data, dict):
        raise RecordError("has no data object")
    text, tokens, offsets = _tokens(data, lang)
    if not tokens:
        raise RecordError("has an empty data.text")
    annotations = task.get("annotations") or []
    if not isinstance(annotations, list):
        raise RecordError("annotations is not a list")
    chosen = next((a for a in annotations if isinstance(a, dict) and not a.get("was_cancelled")), None)
    if chosen is None:
        return None
    result = chosen.get("result", [])
    if not isinstance(result, list):
        raise RecordError("annotation result is not a list")
    return Sentence(tokens, _spans(result, text, tokens, offsets, allowed))


def read_label_studio(path: str | os.PathLike, lang: str = "xx", labels: Iterable[str] | None = None) -> Imported:
    """Sentences of a Label Studio JSON export, one a task, in file order. Tasks without an
    annotation are kept with no spans and listed in ``unannotated``. ``labels`` limits the
    labels accepted; another label is an error."""
    path = Path(path)
    allowed = frozenset(labels) if labels is not None else None
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise CorpusError(path, None, "no such file") from None
    try:
        tasks = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise CorpusError(path, None, "not valid UTF-8; save the file as UTF-8") from None
    except json.JSONDecodeError as err:
        raise CorpusError(path, err.lineno, f"not valid JSON ({err.msg}, column {err.colno})") from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise CorpusError(path, None, "expected a JSON list of Label Studio tasks")
    if not tasks:
        raise CorpusError(path, None, "holds no tasks")
    sentences, unannotated = [], []
    for k, task in enumerate(tasks, start=1):
        try:
            sentence = from_task(task, lang, allowed)
        except RecordError as err:
            name = f"task {k}" + (f" (id {short(task['id'], 20)})" if isinstance(task, dict) and "id" in task else "")
            raise CorpusError(path, None, f"{name}: {err}") from None
        if sentence is None:
            unannotated.append(k)
            _, tokens, _ = _tokens(task["data"], lang)
            sentence = Sentence(tokens)
        sentences.append(sentence)
    return Imported(tuple(sentences), unannotated=tuple(unannotated))
