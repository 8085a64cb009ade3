"""Reading corpora a sentence at a time, for corpora too large to hold as Python objects.

The readers here give exactly what :mod:`core.corpus.io` gives (the same sentences, spans,
alignments and the same errors naming file and line) but read the file as a stream: a
file costs a pass over its lines, never its whole text in memory. Where
:mod:`core.corpus.io` looks at the whole file first (which line is the first token line,
which tag scheme the file uses, CoNLL or text), :func:`scan` makes that pass and keeps
only the answer.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.corpus.io import (
    _LINE_BREAK,
    PathLike,
    TaggedSentence,
    _columns,
    _is_tag,
    tagged_sentences,
    unreadable,
)
from core.corpus.tags import TagError, split_tag, tags_to_spans
from core.datamodel import Alignment, Sentence, SentencePair
from core.errors import CorpusError

_CR = re.compile(rb"\r")


def _open(path: Path):
    try:
        return open(path, "rb")
    except OSError as err:
        raise unreadable(path, err) from None


_BLOCK = 1 << 20  # bytes read at a time


def _blocks(handle) -> Iterator[bytes]:
    """The file in pieces of about ``_BLOCK`` bytes, each ending just after a line feed
    (the last one at the end of the file), so no line or character is cut."""
    parts: list[bytes] = []
    while data := handle.read(_BLOCK):
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            parts.append(data)
            continue
        yield b"".join(parts) + data[:cut]
        parts = [data[cut:]]
    if any(parts):
        yield b"".join(parts)


def iter_lines(path: PathLike, allow_empty: bool = False) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of a UTF-8 file, lines ending at LF, CRLF or CR as in
    :func:`core.corpus.io.read_lines`; UTF-16, NUL bytes, bad UTF-8 and (unless
    ``allow_empty``) a file of only white space are errors naming the line.

    The file is read and decoded a block at a time; a block holding a NUL byte or bad
    UTF-8 is read line by line, so the lines before the bad one are still given first."""
    path = Path(path)
    number = 0
    seen_text = False
    with _open(path) as handle:
        first = True
        try:
            for block in _blocks(handle):
                if first:
                    if block.startswith((b"\xff\xfe", b"\xfe\xff")):
                        raise CorpusError(path, 1, "the file is UTF-16; save it as UTF-8")
                    if block.startswith(b"\xef\xbb\xbf"):
                        block = block[3:]
                    first = False
                text = None
                if b"\x00" not in block:
                    try:
                        text = block.decode("utf-8")
                    except UnicodeDecodeError:
                        pass
                if text is None:  # _checked_lines raises at the bad line
                    for checked in _checked_lines(path, block, number):
                        number = checked[0]
                        seen_text = seen_text or bool(checked[1].strip())
                        yield checked
                    continue
                lines = _LINE_BREAK.split(text) if "\r" in text else text.split("\n")
                if lines[-1] == "":
                    lines.pop()
                if not seen_text and text.strip():
                    seen_text = True
                yield from zip(itertools.count(number + 1), lines)
                number += len(lines)
        except OSError as err:
            raise CorpusError(path, None, f"cannot be read: {err.strerror or err}") from None
    if not seen_text and not allow_empty:
        raise CorpusError(path, None, "the file is empty")


def _checked_lines(path: Path, block: bytes, number: int) -> Iterator[tuple[int, str]]:
    """A block's lines one at a time, each checked for NUL bytes and bad UTF-8 (the error
    names the line); numbering continues from ``number``."""
    for raw in block.split(b"\n")[: -1 if block.endswith(b"\n") else None]:
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        for piece in _CR.split(raw) if b"\r" in raw else (raw,):
            number += 1
            if b"\x00" in piece:
                raise CorpusError(path, number, "holds a NUL byte: this is a binary file, not text")
            try:
                line = piece.decode("utf-8")
            except UnicodeDecodeError as err:
                raise CorpusError(
                    path, number, f"not valid UTF-8 (byte 0x{piece[err.start]:02x}); save the file as UTF-8"
                ) from None
            yield number, line


@dataclass(frozen=True)
class FileShape:
    """What a whole-file look tells about a corpus file: its layout and size."""

    path: Path
    conll: bool  # False: tokenised text, one sentence a line
    n_columns: int | None  # CoNLL: columns of the first sure token line
    scheme: str | None  # CoNLL with tags: IOB1, IOB2, BIOES or BILUO
    sentences: int
    has_spans: bool = False
    evidence: str = ""  # for a detected BIOES or BILUO: the line that decided it, for messages


class _SchemeGuess:
    """:func:`core.corpus.tags.detect_scheme_at`, fed one tag at a time (with its line)."""

    def __init__(self) -> None:
        self.first: dict[str, tuple[str, int]] = {}  # scheme -> (the first tag that points at it, its line)
        self.previous = ("O", "")
        self.entities = False

    def add(self, tag: str, line: int = 0) -> None:
        if tag == "O":
            self.previous = ("O", "")
            return
        prefix, label = split_tag(tag)
        if prefix != "O":
            self.entities = True  # every tag but O makes (part of) a span, or is an error
        if prefix in {"L", "U"}:
            self.first.setdefault("BILUO", (tag, line))
        elif prefix in {"E", "S"}:
            self.first.setdefault("BIOES", (tag, line))
        continues = self.previous[0] != "O" and self.previous[1] == label
        if prefix == "B" and not continues:
            self.first.setdefault("IOB2", (tag, line))
        if prefix == "I" and not continues:
            self.first.setdefault("IOB1", (tag, line))
        self.previous = (prefix, label)

    @property
    def scheme(self) -> str:
        for scheme in ("BILUO", "BIOES", "IOB2", "IOB1"):
            if scheme in self.first:
                return scheme
        return "IOB2"

    def evidence(self) -> str:
        """For a detected BIOES or BILUO, the line that decided it (as the whole-file reader says)."""
        scheme = self.scheme
        if scheme not in {"BIOES", "BILUO"}:
            return ""
        tag, line = self.first[scheme]
        return f"; the file is read as {scheme} because of {tag!r} on line {line} (one file, one scheme)"


def _first_token_columns(path: Path) -> int | None:
    for _, line in iter_lines(path):
        if line.strip() and not line.startswith(("#", "-DOCSTART-")):
            return len(_columns(line))
    return None


def _looks_like_conll(path: Path) -> bool:
    """:func:`core.corpus.io.looks_like_conll` in one streamed pass."""
    blank, all_fit = 0, True
    for _, line in iter_lines(path):
        if "\t" in line:
            return True
        if not line.strip():
            blank += 1
        elif all_fit:
            columns = line.split()
            all_fit = len(columns) == 1 or _is_tag(columns[-1]) or line.startswith(("#", "-DOCSTART-"))
    return blank > 0 and all_fit


def iter_tagged(path: PathLike, n_columns: int | None, require_tags: bool = True) -> Iterator[TaggedSentence]:
    """:func:`core.corpus.io.read_tagged`, a sentence at a time (``n_columns`` from :func:`scan`)."""
    return tagged_sentences(Path(path), iter_lines(path), n_columns, require_tags)


def _text_sentences(path: Path) -> Iterator[Sentence]:
    for number, line in iter_lines(path):
        tokens = line.split()
        if not tokens:
            raise CorpusError(path, number, "empty line: tokenised text needs one sentence on every line")
        yield Sentence(tuple(tokens))


def scan(path: PathLike, tagged: bool) -> FileShape:
    """Read the whole file once, checking every line and tag as :func:`core.corpus.io.read_conll`
    (``tagged``: a source with entities) or :func:`core.corpus.io.read_sentences` would,
    and keep only its shape. Raises the same :class:`CorpusError` they raise, except for
    a tag sequence that makes no span (an ``I-`` that continues nothing in IOB2): the scheme
    is known only at the end of this pass, so :func:`iter_sentences` raises that one."""
    path = Path(path)
    conll = True if tagged else _looks_like_conll(path)
    if not conll:
        return FileShape(path, False, None, None, sum(1 for _ in _text_sentences(path)))
    n_columns = _first_token_columns(path)
    guess, count, has_tags = _SchemeGuess(), 0, False
    for sentence in iter_tagged(path, n_columns, require_tags=tagged):
        count += 1
        if sentence.tags:
            has_tags = True
            for tag, line in zip(sentence.tags, sentence.lines):
                guess.add(tag, line)
    scheme = guess.scheme if has_tags else None
    return FileShape(path, True, n_columns, scheme, count, guess.entities, guess.evidence())


def iter_sentences(shape: FileShape) -> Iterator[Sentence]:
    """The file's sentences, as :func:`core.corpus.io.read_conll` / ``read_sentences`` reads them."""
    if not shape.conll:
        yield from _text_sentences(shape.path)
        return
    for sentence in iter_tagged(shape.path, shape.n_columns, require_tags=False):
        if shape.scheme is None:
            yield Sentence(sentence.tokens)
            continue
        if sentence.tags.count("O") == len(sentence.tags):
            yield Sentence(sentence.tokens)
            continue
        try:
            spans = tags_to_spans(sentence.tags, shape.scheme)
        except TagError as err:
            line = sentence.lines[err.index]
            evidence = shape.evidence if f"on line {line} " not in shape.evidence else ""
            raise CorpusError(shape.path, line, f"{err}{evidence}") from None
        yield Sentence(sentence.tokens, tuple(spans))


def check_spans(shape: FileShape) -> None:
    """Read every sentence's spans (raising the first tag sequence that makes none), keeping nothing."""
    for _ in iter_sentences(shape):
        pass


def scan_parallel(source: PathLike, target: PathLike) -> tuple[FileShape, FileShape]:
    """Check a source CoNLL and its target as :func:`core.corpus.io.read_parallel` does, the
    spans aside (:func:`scan`); an error is the one read_parallel would meet first."""
    source_shape = scan(source, tagged=True)
    try:
        target_shape = scan(target, tagged=False)
    except CorpusError:
        check_spans(source_shape)  # the whole-file reader reads the source's spans first
        raise
    if source_shape.sentences != target_shape.sentences:
        check_spans(source_shape)
        check_spans(target_shape)
        raise CorpusError(
            target,
            None,
            f"has {target_shape.sentences} sentences but {source} has {source_shape.sentences}; "
            "sentence k of one must translate sentence k of the other",
        )
    return source_shape, target_shape


def iter_pairs(source: FileShape, target: FileShape) -> Iterator[SentencePair]:
    for s, t in zip(iter_sentences(source), iter_sentences(target)):
        yield SentencePair(s, t)


def iter_pharaoh(path: PathLike) -> Iterator[tuple[int, str]]:
    """The lines of a Pharaoh file (an empty file is zero pairs, as in ``read_pharaoh``)."""
    return iter_lines(path, allow_empty=True)


def count_lines(path: PathLike) -> int:
    return sum(1 for _ in iter_pharaoh(path))


def alignment_line(alignment: Alignment) -> str:
    """An alignment as a Pharaoh line whose weights read back exactly (``repr``), for
    files only LabelBridge reads again."""
    table = dict(alignment.weights)
    return " ".join(f"{i}-{j}:{table[(i, j)]!r}" if (i, j) in table else f"{i}-{j}" for i, j in sorted(alignment.links))
