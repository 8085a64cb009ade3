"""Tag schemes: IOB1, IOB2 and BIOES read into spans; spans written as IOB2.

>>> tags_to_spans(["B-PER", "I-PER", "O", "B-LOC"])
[Span(start=0, end=2, label='PER', score=None), Span(start=3, end=4, label='LOC', score=None)]
"""
from __future__ import annotations

from typing import Sequence

from core.datamodel import Span

SCHEMES = ("IOB1", "IOB2", "BIOES")
_PREFIXES = {"B", "I", "E", "S"}


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
        raise TagError(index, f"invalid tag {tag!r}: expected O or B-/I-/E-/S- followed by a label")
    return prefix, label


def detect_scheme(tags: Sequence[str]) -> str:
    """Guess the scheme from a corpus's tags.

    BIOES if ``E-``/``S-`` occur; IOB2 if some ``B-`` starts an entity after ``O`` or
    after another label (IOB1 writes ``B-`` only between two entities of one label);
    IOB1 if an entity starts with ``I-``; IOB2 otherwise. So an IOB2 file with a stray
    ``I-`` is read as IOB2 and the stray tag reported, not silently re-read as IOB1.
    """
    parsed = [split_tag(tag, k) for k, tag in enumerate(tags)]
    if any(prefix in {"E", "S"} for prefix, _ in parsed):
        return "BIOES"
    starts_with_i = False
    previous_prefix, previous_label = "O", ""
    for prefix, label in parsed:
        continues = previous_prefix != "O" and previous_label == label
        if prefix == "B" and not continues:
            return "IOB2"
        if prefix == "I" and not continues:
            starts_with_i = True
        previous_prefix, previous_label = prefix, label
    return "IOB1" if starts_with_i else "IOB2"


def tags_to_spans(tags: Sequence[str], scheme: str = "IOB2") -> list[Span]:
    """Read one sentence's tags into spans.

    IOB2 and BIOES are strict: an ``I-``/``E-`` that does not continue an entity of the
    same label raises :class:`TagError`. IOB1 starts an entity at any label change.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown tag scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")
    spans: list[Span] = []
    start, label = None, ""
    for k, tag in enumerate(tags):
        prefix, tag_label = split_tag(tag, k)
        continues = start is not None and tag_label == label
        if prefix == "O":
            if start is not None:
                spans.append(Span(start, k, label))
            start = None
        elif prefix == "B" or prefix == "S" or (prefix == "I" and not continues and scheme == "IOB1"):
            if scheme == "IOB1" and prefix == "S":
                raise TagError(k, f"tag {tag!r} at token {k + 1} is not IOB1")
            if start is not None:
                spans.append(Span(start, k, label))
            start, label = k, tag_label
            if prefix == "S":
                spans.append(Span(k, k + 1, label))
                start = None
        elif not continues:
            hint = f"; an entity starts with B-{tag_label}" if scheme == "IOB2" else ""
            raise TagError(k, f"tag {tag!r} at token {k + 1} does not continue an entity (scheme {scheme}){hint}")
        elif prefix == "E" and start is not None:
            spans.append(Span(start, k + 1, label))
            start = None
        if scheme == "BIOES" and prefix in {"B", "I"} and (k + 1 == len(tags) or split_tag(tags[k + 1], k + 1)[0] not in {"I", "E"}):
            raise TagError(k, f"entity at token {k + 1} is not closed by E- (scheme BIOES)")
    if start is not None:
        spans.append(Span(start, len(tags), label))
    return spans


def check_iob2(tags: Sequence[str]) -> None:
    """Raise :class:`TagError` unless ``tags`` are strict IOB2: only ``O``, ``B-`` and
    ``I-``, every ``I-`` continuing an entity of its label."""
    previous = ""
    for k, tag in enumerate(tags):
        prefix, label = split_tag(tag, k)
        if prefix in {"E", "S"}:
            raise TagError(k, f"tag {tag!r} at token {k + 1} is not IOB2 (only O, B- and I-)")
        if prefix == "I" and previous != label:
            raise TagError(k, f"tag {tag!r} at token {k + 1} does not continue an entity (scheme IOB2); an entity starts with B-{label}")
        previous = label if prefix != "O" else ""


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
