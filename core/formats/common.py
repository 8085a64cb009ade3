"""Shared by the format converters: tokens <-> character offsets, label checks, safe output.

>>> text, offsets = join_tokens(["Málaga", ",", "España"])
>>> text, offsets
('Málaga , España', [(0, 6), (7, 8), (9, 15)])
>>> char_span_to_tokens(offsets, 9, 15)
(2, 3)
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from core.datamodel import Sentence, Span
from core.errors import CorpusError

Offsets = list[tuple[int, int]]


def jsonl_records(path: Path) -> Iterator[tuple[int, int, object]]:
    """``(line number, record number, value)`` of each non-blank line of a JSONL file. A line
    that is not JSON, a missing file, bad UTF-8 and an empty file are one-line errors."""
    record = 0
    try:
        with open(path, "rb") as handle:  # decoded line by line, so a bad byte is on its own line
            for number, raw in enumerate(handle, start=1):
                try:
                    line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
                except UnicodeDecodeError:
                    raise CorpusError(path, number, "not valid UTF-8; save the file as UTF-8") from None
                if not line.strip():
                    continue
                record += 1
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as err:
                    raise CorpusError(
                        path, number, f"record {record} is not valid JSON ({err.msg}, column {err.colno})"
                    ) from None
                yield number, record, value
    except (FileNotFoundError, IsADirectoryError):
        raise CorpusError(path, None, "no such file") from None
    if not record:
        raise CorpusError(path, None, "the file is empty")


class RecordError(ValueError):
    """A problem inside one record (task, line); the reader adds the file and record number."""


@dataclass(frozen=True)
class Imported:
    """Sentences read from an annotation tool's file, and the records (1-based) that held no
    usable annotation: ``skipped`` were left out, ``unannotated`` were kept without spans."""

    sentences: tuple[Sentence, ...]
    skipped: tuple[int, ...] = ()
    unannotated: tuple[int, ...] = ()


def join_tokens(tokens: Sequence[str]) -> tuple[str, Offsets]:
    """The tokens joined by single spaces, and each token's ``(start, end)`` in that text."""
    offsets: Offsets = []
    position = 0
    for token in tokens:
        offsets.append((position, position + len(token)))
        position += len(token) + 1
    return " ".join(tokens), offsets


def locate_tokens(text: str, tokens: Sequence[str]) -> Offsets | None:
    """Where ``tokens`` lie in ``text``, in order, with only white space around them;
    ``None`` when they do not spell the text."""
    offsets: Offsets = []
    position = 0
    for token in tokens:
        if not isinstance(token, str) or not token:
            return None
        start = position
        while start < len(text) and text[start].isspace() and not text.startswith(token, start):
            start += 1
        if not text.startswith(token, start):
            return None
        offsets.append((start, start + len(token)))
        position = start + len(token)
    return offsets if not text[position:].strip() else None


@functools.lru_cache(maxsize=8)
def _tokenizer(lang: str):
    import spacy

    try:
        return spacy.blank(lang).tokenizer
    except Exception:  # a language spaCy has no rules for: its multilingual rules
        return spacy.blank("xx").tokenizer


def tokenize(text: str, lang: str = "xx") -> tuple[list[str], Offsets]:
    """Tokens of raw text by spaCy's rules for ``lang`` (no download), white space dropped.

    >>> tokenize("Vive en São Paulo (Brasil).")[0]
    ['Vive', 'en', 'São', 'Paulo', '(', 'Brasil', ')', '.']
    """
    tokens: list[str] = []
    offsets: Offsets = []
    for token in _tokenizer(lang)(text):
        if not token.is_space and token.text.strip():
            tokens.append(token.text)
            offsets.append((token.idx, token.idx + len(token.text)))
    return tokens, offsets


def char_span_to_tokens(offsets: Offsets, start: int, end: int, text: str | None = None) -> tuple[int, int] | None:
    """The half-open token range whose characters are exactly ``[start, end)``, or ``None``
    when the span does not start and end on token boundaries. With ``text``, white space
    at the span's edges is ignored (annotation tools often select a trailing space)."""
    if text is not None:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
    first = next((k for k, (s, _) in enumerate(offsets) if s == start), None)
    last = next((k for k, (_, e) in enumerate(offsets) if e == end), None)
    if first is None or last is None or last < first:
        return None
    return first, last + 1


def short(value: object, limit: int = 40) -> str:
    """``repr(value)``, cut to ``limit`` characters, for messages that quote a file."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def label_problem(label: object, allowed: frozenset[str] | None) -> str | None:
    """Why ``label`` cannot be an entity label here, or ``None`` when it can."""
    if not isinstance(label, str) or not label.strip():
        return f"label {short(label)} is not a name"
    if label != label.strip() or any(ch.isspace() for ch in label):
        return f"label {short(label)} contains white space"
    if label == "O" or label[:2] in ("B-", "I-", "E-", "S-"):
        return f"label {short(label)} is a tag, not an entity type; give the type alone, e.g. PER"
    if allowed is not None and label not in allowed:
        return f"unknown label {short(label)}; expected one of {', '.join(sorted(allowed))}"
    return None


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def publish(tmp: str | os.PathLike, path: str | os.PathLike) -> None:
    """Give a finished temporary file or folder the usual permissions and rename it to ``path``
    (temporary files are created private)."""
    os.chmod(tmp, (0o777 if Path(tmp).is_dir() else 0o666) & ~_umask())
    os.replace(tmp, path)


@contextlib.contextmanager
def atomic_text(path: str | os.PathLike) -> Iterator[IO[str]]:
    """A text file written sentence by sentence into a temporary file, renamed over
    ``path`` only when complete: a failure never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
        publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_span(spans: list[Span], span: Span, tokens: Sequence[str]) -> None:
    """Append ``span`` unless it is already there; an overlap with another span is an error
    (IOB2 cannot hold nested or crossing entities)."""
    for other in spans:
        if other.overlaps(span) and other != span:
            raise RecordError(
                f"{short(' '.join(tokens[span.start : span.end]))} ({span.label}) overlaps "
                f"{short(' '.join(tokens[other.start : other.end]))} ({other.label}); CoNLL cannot hold overlapping entities"
            )
    if span not in spans:
        spans.append(span)
