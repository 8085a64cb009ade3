"""The offline pipeline at scale: every stage on 10,000 and 100,000 pairs, in one table.

Repeats the shared Europarl corpus (799 English-Spanish pairs) to each size in a
temporary folder and runs the command line on it as a user would:

- "eflomal, one raw run": the reference, eflomal's own Python API with its defaults
  (3 samplers, both directions) and our 4-letter prefixes, nothing else;
- "align": `python -m core align` (reading, the eflomal runs, voting, lexical links, writing);
- "heuristic", "matching, greedy", "matching, ILP": `project --alignments` with the links
  "align" wrote (matching with its default corpus evidence);
- "pipeline (project)": `python -m core project` with no links given, the default method
  (align + matching, ILP, corpus evidence) in one command.

Columns: wall seconds; pairs per second (wall); CPU seconds (user + system of the command
and all its children, which a busy machine does not inflate); cores used (CPU / wall: 2.0
is both cores busy the whole time); peak MB, the largest sum of the resident memory of the
command and all its child processes at once (sampled every 0.2 s from /proc, Linux), and
"max one", the largest single process (getrusage, what `/usr/bin/time -v` reports); load,
the 1-minute load average when the stage ended (the machine may be shared). Under the
table: align / raw and ILP / greedy ratios, align + heuristic + matching, and where the review
app's timings at 1,000 and 100,000 sentences come from (`--app` runs that benchmark too).

    python benchmarks/scale.py                      # 10,000 and 100,000 pairs
    nice -n 10 python benchmarks/scale.py --sizes 10000 --align-options="--runs 5 --samplers 3"
    python benchmarks/scale.py --sizes 100000 --stages raw align heuristic

Wall times are only comparable within one invocation on a quiet machine; compare CPU seconds.
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
STAGES = ("raw", "align", "heuristic", "greedy", "ilp", "pipeline")
NAMES = {
    "raw": "eflomal, one raw run",
    "align": "align",
    "heuristic": "heuristic",
    "greedy": "matching, greedy",
    "ilp": "matching, ILP",
    "pipeline": "pipeline (project)",
}
APP_COMMAND = "python benchmarks/review_latency.py --workdir /tmp/lb-bench --sentences 1000 100000"

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
    cpu_seconds: float
    load: float

    @property
    def cores(self) -> float:
        return self.cpu_seconds / self.wall


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
    return Measurement(stage, pairs, wall, peak[0] / 1024, usage.ru_maxrss / 1024, cpu, os.getloadavg()[0])


def run_size(folder: Path, pairs: int, stages: list[str], align_options: list[str]) -> list[Measurement]:
    source, target = repeat_corpus(folder, pairs)
    alignments = folder / f"{pairs}.pharaoh"
    python = [sys.executable]
    core = python + ["-m", "core"]
    common = ["--source", str(source), "--target", str(target), "--target-lang", "es"]

    def project(name: str, *options: str) -> list[str]:
        return core + ["project", *common, *options, "--quiet", "--out", str(folder / f"{pairs}.{name}.conll")]

    given = ["--alignments", str(alignments)]
    commands = {
        "raw": python + ["-c", RAW_RUN, str(source), str(target)],
        "align": core + ["align", *common, "--out", str(alignments), "--quiet", *align_options],
        "heuristic": project("heuristic", *given, "--method", "heuristic"),
        "greedy": project("greedy", *given, "--method", "matching", "--solver", "greedy"),
        "ilp": project("ilp", *given, "--method", "matching", "--solver", "ilp"),
        "pipeline": project("pipeline", *align_options),
    }
    rows = []
    for stage in stages:
        if "--alignments" in commands[stage] and not alignments.exists():
            sys.exit(f"{stage} needs the align stage first")
        rows.append(measure(stage, pairs, commands[stage]))
        print(f"  {format_row(rows[-1])}", file=sys.stderr, flush=True)
    return rows


HEADER = (
    "| stage | pairs | wall s | pairs/s | CPU s | cores used | peak MB (all processes) | max one MB | load |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def format_row(row: Measurement) -> str:
    return (
        f"| {NAMES[row.stage]} | {row.pairs:,} | {row.wall:.1f} | {row.pairs / row.wall:,.0f} | {row.cpu_seconds:.1f} | "
        f"{row.cores:.2f} | {row.peak_mb:,.0f} | {row.max_one_mb:,.0f} | {row.load:.1f} |"
    )


def summary(rows: list[Measurement], size: int) -> list[str]:
    """The ratios and sums under the table for one corpus size."""
    timing = {row.stage: row for row in rows if row.pairs == size}
    lines = []
    if "raw" in timing and "align" in timing:
        align, raw = timing["align"], timing["raw"]
        lines.append(
            f"{size:,} pairs: align / one raw eflomal run = {align.cpu_seconds / raw.cpu_seconds:.2f} in CPU time, "
            f"{align.wall / raw.wall:.2f} in wall time"
        )
    if "greedy" in timing and "ilp" in timing:
        greedy, ilp = timing["greedy"], timing["ilp"]
        lines.append(
            f"{size:,} pairs: matching ILP / greedy = {ilp.cpu_seconds / greedy.cpu_seconds:.2f} in CPU time, "
            f"{ilp.wall / greedy.wall:.2f} in wall time"
        )
    if all(stage in timing for stage in ("align", "heuristic", "ilp")):
        parts = [timing[stage] for stage in ("align", "heuristic", "ilp")]
        wall, cpu = sum(p.wall for p in parts), sum(p.cpu_seconds for p in parts)
        lines.append(
            f"{size:,} pairs: align + heuristic + matching (ILP) = {wall:.1f} s wall, {cpu:.1f} s CPU "
            f"({cpu / 2:.1f} s on two fully used cores)"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="sentence pairs per corpus")
    parser.add_argument("--stages", nargs="+", default=list(STAGES), choices=STAGES)
    parser.add_argument(
        "--align-options", default="", help='extra options for `core align`, e.g. "--runs 5 --samplers 3"'
    )
    parser.add_argument(
        "--app", action="store_true", help=f"also run the review app's benchmark ({APP_COMMAND}) and print its table"
    )
    args = parser.parse_args(argv)
    if not (SHARED / "en.conll").exists():
        sys.exit(f"the shared corpus is missing at {SHARED}")
    if any(size < 1 for size in args.sizes):
        parser.error("--sizes must be whole numbers of 1 or more")
    stages = [stage for stage in STAGES if stage in args.stages]
    rows: list[Measurement] = []
    started_load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="labelbridge-scale-") as name:
        for size in args.sizes:
            print(f"{size:,} pairs", file=sys.stderr, flush=True)
            rows += run_size(Path(name), size, stages, shlex.split(args.align_options))
            for path in Path(name).iterdir():
                path.unlink()
    print(
        f"cores: {os.cpu_count()}; align options: {args.align_options or '(defaults)'}; load average "
        f"(1/5/15 min) at the start {' / '.join(f'{x:.1f}' for x in started_load)}, "
        f"at the end {' / '.join(f'{x:.1f}' for x in os.getloadavg())}\n"
    )
    print(HEADER)
    for row in rows:
        print(format_row(row))
    print()
    for size in args.sizes:
        for line in summary(rows, size):
            print(f"- {line}")
    if args.app:
        print(flush=True)
        subprocess.run([sys.executable, *APP_COMMAND.split()[1:]], cwd=REPO, check=True)
    else:
        print(f"- the review app at 1,000 and 100,000 sentences: `{APP_COMMAND}` (README, Review app)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
