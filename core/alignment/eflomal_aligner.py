"""eflomal, a Bayesian IBM-style aligner trained on the corpus at hand (no download).

eflomal learns both directions and samples at random (it has no seed). We run it
``n_runs`` times and combine the ``2 * n_runs`` directional alignments:

- ``symmetrization="soft"`` (default): every link seen in at least ``min_share`` of
  them is kept, weighted by that share, so steady links count more than rare ones;
- a classic heuristic ("intersection", "grow-diag-final-and", ...) is applied to each
  run, and a link is kept when a majority of runs agree.

Words are lower-cased and, with ``prefix_length`` > 0, cut to that many characters
before training: on small corpora this pools inflected forms ("Fondos"/"Fondo").
"""
from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from core.alignment.base import Progress, Tokens
from core.alignment.symmetrize import SYMMETRIZATIONS, symmetrize
from core.datamodel import Alignment, Link

EFLOMAL_COMBINATIONS = ("soft",) + SYMMETRIZATIONS


def _parse_links(line: str) -> set[Link]:
    return {(int(i), int(j)) for i, _, j in (item.partition("-") for item in line.split())}


@dataclass
class EflomalAligner:
    name: str = "eflomal"
    symmetrization: str = "soft"
    min_share: float = 0.1
    n_runs: int = 5
    prefix_length: int = 4
    lowercase: bool = True
    n_samplers: int = 3

    def __post_init__(self) -> None:
        if self.symmetrization not in EFLOMAL_COMBINATIONS:
            raise ValueError(f"unknown symmetrization {self.symmetrization!r}; choose one of {', '.join(EFLOMAL_COMBINATIONS)}")
        if self.n_runs < 1:
            raise ValueError("eflomal needs at least one run")

    def _lines(self, sentences: Sequence[Tokens]) -> list[str]:
        return [" ".join(t.lower() if self.lowercase else t for t in tokens) for tokens in sentences]

    def run_once(self, sources: Sequence[Tokens], targets: Sequence[Tokens]) -> list[tuple[set[Link], set[Link]]]:
        """One eflomal training run: (forward, reverse) links per pair, source-target order."""
        import eflomal

        aligner = eflomal.Aligner(
            n_samplers=self.n_samplers,
            source_prefix_len=self.prefix_length,
            target_prefix_len=self.prefix_length,
        )
        with tempfile.TemporaryDirectory(prefix="labelbridge-eflomal-") as folder:
            forward, reverse = Path(folder, "forward"), Path(folder, "reverse")
            aligner.align(
                self._lines(sources), self._lines(targets),
                links_filename_fwd=str(forward), links_filename_rev=str(reverse), quiet=True,
            )
            fwd = forward.read_text().splitlines()
            rev = reverse.read_text().splitlines()
        if len(fwd) != len(sources) or len(rev) != len(sources):
            raise RuntimeError(f"eflomal returned {len(fwd)} alignments for {len(sources)} sentence pairs")
        return [(_parse_links(f), _parse_links(r)) for f, r in zip(fwd, rev)]

    def align_corpus(self, sources: Sequence[Tokens], targets: Sequence[Tokens], progress: Progress | None = None) -> list[Alignment]:
        if len(sources) != len(targets):
            raise ValueError(f"{len(sources)} source but {len(targets)} target sentences")
        empty = [k for k, (s, t) in enumerate(zip(sources, targets)) if not s or not t]
        if empty:
            raise ValueError(f"sentence pair {empty[0] + 1} has an empty side; eflomal needs words on both sides")
        votes: list[Counter[Link]] = [Counter() for _ in sources]
        for run in range(self.n_runs):
            if progress:
                progress(run, self.n_runs)
            for counter, (forward, reverse) in zip(votes, self.run_once(sources, targets)):
                if self.symmetrization == "soft":
                    counter.update(forward)
                    counter.update(reverse)
                else:
                    counter.update(symmetrize(forward, reverse, self.symmetrization))
        if progress:
            progress(self.n_runs, self.n_runs)
        if self.symmetrization == "soft":
            total, needed = 2 * self.n_runs, self.min_share
        else:
            total, needed = self.n_runs, (self.n_runs // 2 + 1) / self.n_runs
        alignments = []
        for counter in votes:
            kept = {link: count / total for link, count in counter.items() if count / total >= needed - 1e-9}
            alignments.append(Alignment.from_pairs(kept, kept))
        return alignments
