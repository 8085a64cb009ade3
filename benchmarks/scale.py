"""The offline pipeline at scale: align, heuristic and matching on 10,000 and 100,000 pairs.

Repeats the shared Europarl corpus (799 English-Spanish pairs) to each size in a
temporary folder, runs the command line on it as a user would (`python -m core align`,
then `project --alignments` with each method) and prints one row per stage:

    stage, pairs, wall seconds, pairs per second, peak MB, CPU %

- "eflomal, one raw run" is the reference: eflomal's own Python API with its defaults
  (3 samplers, both directions) and our 4-letter prefixes, nothing else; "align" is the
  whole `core align` command (reading, eflomal runs, voting, lexical links, writing), and
  its ratio to the raw run is printed under the table.
- peak MB is the largest sum of the resident memory of the command and all its child
  processes at once (sampled every 0.2 s from /proc, Linux); "max one" is the largest
  single process (getrusage), which is what `/usr/bin/time -v` reports.
- CPU % is user + system time of the command and its children over wall time (200% is
  two cores busy); CPU s is that time itself, which a busy machine does not inflate.

    python benchmarks/scale.py                      # 10,000 and 100,000 pairs
    python benchmarks/scale.py --sizes 10000 --align-options="--runs 5 --samplers 3"
    nice -n 10 python benchmarks/scale.py --sizes 100000 --stages raw align heuristic

Timings are only comparable within one invocation on a quiet machine; run the
configurations you compare back to back.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "europarl-en-es"
STAGES = ("raw", "align", "heuristic", "matching")

RAW_RUN = """
import sys, tempfile, os, eflomal
def lines(path):
    block, out = [], []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\\n")
        if line.strip():
            block.append(line.split()[0])
        elif block:
            out.append(" ".join(block).lower()); block = []
    if block:
        out.append(" ".join(block).lower())
    return out
with tempfile.TemporaryDirectory() as folder:
    eflomal.Aligner(source_prefix_len=4, target_prefix_len=4).align(
        lines(sys.argv[1]), lines(sys.argv[2]), links_filename_fwd=os.path.join(folder, "f"),
        links_filename_rev=os.path.join(folder, "r"), quiet=True)
"""


@dataclass
class Measurement:
    stage: str
    pairs: int
    wall: float
    peak_mb: float
    max_one_mb: float
    cpu_percent: float
    cpu_seconds: float


def sentence_blocks(path: Path) -> list[str]:
    """The CoNLL file's sentences, each as its lines joined (blank line excluded)."""
    return [block.strip("\n") for block in path.read_text(encoding="utf-8").split("\n\n") if block.strip()]


def repeat_corpus(folder: Path, pairs: int) -> tuple[Path, Path]:
    """en.conll and es.conll of ``pairs`` sentence pairs: the shared corpus over and over."""
    paths = []
    for name in ("en.conll", "es.conll"):
        blocks = sentence_blocks(SHARED / name)
        repeated = [blocks[k % len(blocks)] for k in range(pairs)]
        path = folder / f"{pairs}.{name}"
        path.write_text("\n\n".join(repeated) + "\n", encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def _descendants_rss_kb(root: int) -> int:
    """Resident memory of ``root`` and every process below it, in kB (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return sum(rss.get(pid, 0) for pid in tree)


def measure(stage: str, pairs: int, command: list[str]) -> Measurement:
    """Run ``command``; wall time, peak memory of its process tree, CPU use."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], _descendants_rss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{stage} failed ({' '.join(command)}):\n{stderr.decode(errors='replace')[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return Measurement(stage, pairs, wall, peak[0] / 1024, usage.ru_maxrss / 1024, 100 * cpu / wall, cpu)


def run_size(folder: Path, pairs: int, stages: list[str], align_options: list[str], solver: str) -> list[Measurement]:
    source, target = repeat_corpus(folder, pairs)
    alignments = folder / f"{pairs}.pharaoh"
    python = [sys.executable]
    core = python + ["-m", "core"]
    common = ["--source", str(source), "--target", str(target), "--target-lang", "es"]
    commands = {
        "raw": python + ["-c", RAW_RUN, str(source), str(target)],
        "align": core + ["align", *common, "--out", str(alignments), "--quiet", *align_options],
        "heuristic": core
        + [
            "project",
            *common,
            "--alignments",
            str(alignments),
            "--method",
            "heuristic",
            "--out",
            str(folder / f"{pairs}.heuristic.conll"),
        ],
        "matching": core
        + [
            "project",
            *common,
            "--alignments",
            str(alignments),
            "--method",
            "matching",
            "--solver",
            solver,
            "--out",
            str(folder / f"{pairs}.matching.conll"),
        ],
    }
    rows = []
    for stage in stages:
        if stage in ("heuristic", "matching") and not alignments.exists():
            sys.exit(f"{stage} needs the align stage first")
        rows.append(measure(stage, pairs, commands[stage]))
        print(f"  {format_row(rows[-1])}", file=sys.stderr, flush=True)
    return rows


HEADER = f"{'stage':<22} {'pairs':>8} {'wall s':>8} {'pairs/s':>9} {'peak MB':>8} {'max one MB':>10} {'CPU %':>6} {'CPU s':>7}"


def format_row(row: Measurement) -> str:
    name = "eflomal, one raw run" if row.stage == "raw" else row.stage
    return (
        f"{name:<22} {row.pairs:>8,} {row.wall:>8.1f} {row.pairs / row.wall:>9.0f} {row.peak_mb:>8.0f} "
        f"{row.max_one_mb:>10.0f} {row.cpu_percent:>6.0f} {row.cpu_seconds:>7.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="sentence pairs per corpus")
    parser.add_argument("--stages", nargs="+", default=list(STAGES), choices=STAGES)
    parser.add_argument(
        "--align-options", default="", help='extra options for `core align`, e.g. "--runs 5 --samplers 3"'
    )
    parser.add_argument(
        "--solver",
        default="greedy",
        choices=("greedy", "ilp"),
        help="matching solver (default: %(default)s; the ILP takes about 2.5 times as long)",
    )
    args = parser.parse_args(argv)
    if not (SHARED / "en.conll").exists():
        sys.exit(f"the shared corpus is missing at {SHARED}")
    if any(size < 1 for size in args.sizes):
        parser.error("--sizes must be whole numbers of 1 or more")
    stages = [stage for stage in STAGES if stage in args.stages]
    rows: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="labelbridge-scale-") as name:
        for size in args.sizes:
            print(f"{size:,} pairs", file=sys.stderr, flush=True)
            rows += run_size(Path(name), size, stages, shlex.split(args.align_options), args.solver)
            for path in Path(name).iterdir():
                path.unlink()
    print(
        f"cores: {os.cpu_count()}; align options: {args.align_options or '(defaults)'}; matching solver: {args.solver}"
    )
    print(HEADER)
    for row in rows:
        print(format_row(row))
    for size in args.sizes:
        timing = {row.stage: row for row in rows if row.pairs == size}
        if "raw" in timing and "align" in timing:
            align, raw = timing["align"], timing["raw"]
            print(
                f"{size:,} pairs: align / one raw eflomal run = {align.wall / raw.wall:.2f} in wall time, "
                f"{align.cpu_seconds / raw.cpu_seconds:.2f} in CPU time"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
