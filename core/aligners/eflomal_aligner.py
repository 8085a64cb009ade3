"""eflomal, a Bayesian IBM-style aligner trained on the corpus at hand (no download).

Both directions are learnt and symmetrised. eflomal samples at random and has no seed,
so ``n_runs`` independent runs can vote: a link is kept when at least ``min_votes`` runs
agree, and its weight is the share of runs that found it.
"""
from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..datamodel import Alignment, Link
from .base import Progress, Tokens
from .symmetrize import symmetrize


def _parse_links(line: str) -> set[Link]:
    return {(int(i), int(j)) for i, _, j in (item.partition("-") for item in line.split())}


@dataclass
class EflomalAligner:
    name: str = "eflomal"
    symmetrization: str = "grow-diag-final-and"
    lowercase: bool = True
    n_runs: int = 1
    min_votes: int | None = None
    n_samplers: int = 3
    prefix_length: int = 0
    priors: Sequence[tuple[str, str, float]] = ()

    def run_once(self, sources: Sequence[Tokens], targets: Sequence[Tokens]) -> list[set[Link]]:
        """One eflomal training run over the corpus, symmetrised."""
        import eflomal

        def lines(sentences: Sequence[Tokens]) -> list[str]:
            return [" ".join(t.lower() if self.lowercase else t for t in tokens) for tokens in sentences]

        aligner = eflomal.Aligner(
            n_samplers=self.n_samplers,
            source_prefix_len=self.prefix_length,
            target_prefix_len=self.prefix_length,
        )
        with tempfile.TemporaryDirectory(prefix="labelbridge-eflomal-") as folder:
            forward, reverse = Path(folder, "forward"), Path(folder, "reverse")
            priors = None
            if self.priors:
                priors = [f"LEX\t{s}\t{t}\t{w}\n" for s, t, w in self.priors]
            aligner.align(
                lines(sources), lines(targets),
                links_filename_fwd=str(forward), links_filename_rev=str(reverse),
                priors_input=priors, quiet=True,
            )
            fwd = forward.read_text().splitlines()
            rev = reverse.read_text().splitlines()
        return [symmetrize(_parse_links(f), _parse_links(r), self.symmetrization) for f, r in zip(fwd, rev)]

    def align_corpus(self, sources: Sequence[Tokens], targets: Sequence[Tokens], progress: Progress | None = None) -> list[Alignment]:
        if len(sources) != len(targets):
            raise ValueError(f"{len(sources)} source but {len(targets)} target sentences")
        empty = [k for k, (s, t) in enumerate(zip(sources, targets)) if not s or not t]
        if empty:
            raise ValueError(f"sentence pair {empty[0] + 1} has an empty side; eflomal needs words on both sides")
        votes: list[Counter[Link]] = [Counter() for _ in sources]
        for run in range(self.n_runs):
            for counter, links in zip(votes, self.run_once(sources, targets)):
                counter.update(links)
            if progress:
                progress(run + 1, self.n_runs)
        needed = self.min_votes or (self.n_runs // 2 + 1)
        alignments = []
        for counter in votes:
            kept = {link: count / self.n_runs for link, count in counter.items() if count >= needed}
            alignments.append(Alignment.from_pairs(kept, kept))
        return alignments
