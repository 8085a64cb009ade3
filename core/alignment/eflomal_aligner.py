"""eflomal, a Bayesian IBM-style aligner trained on the corpus at hand (no download).

eflomal learns both directions and samples at random (it has no seed). We run it
``n_runs`` times and combine the ``2 * n_runs`` directional alignments:

- ``symmetrization="soft"`` (default): every link seen in at least ``min_share`` of
  them is kept, weighted by that share, so steady links count more than rare ones;
- a classic heuristic ("intersection", "grow-diag-final-and", ...) is applied to each
  run, and a link is kept when a majority of runs agree.

Words are lower-cased and, with ``prefix_length`` > 0, cut to that many characters
before training: on small corpora this pools inflected forms ("Fondos"/"Fondo").

How the work is laid out (see benchmarks/scale.py for the numbers):

- the corpus is written in eflomal's format once and shared by every run;
- each run is one eflomal process that trains the two directions on two threads
  (``n_samplers`` chains per direction, averaged by eflomal into one alignment); up
  to ``jobs`` processes run at once, by default enough to keep every core busy;
- the runs' link files are voted on in chunks of ``chunk_size`` sentence pairs with
  numpy (no Counter or set per pair and run), and the alignments returned share one
  tuple per distinct link and weight.

Cheaper schedules (``n_samplers`` 1 or 2, ``rel_iterations`` below 1: from 1.6 down to 0.4
times one plain eflomal run in CPU time, against 4.8 for the default) keep F1 on the 799-pair
shared corpus but lose about one point of matching at 10,000 pairs, and some get less steady
(README, Alignment cost against F1; benchmarks/align_schedules.py), so 5 runs of 3 samplers at
eflomal's own schedule stay the default.
"""

from __future__ import annotations

import math
import os
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np

from core.alignment.base import Progress, Tokens
from core.alignment.symmetrize import SYMMETRIZATIONS, symmetrize
from core.datamodel import Alignment, Link
from core.errors import LabelBridgeError

EFLOMAL_COMBINATIONS = ("soft",) + SYMMETRIZATIONS
MAX_LENGTH = 0x400  # eflomal leaves pairs with a side this long or longer unaligned
_SHIFT = 10  # bits of one word index in a packed link key (MAX_LENGTH = 2 ** _SHIFT)


def _parse_links(line: str) -> set[Link]:
    return {(int(i), int(j)) for i, _, j in (item.partition("-") for item in line.split())}


def eflomal_iterations(n_sentences: int, rel_iterations: float = 1.0) -> tuple[int, int, int]:
    """eflomal's own schedule (IBM1, HMM, fertility iterations): fewer as the corpus grows."""
    iters = max(2, int(round(rel_iterations * 5000 / math.sqrt(n_sentences))))
    quarter = max(1, iters // 4)
    return max(2, quarter), quarter, iters


def default_jobs(n_samplers: int) -> int:
    """eflomal processes to run at once: each keeps ``2 * n_samplers`` threads busy."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores // (2 * n_samplers))


def _eflomal_binary() -> str:
    import eflomal

    return os.path.join(os.path.dirname(eflomal.__file__), "bin", "eflomal")


def write_eflomal_text(path: Path, sentences: Sequence[Tokens], lowercase: bool, prefix_length: int) -> None:
    """One side of the corpus in eflomal's input format: a header, then word ids per line.

    Words are lower-cased and cut to ``prefix_length`` letters (0: whole words) first.
    """
    index: dict[str, int] = {}
    lines = []
    for tokens in sentences:
        if len(tokens) >= MAX_LENGTH:
            lines.append("0")
            continue
        ids = []
        for token in tokens:
            word = token.lower() if lowercase else token
            if prefix_length:
                word = word[:prefix_length]
            ids.append(index.setdefault(word, len(index)))
        lines.append(f"{len(ids)} " + " ".join(map(str, ids)))
    with open(path, "w", encoding="ascii") as handle:
        handle.write(f"{len(sentences)} {len(index)}\n")
        handle.write("\n".join(lines))
        handle.write("\n")


def parse_link_lines(lines: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pharaoh lines ``"0-0 2-1"`` -> arrays (line number, source index, target index)."""
    counts = np.fromiter((line.count("-") for line in lines), dtype=np.int64, count=len(lines))
    text = " ".join(lines).replace("-", " ")
    numbers = np.fromstring(text, dtype=np.int64, sep=" ")
    if numbers.size != 2 * counts.sum():
        raise RuntimeError("eflomal wrote a link file that is not Pharaoh")
    rows = np.repeat(np.arange(len(lines), dtype=np.int64), counts)
    return rows, numbers[0::2], numbers[1::2]


def vote(keys: np.ndarray, total: int, needed: float, n_pairs: int, shared: dict | None = None) -> Iterator[Alignment]:
    """Alignments of ``n_pairs`` pairs from packed link keys, one key per vote.

    A key is ``(pair << 2 * _SHIFT) | (i << _SHIFT) | j``; a link is kept when its votes
    are at least ``needed`` of ``total``, and weighted by that share. ``shared`` (a dict
    kept across calls) hands out one tuple per distinct link and weight, so a corpus of
    alignments holds no duplicate small objects.
    """
    shared = {} if shared is None else shared
    unique, counts = np.unique(keys, return_counts=True)
    kept = counts >= needed * total - 1e-9
    unique, counts = unique[kept], counts[kept]
    pairs = unique >> (2 * _SHIFT)
    links = (unique & ((1 << 2 * _SHIFT) - 1)).tolist()
    counts = counts.tolist()
    bounds = np.searchsorted(pairs, np.arange(n_pairs + 1)).tolist()
    for k in range(n_pairs):
        start, end = bounds[k], bounds[k + 1]
        chosen, weighted = [], []
        for packed, count in zip(links[start:end], counts[start:end]):
            link = shared.get(packed)
            if link is None:
                link = shared[packed] = (packed >> _SHIFT, packed & (MAX_LENGTH - 1))
            chosen.append(link)
            if count != total:
                entry = shared.get((packed, count))
                if entry is None:
                    entry = shared[(packed, count)] = (link, count / total)
                weighted.append(entry)
        yield Alignment(frozenset(chosen), tuple(weighted))


def _pack(rows: np.ndarray, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    return (rows << (2 * _SHIFT)) | (sources << _SHIFT) | targets


@dataclass
class EflomalAligner:
    name: str = "eflomal"
    symmetrization: str = "soft"
    min_share: float = 0.1
    n_runs: int = 5
    prefix_length: int = 4
    lowercase: bool = True
    n_samplers: int = 3
    jobs: int = 0
    rel_iterations: float = 1.0
    chunk_size: int = 20000

    def __post_init__(self) -> None:
        if self.symmetrization not in EFLOMAL_COMBINATIONS:
            raise ValueError(
                f"unknown symmetrization {self.symmetrization!r}; choose one of {', '.join(EFLOMAL_COMBINATIONS)}"
            )
        if self.n_runs < 1:
            raise ValueError("eflomal needs at least one run")
        if self.n_samplers < 1:
            raise ValueError("eflomal needs at least one sampler")
        if self.jobs < 0 or self.chunk_size < 1 or not self.rel_iterations > 0:
            raise ValueError("jobs must be 0 (automatic) or more, chunk_size and rel_iterations above 0")

    def align_corpus(
        self, sources: Sequence[Tokens], targets: Sequence[Tokens], progress: Progress | None = None
    ) -> list[Alignment]:
        if len(sources) != len(targets):
            raise ValueError(f"{len(sources)} source but {len(targets)} target sentences")
        empty = [k for k, (s, t) in enumerate(zip(sources, targets)) if not s or not t]
        if empty:
            raise ValueError(f"sentence pair {empty[0] + 1} has an empty side; eflomal needs words on both sides")
        if not sources:
            return []
        with tempfile.TemporaryDirectory(prefix="labelbridge-eflomal-") as name:
            folder = Path(name)
            source_file, target_file = folder / "source", folder / "target"
            write_eflomal_text(source_file, sources, self.lowercase, self.prefix_length)
            write_eflomal_text(target_file, targets, self.lowercase, self.prefix_length)
            runs = self.train(source_file, target_file, len(sources), folder, progress)
            return list(self.combine(runs, len(sources)))

    def train(
        self, source_file: Path, target_file: Path, n_sentences: int, folder: Path, progress: Progress | None = None
    ) -> list[tuple[Path, Path]]:
        """Run eflomal ``n_runs`` times on prepared files, ``jobs`` processes at once;
        the (forward, reverse) link files of each run."""
        ibm1, hmm, fertility = eflomal_iterations(n_sentences, self.rel_iterations)
        command = [
            _eflomal_binary(),
            "-m",
            "3",
            "-s",
            str(source_file),
            "-t",
            str(target_file),
            "-n",
            str(self.n_samplers),
            "-N",
            "0.2",
            "-1",
            str(ibm1),
            "-2",
            str(hmm),
            "-3",
            str(fertility),
            "-q",
        ]
        outputs = [(folder / f"forward.{run}", folder / f"reverse.{run}") for run in range(self.n_runs)]
        jobs = self.jobs or default_jobs(self.n_samplers)
        waiting = list(reversed(outputs))
        running: list[tuple[subprocess.Popen, Path]] = []
        done = 0
        if progress:
            progress(0, self.n_runs)
        try:
            while waiting or running:
                while waiting and len(running) < jobs:
                    forward, reverse = waiting.pop()
                    log = folder / f"{forward.name}.log"
                    with open(log, "wb") as errors:
                        process = subprocess.Popen(
                            command + ["-f", str(forward), "-r", str(reverse)], stdout=subprocess.DEVNULL, stderr=errors
                        )
                    running.append((process, log))
                process, log = running.pop(0)
                if process.wait() != 0:
                    message = log.read_text(errors="replace").strip().splitlines()[-1:] or ["no message"]
                    stopped = (
                        f"stopped by signal {-process.returncode}"
                        if process.returncode < 0
                        else f"exit status {process.returncode}"
                    )
                    raise LabelBridgeError(f"eflomal failed ({stopped}): {message[0]}")
                done += 1
                if progress:
                    progress(done, self.n_runs)
        finally:
            for process, _ in running:
                process.kill()
                process.wait()
        return outputs

    def combine(self, runs: Sequence[tuple[Path, Path]], n_pairs: int) -> Iterator[Alignment]:
        """Vote on the runs' links, ``chunk_size`` pairs at a time."""
        if self.symmetrization == "soft":
            total, needed = 2 * len(runs), self.min_share
        else:
            total, needed = len(runs), (len(runs) // 2 + 1) / len(runs)
        handles = [open(path, encoding="ascii") for run in runs for path in run]
        shared: dict = {}
        try:
            for start in range(0, n_pairs, self.chunk_size):
                size = min(self.chunk_size, n_pairs - start)
                chunks = [[line.rstrip("\n") for line in islice(handle, size)] for handle in handles]
                if any(len(chunk) != size for chunk in chunks):
                    raise RuntimeError(f"eflomal returned fewer alignments than the {n_pairs} sentence pairs")
                keys = self._chunk_keys(chunks)
                yield from vote(keys, total, needed, size, shared)
        finally:
            for handle in handles:
                handle.close()

    def _chunk_keys(self, chunks: list[list[str]]) -> np.ndarray:
        """One packed key per vote: every directional link (soft), or every link of each
        run's symmetrisation."""
        if self.symmetrization == "soft":
            return np.concatenate([_pack(*parse_link_lines(chunk)) for chunk in chunks])
        keys = []
        for forward, reverse in zip(chunks[0::2], chunks[1::2]):
            rows, sources, targets = [], [], []
            for row, (f, r) in enumerate(zip(forward, reverse)):
                for i, j in symmetrize(_parse_links(f), _parse_links(r), self.symmetrization):
                    rows.append(row)
                    sources.append(i)
                    targets.append(j)
            keys.append(
                _pack(
                    np.array(rows, dtype=np.int64), np.array(sources, dtype=np.int64), np.array(targets, dtype=np.int64)
                )
            )
        return np.concatenate(keys)
