"""Tag schemes as tables (IOB1, IOB2, IOE1, BIOES alias IOBES, BILUO) read into spans; spans written as IOB2.

Each :class:`Scheme` says which prefix letter plays which part of an entity; one reader,
:func:`tags_to_spans`, walks any of them.

>>> tags_to_spans(["B-PER", "I-PER", "O", "B-LOC"])
[Span(start=0, end=2, label='PER', score=None), Span(start=3, end=4, label='LOC', score=None)]
>>> tags_to_spans(["B-PER", "L-PER", "O", "U-LOC"], "BILUO")
[Span(start=0, end=2, label='PER', score=None), Span(start=3, end=4, label='LOC', score=None)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.datamodel import Span

BEGIN, INSIDE, LAST, UNIT = "begin", "inside", "last", "unit"


@dataclass(frozen=True)
class Scheme:
    """Which prefix letter is which part of an entity.

    ``lenient``: an inside or last tag that continues nothing starts an entity (IOB1, IOE1).
    ``closed``: every entity of two or more tokens ends with the last letter (BIOES, BILUO).
    """

    name: str
    roles: Mapping[str, str]
    lenient: bool = False
    closed: bool = False

    def letter(self, role: str) -> str:
        return next((letter for letter, r in self.roles.items() if r == role), "")

    def allowed(self) -> str:
        letters = [f"{letter}-" for letter in self.roles]
        return "O, " + ", ".join(letters[:-1]) + f" and {letters[-1]}"


IOB1 = Scheme("IOB1", {"B": BEGIN, "I": INSIDE}, lenient=True)
IOB2 = Scheme("IOB2", {"B": BEGIN, "I": INSIDE})
IOE1 = Scheme("IOE1", {"I": INSIDE, "E": LAST}, lenient=True)
BIOES = Scheme("BIOES", {"B": BEGIN, "I": INSIDE, "E": LAST, "S": UNIT}, closed=True)
BILUO = Scheme("BILUO", {"B": BEGIN, "I": INSIDE, "L": LAST, "U": UNIT}, closed=True)
SCHEME_TABLES = {"IOB1": IOB1, "IOB2": IOB2, "IOE1": IOE1, "BIOES": BIOES, "IOBES": BIOES, "BILUO": BILUO}
SCHEMES = tuple(SCHEME_TABLES)
_PREFIXES = {"B", "I", "E", "S", "L", "U"}


class TagError(ValueError):
    """A tag that is not ``O`` or ``PREFIX-LABEL``, or a sequence no scheme allows."""

    def __init__(self, index: int, message: str):
        self.index = index
        super().__init__(message)


def split_tag(tag: str, index: int = 0) -> tuple[str, str]:
    """``"B-PER"`` -> ``("B", "PER")``; ``"O"`` -> ``("O", "")``."""
    if tag == "O":
        return "O", ""
    prefix, sep, label = tag.partition("-")
    if not sep or prefix not in _PREFIXES or not label:
        raise TagError(index, f"invalid tag {tag!r}: expected O or B-/I-/E-/S-/L-/U- followed by a label")
    return prefix, label


def scheme_table(name: str) -> Scheme:
    """The :class:`Scheme` called ``name`` (``IOBES`` is ``BIOES``)."""
    if name not in SCHEME_TABLES:
        raise ValueError(f"unknown tag scheme {name!r}; choose one of {', '.join(SCHEMES)}")
    return SCHEME_TABLES[name]


def detect_scheme(tags: Sequence[str]) -> str:
    """Guess the scheme from a corpus's tags (never IOE1: name it explicitly).

    BILUO if ``L-``/``U-`` occur; BIOES if ``E-``/``S-`` occur; IOB2 if some ``B-`` starts
    an entity after ``O`` or after another label (IOB1 writes ``B-`` only between two
    entities of one label); IOB1 if an entity starts with ``I-``; IOB2 otherwise. So an
    IOB2 file with a stray ``I-`` is read as IOB2 and the stray tag reported, not
    silently re-read as IOB1.
    """
    return detect_scheme_at(tags)[0]


def detect_scheme_at(tags: Sequence[str]) -> tuple[str, int | None]:
    """:func:`detect_scheme` and the index of the first tag that decided it (None: no evidence)."""
    parsed = [split_tag(tag, k) for k, tag in enumerate(tags)]
    for scheme, letters in (("BILUO", {"L", "U"}), ("BIOES", {"E", "S"})):
        first = next((k for k, (prefix, _) in enumerate(parsed) if prefix in letters), None)
        if first is not None:
            return scheme, first
    starts_with_i = None
    previous_prefix, previous_label = "O", ""
    for k, (prefix, label) in enumerate(parsed):
        continues = previous_prefix != "O" and previous_label == label
        if prefix == "B" and not continues:
            return "IOB2", k
        if prefix == "I" and not continues and starts_with_i is None:
            starts_with_i = k
        previous_prefix, previous_label = prefix, label
    return ("IOB1", starts_with_i) if starts_with_i is not None else ("IOB2", None)


def tags_to_spans(tags: Sequence[str], scheme: str = "IOB2") -> list[Span]:
    """Read one sentence's tags into spans.

    Letters outside the scheme raise :class:`TagError`. In the strict schemes (IOB2, BIOES,
    BILUO) an inside or last tag that does not continue an entity of its label raises too;
    IOB1 and IOE1 start an entity there instead.
    """
    table = scheme_table(scheme)
    spans: list[Span] = []
    start: int | None = None
    label = ""
    for k, tag in enumerate(tags):
        prefix, tag_label = split_tag(tag, k)
        if prefix == "O":
            if start is not None:
                spans.append(Span(start, k, label))
            start = None
            continue
        role = table.roles.get(prefix)
        if role is None:
            raise TagError(k, f"tag {tag!r} at token {k + 1} is not {table.name} (only {table.allowed()})")
        continues = start is not None and tag_label == label
        if role in (INSIDE, LAST) and not continues and not table.lenient:
            raise TagError(
                k,
                f"tag {tag!r} at token {k + 1} does not continue an entity (scheme {table.name}){_start_hint(table, tag_label)}",
            )
        if role in (BEGIN, UNIT) or not continues:
            if start is not None:
                spans.append(Span(start, k, label))
            start, label = k, tag_label
        if role in (LAST, UNIT):
            spans.append(Span(k if start is None else start, k + 1, label))
            start = None
        elif table.closed and not _continued(table, tags, k + 1):
            raise TagError(k, f"entity at token {k + 1} is not closed by {table.letter(LAST)}- (scheme {table.name})")
    if start is not None:
        spans.append(Span(start, len(tags), label))
    return spans


def _start_hint(table: Scheme, label: str) -> str:
    starts = [f"{letter}-{label}" for letter in (table.letter(BEGIN), table.letter(UNIT)) if letter]
    return f"; an entity starts with {' or '.join(starts)}" if starts else ""


def _continued(table: Scheme, tags: Sequence[str], k: int) -> bool:
    """Whether token ``k`` may continue an open entity; a letter outside the scheme counts
    as continuing, so the next step reports that letter itself."""
    if k == len(tags):
        return False
    prefix = split_tag(tags[k], k)[0]
    return prefix != "O" and table.roles.get(prefix, INSIDE) in (INSIDE, LAST)


def check_iob2(tags: Sequence[str]) -> None:
    """Raise :class:`TagError` unless ``tags`` are strict IOB2: only ``O``, ``B-`` and
    ``I-``, every ``I-`` continuing an entity of its label."""
    tags_to_spans(tags, "IOB2")


def to_bioes_letters(tags: Sequence[str], scheme: str) -> list[str]:
    """The same tags written with BIOES letters (BILUO's ``L-``/``U-`` become ``E-``/``S-``),
    so tools that know BIOES (seqeval) read them; other schemes pass through."""
    table = scheme_table(scheme)
    if table is not BILUO:
        return list(tags)
    rename = {"L": "E", "U": "S"}
    return [f"{rename.get(tag[0], tag[0])}{tag[1:]}" if tag != "O" else tag for tag in tags]


def spans_to_iob2(spans: Sequence[Span], length: int) -> list[str]:
    """Write spans as IOB2 tags over ``length`` tokens; overlapping spans raise ValueError."""
    tags = ["O"] * length
    for span in sorted(spans):
        if span.end > length:
            raise ValueError(f"span {span} runs past {length} tokens")
        if any(tag != "O" for tag in tags[span.start : span.end]):
            raise ValueError(f"span {span} overlaps another span")
        tags[span.start] = f"B-{span.label}"
        for k in range(span.start + 1, span.end):
            tags[k] = f"I-{span.label}"
    return tags


def drop_labels(spans: Sequence[Span], labels: set[str] | frozenset[str]) -> list[Span]:
    """Spans whose label is not in ``labels`` (e.g. MISC mapped to O)."""
    return [span for span in spans if span.label not in labels]
