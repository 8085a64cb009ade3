"""Reading and writing corpora: CoNLL, tokenised text, Pharaoh alignments.

Every reader stops at the first problem with a :class:`CorpusError` naming the file,
the line and what is wrong.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.corpus.tags import (
    TagError,
    detect_scheme_at,
    spans_to_iob2,
    split_tag,
    tags_to_spans,
)
from core.datamodel import Alignment, Sentence, SentencePair, Span
from core.errors import CorpusError

PathLike = str | os.PathLike


def unreadable(path: Path, err: OSError) -> CorpusError:
    """The one-line error for a file the system would not let us read."""
    if isinstance(err, FileNotFoundError):
        return CorpusError(path, None, "no such file")
    if isinstance(err, IsADirectoryError):
        return CorpusError(path, None, "is a directory, not a file")
    if isinstance(err, PermissionError):
        return CorpusError(path, None, "cannot be read: permission denied")
    return CorpusError(path, None, f"cannot be read: {err.strerror or err}")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise unreadable(path, err) from None


def read_lines(path: PathLike) -> list[str]:
    """The file's lines without line endings; non-UTF-8 and empty files are errors."""
    path = Path(path)
    text = _decode(path, _read_bytes(path))
    if not text.strip():
        raise CorpusError(path, None, "the file is empty")
    return _split_lines(text)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _split_lines(text: str) -> list[str]:
    """Lines end at LF, CRLF or CR only. Other Unicode line separators (U+2028, U+0085,
    form feed, ...) stay inside their line, so line numbers match a text editor's and a
    token holding one does not become two lines."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 text (a byte order mark is dropped); bad bytes are an error naming their line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CorpusError(path, 1, "the file is UTF-16; save it as UTF-8")
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    nul = body.find(b"\x00")
    if nul >= 0:
        line = len(_LINE_BREAK.split(body[:nul].decode("utf-8", errors="replace")))
        raise CorpusError(path, line, "holds a NUL byte: this is a binary file, not text")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        line = len(_LINE_BREAK.split(body[: err.start].decode("utf-8")))
        raise CorpusError(
            path, line, f"not valid UTF-8 (byte 0x{body[err.start]:02x}); save the file as UTF-8"
        ) from None


def _columns(line: str) -> list[str]:
    return line.split("\t") if "\t" in line else line.split()


# CoNLL-U style "# key = value" lines (# sent_id = 3, # text = ...) are comments anywhere.
_KEY_VALUE_COMMENT = re.compile(r"#\s+[\w.:-]+\s+=(\s|$)")


def _is_comment(line: str, n_columns: int | None, in_sentence: bool) -> bool:
    """Whether a non-blank line is a comment rather than a token line.

    ``n_columns`` is the column count of the file's token lines (None when unknown);
    ``in_sentence`` is True after the current sentence's first token line.

    - ``-DOCSTART-`` lines and ``# key = value`` lines are comments anywhere;
    - in a file with a tag column, a ``#`` line is a token when it has the token lines'
      column count and ends in a valid tag (``#MeToo<TAB>B-MISC``, ``#<TAB>O``), and a
      comment otherwise (``# a note``, ``#note``);
    - in a tokens-only file, a one-column ``#`` line is a token (``#MeToo``), except ``#``
      alone before a sentence's first token; a line of more columns (``# a note``)
      cannot be a token there and is a comment.
    """
    if line.startswith("-DOCSTART-"):
        return True
    if not line.startswith("#"):
        return False
    if _KEY_VALUE_COMMENT.match(line):
        return True
    columns = _columns(line)
    if n_columns is None:  # every token line of the file starts with "#"
        return line.strip() == "#" or line[1:2].isspace()
    if n_columns > 1:
        return not (len(columns) == n_columns and _is_tag(columns[-1]))
    if len(columns) != 1:
        return True
    return line.strip() == "#" and not in_sentence


def _token_columns(lines: Sequence[str]) -> int | None:
    """Columns of the first line that is surely a token line (not blank, ``#`` or ``-DOCSTART-``)."""
    for line in lines:
        if line.strip() and not line.startswith(("#", "-DOCSTART-")):
            return len(_columns(line))
    return None


@dataclass(frozen=True)
class TaggedSentence:
    """A CoNLL sentence as written: tokens, their tags (empty in a tokens-only file) and
    the line number of each token."""

    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    lines: tuple[int, ...]


def read_tagged(path: PathLike, require_tags: bool = True) -> list[TaggedSentence]:
    """The sentences of a CoNLL file with their tags as written.

    Each tag is checked on its own (``O`` or ``B-``/``I-``/``E-``/``S-`` and a label);
    the sequence is not: :func:`read_conll` reads it into spans.
    """
    lines = read_lines(path)
    return list(tagged_sentences(path, enumerate(lines, start=1), _token_columns(lines), require_tags))


def tagged_sentences(
    path: PathLike, numbered_lines: Iterable[tuple[int, str]], n_columns: int | None, require_tags: bool = True
) -> Iterator[TaggedSentence]:
    """The CoNLL sentences of ``(line number, line)`` pairs, one at a time, every line checked
    (``n_columns``: the file's token columns, None to take the first token line's). Shared by
    :func:`read_tagged` and the streamed reader, so both accept and refuse the same files."""
    tokens: list[str] = []
    tags: list[str] = []
    numbers: list[int] = []
    found = False
    valid_tags: set[str] = set()  # tags already checked (a corpus repeats a few tags)
    for number, line in numbered_lines:
        if not line.strip():
            if tokens:
                found = True
                yield TaggedSentence(tuple(tokens), tuple(tags), tuple(numbers))
                tokens, tags, numbers = [], [], []
            continue
        if line[0] in "#-" and _is_comment(line, n_columns, bool(tokens)):
            continue
        columns = line.split("\t") if "\t" in line else line.split()
        if n_columns is None:
            n_columns = len(columns)
        if require_tags and n_columns < 2:
            raise CorpusError(path, number, "expected a token and a tag separated by a tab, found one column")
        if len(columns) != n_columns:
            raise CorpusError(
                path, number, f"expected {n_columns} columns like the first token line, found {len(columns)}: {line!r}"
            )
        tokens.append(columns[0])
        numbers.append(number)
        if n_columns > 1:
            tag = columns[-1]
            if tag not in valid_tags:
                try:
                    split_tag(tag)
                except TagError as err:
                    raise CorpusError(path, number, str(err)) from None
                valid_tags.add(tag)
            tags.append(tag)
    if tokens:
        found = True
        yield TaggedSentence(tuple(tokens), tuple(tags), tuple(numbers))
    if not found:
        raise CorpusError(path, None, "no sentences found")


def read_conll(path: PathLike, scheme: str = "auto", require_tags: bool = True) -> list[Sentence]:
    """Sentences of a CoNLL file (token first column, tag last column).

    IOB1, IOB2, BIOES (IOBES) and BILUO are recognised (``scheme="auto"``, see
    :func:`~core.corpus.tags.detect_scheme`; IOE1 only when named) and turned into spans;
    an ``I-`` that continues no entity in an IOB2 file, or tags of two schemes in one file,
    are errors naming the line. ``-DOCSTART-`` and comment lines are skipped (see
    :func:`_is_comment`). With ``require_tags=False`` a one-column file (tokens only) is
    accepted too.
    """
    tagged = read_tagged(path, require_tags)
    if not tagged[0].tags:
        return [Sentence(s.tokens) for s in tagged]
    return [Sentence(s.tokens, tuple(spans)) for s, spans in zip(tagged, tagged_spans(path, tagged, scheme))]


def tagged_spans(path: PathLike, tagged: Sequence[TaggedSentence], scheme: str = "auto") -> list[list[Span]]:
    """Each sentence's tags read as spans in ``scheme`` (``auto``: detected over the whole
    file); a tag the scheme does not allow is a :class:`CorpusError` naming its line and,
    for a detected BIOES or BILUO, the line that decided the scheme."""
    evidence, evidence_line = "", None
    if scheme == "auto":
        tags = [tag for s in tagged for tag in s.tags]
        scheme, first = detect_scheme_at(tags)
        if first is not None and scheme in {"BIOES", "BILUO"}:
            evidence_line = [line for s in tagged for line in s.lines][first]
            evidence = f"; the file is read as {scheme} because of {tags[first]!r} on line {evidence_line} (one file, one scheme)"
    result = []
    for sentence in tagged:
        try:
            result.append(tags_to_spans(sentence.tags, scheme))
        except TagError as err:
            line = sentence.lines[err.index]
            raise CorpusError(path, line, f"{err}{evidence if line != evidence_line else ''}") from None
    return result


def read_text(path: PathLike) -> list[Sentence]:
    """Tokenised text: one sentence a line, tokens separated by white space."""
    result = []
    for number, line in enumerate(read_lines(path), start=1):
        tokens = line.split()
        if not tokens:
            raise CorpusError(path, number, "empty line: tokenised text needs one sentence on every line")
        result.append(Sentence(tuple(tokens)))
    return result


def looks_like_conll(path: PathLike) -> bool:
    """True for CoNLL: tab-separated columns, or blocks between blank lines of one token
    a line or of space-separated columns ending in a tag (the CoNLL-2003 layout)."""
    lines = read_lines(path)
    if any("\t" in line for line in lines):
        return True
    non_blank = [line for line in lines if line.strip()]
    blank = len(lines) - len(non_blank)
    return blank > 0 and all(
        len(line.split()) == 1 or _is_tag(line.split()[-1]) or line.startswith(("#", "-DOCSTART-"))
        for line in non_blank
    )


def _is_tag(text: str) -> bool:
    try:
        split_tag(text)
    except TagError:
        return False
    return True


def read_sentences(path: PathLike) -> list[Sentence]:
    """CoNLL (tags optional, kept as spans when present) or tokenised text, whichever the file is."""
    if looks_like_conll(path):
        return read_conll(path, require_tags=False)
    return read_text(path)


def read_parallel(source: PathLike, target: PathLike) -> list[SentencePair]:
    """Source CoNLL with entities and its target (CoNLL with or without gold, or text)."""
    sources = read_conll(source)
    targets = read_sentences(target)
    if len(sources) != len(targets):
        raise CorpusError(
            target,
            None,
            f"has {len(targets)} sentences but {source} has {len(sources)}; sentence k of one must translate sentence k of the other",
        )
    return [SentencePair(s, t) for s, t in zip(sources, targets)]


def _umask() -> int:
    """The process's umask, read without changing it where Linux allows."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:  # elsewhere: set and restore, under a lock
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


_UMASK_LOCK = threading.Lock()


def write_file(path: PathLike, text: str) -> None:
    """Write ``text`` (UTF-8, LF line ends) to ``path`` atomically: into a temporary file
    in the same folder, then renamed over ``path``, so a crash never leaves half a file.

    Every writer of LabelBridge output (CoNLL, Pharaoh, text, JSON reports) goes through
    here. A device or pipe (``/dev/stdout``) is written directly. A new file gets the permissions the umask gives (``-rw-r--r--`` under the usual
    022); a file that is replaced keeps its own. A folder that does not exist is
    created. A problem (``path`` is a folder, no permission, disk full) raises
    :class:`CorpusError` naming ``path``.
    """
    path = Path(path)
    if path.is_dir():
        raise CorpusError(path, None, "is a folder; give a file name to write to")
    if path.exists() and not path.is_file():  # /dev/stdout, /dev/null, a named pipe: no rename
        try:
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except OSError as err:
            raise CorpusError(path, None, f"cannot be written: {err.strerror or err}") from None
        return
    if path.is_symlink():
        path = path.resolve()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise CorpusError(path, None, "cannot be written: part of its folder path is a file, not a folder") from None
    except OSError as err:
        raise CorpusError(path, None, f"cannot create its folder: {err.strerror or err}") from None
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        raise CorpusError(path, None, f"cannot be written: {err.strerror or err}") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def format_conll(sentences: Iterable[Sentence]) -> str:
    """CoNLL text, IOB2, ``token<TAB>tag``, a blank line after each sentence."""
    blocks = []
    for sentence in sentences:
        tags = spans_to_iob2(sentence.spans, len(sentence))
        blocks.append("".join(f"{token}\t{tag}\n" for token, tag in zip(sentence.tokens, tags)))
    return "\n".join(blocks) + ("\n" if blocks else "")


def write_conll(path: PathLike, sentences: Iterable[Sentence]) -> None:
    write_file(path, format_conll(sentences))


def write_text(path: PathLike, sentences: Iterable[Sentence]) -> None:
    write_file(path, "".join(" ".join(s.tokens) + "\n" for s in sentences))


def read_pharaoh(path: PathLike, pairs: Sequence[SentencePair] | None = None) -> list[Alignment]:
    """Alignments, one sentence pair a line of ``i-j`` links (0-based, source first).

    A link may carry a weight in ``(0, 1]`` as ``i-j:0.4`` (LabelBridge writes the
    weights of voted eflomal links so); plain Pharaoh links weigh 1. With ``pairs``
    the line count and every index are checked against the corpus. An empty line is a
    sentence pair with no links.
    """
    path = Path(path)
    lines = _split_lines(_decode(path, _read_bytes(path)))
    if pairs is not None and len(lines) != len(pairs):
        raise CorpusError(path, None, f"has {len(lines)} lines but the corpus has {len(pairs)} sentence pairs")
    return [
        parse_pharaoh_line(path, number, line, pairs[number - 1] if pairs is not None else None)
        for number, line in enumerate(lines, start=1)
    ]


def parse_pharaoh_line(path: PathLike, number: int, line: str, pair: SentencePair | None = None) -> Alignment:
    """One line of a Pharaoh file (line ``number`` of ``path``, for messages), checked against
    ``pair`` when given: what :func:`read_pharaoh` and the streamed reader both call."""
    links = []
    weights = {}
    for item in line.split():
        link, colon, weight = item.partition(":")
        left, sep, right = link.partition("-")
        if not sep or not (left.isascii() and left.isdigit() and right.isascii() and right.isdigit()):
            raise CorpusError(path, number, f"{item!r} is not a link; expected source-target indices like 3-4")
        links.append((int(left), int(right)))
        if colon:
            try:
                value = float(weight)
            except ValueError:
                value = -1.0
            if not 0 < value <= 1:
                raise CorpusError(path, number, f"{item!r} has weight {weight!r}; a weight is a number in (0, 1]")
            weights[(int(left), int(right))] = value
    if pair is not None:
        for i, j in links:
            if i >= len(pair.source) or j >= len(pair.target):
                raise CorpusError(
                    path,
                    number,
                    f"link {i}-{j} is outside the sentence pair ({len(pair.source)} source and {len(pair.target)} target tokens)",
                )
    return Alignment.from_pairs(links, weights)


def write_pharaoh(path: PathLike, alignments: Iterable[Alignment], weights: bool = True) -> None:
    """One line of links per pair; ``weights=False`` writes plain Pharaoh for other tools."""
    write_file(path, "".join(alignment.to_pharaoh(weights) + "\n" for alignment in alignments))
