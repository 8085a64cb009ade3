"""F1 against alignment cost for eflomal schedules (runs x samplers x iteration scale).

Aligns the shared Europarl corpus (English -> Spanish, 799 pairs) --repeats times with each
schedule, projects the gold English entities with the heuristic, default matching (ILP,
corpus evidence) and matching without corpus evidence, and scores the first 799 target
sentences against the Spanish gold. With --pairs N the corpus is first repeated to N pairs
(as benchmarks/scale.py builds it) and aligned whole: eflomal's schedule gives fewer
iterations per sentence as the corpus grows (1/sqrt(n)), so this checks that a schedule
still holds at that size; only the first 799 pairs (the corpus once) are projected.

CPU is the user + system time of the alignment (this process's reading and voting plus the
eflomal processes), which a busy machine does not inflate; "x raw" divides it by one plain
eflomal run on the same pairs (its defaults: 3 samplers, both directions; as scale.py).

    python benchmarks/align_schedules.py                                   # 799 pairs
    python benchmarks/align_schedules.py --schedules 5x3x1 5x1x0.5 --pairs 10000
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import RAW_RUN, repeat_corpus  # noqa: E402

from core.corpus.evaluate import evaluate  # noqa: E402
from core.corpus.io import read_parallel  # noqa: E402
from core.projection.pipeline import ProjectionConfig, align, project_corpus, with_lexical_links  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "europarl-en-es"
DEFAULT_SCHEDULES = ("5x3x1", "5x1x1", "5x1x0.5", "5x1x0.25", "3x1x1", "5x2x0.5", "5x3x0.5")
VARIANTS = ("heuristic", "matching (default)", "matching, no corpus evidence")


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def parse_schedule(text: str) -> dict:
    runs, samplers, scale = text.split("x")
    return {"n_runs": int(runs), "n_samplers": int(samplers), "rel_iterations": float(scale)}


def raw_seconds(pairs: int) -> float:
    """CPU seconds of one plain eflomal run on the corpus repeated to ``pairs``."""
    with tempfile.TemporaryDirectory() as name:
        source, target = repeat_corpus(Path(name), pairs)
        before = cpu_seconds()
        subprocess.run([sys.executable, "-c", RAW_RUN, str(source), str(target)], check=True)
        return cpu_seconds() - before


def spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{statistics.mean(values):.1f} ± {statistics.stdev(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schedules", nargs="+", default=list(DEFAULT_SCHEDULES), help="RUNSxSAMPLERSxSCALE")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pairs", type=int, default=0, help="repeat the corpus to this many pairs first")
    parser.add_argument("--raw", type=float, help="CPU seconds of one raw eflomal run measured before (skips it)")
    args = parser.parse_args()
    base = read_parallel(SHARED / "en.conll", SHARED / "es.conll")
    n = max(args.pairs, len(base))
    pairs = [base[k % len(base)] for k in range(n)]
    gold = [p.target for p in base]
    config = ProjectionConfig(source_lang="en", target_lang="es")
    raw = args.raw or raw_seconds(n)
    print(f"{n:,} pairs aligned, first {len(base)} scored; one raw eflomal run: {raw:.1f} s CPU", flush=True)
    print("\n| runs x samplers x iterations | align CPU s | x raw | " + " | ".join(VARIANTS) + " |")
    print("|---|---|---|" + "---|" * len(VARIANTS), flush=True)
    for schedule in args.schedules:
        options = parse_schedule(schedule)
        cpu: list[float] = []
        f1: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for _ in range(args.repeats):
            before = cpu_seconds()
            plain = align(pairs, config.with_options(aligner_options=options, lexical_links=False))
            cpu.append(cpu_seconds() - before)
            links = with_lexical_links(base, plain[: len(base)])
            for name, method, changes in (
                ("heuristic", "heuristic", {}),
                ("matching (default)", "matching", {}),
                ("matching, no corpus evidence", "matching", {"corpus_evidence": False}),
            ):
                projected = project_corpus(base, config.with_options(**changes), links, methods=(method,))
                f1[name].append(100 * evaluate(gold, [p.target_with(method) for p in projected]).overall.f1)
        mean_cpu = statistics.mean(cpu)
        print(
            f"| {schedule} | {mean_cpu:.1f} | {mean_cpu / raw:.2f} | "
            + " | ".join(spread(f1[name]) for name in VARIANTS)
            + " |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
