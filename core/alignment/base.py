"""The aligner interface: a corpus of sentence pairs in, one alignment per pair out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from core.datamodel import Alignment

Tokens = Sequence[str]
Progress = Callable[[int, int], None]


class Aligner(Protocol):
    """Anything that aligns words of sentence pairs.

    ``align_corpus`` sees the whole corpus at once, which statistical aligners learn
    from; ``progress(done, total)`` is called as work advances.
    """

    name: str

    def align_corpus(
        self,
        sources: Sequence[Tokens],
        targets: Sequence[Tokens],
        progress: Progress | None = None,
    ) -> list[Alignment]: ...


def align_pair(aligner: Aligner, source: Tokens, target: Tokens) -> Alignment:
    """Align one sentence pair (a statistical aligner then learns from that pair alone)."""
    return aligner.align_corpus([source], [target])[0]
