"""Wall time, pairs/s and peak memory of `python -m core project` with given alignments on
a large corpus: the shared Europarl sample repeated to N pairs, built in a temporary folder.

    python benchmarks/scale_projection.py --pairs 10000 --alignments en-es.pharaoh \
        [--baseline-root /tmp/labelbridge-before] [--workers 2] [--chunk-size 10000]

--alignments: links for the shared corpus (python -m core align ... --out en-es.pharaoh).
--baseline-root: a checkout of an earlier LabelBridge whose `project` reads the whole corpus
at once, to compare with. Each run goes through /usr/bin/time -v under `nice -n 10`; peak
memory is the largest single process (a worker pool's processes are not added up).
"""

from __future__ import annotations

import argparse
import itertools
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.corpus.io import format_conll, read_conll, read_sentences  # noqa: E402


def build(folder: Path, shared: Path, alignments: Path, n: int) -> tuple[Path, Path, Path]:
    sources, targets = read_conll(shared / "en.conll"), read_sentences(shared / "es.conll")
    links = alignments.read_text(encoding="utf-8").splitlines()
    paths = folder / f"en.{n}.conll", folder / f"es.{n}.txt", folder / f"en-es.{n}.pharaoh"
    pick = lambda items: list(itertools.islice(itertools.cycle(items), n))  # noqa: E731
    paths[0].write_text(format_conll(pick(sources)), encoding="utf-8")
    paths[1].write_text("".join(" ".join(t.tokens) + "\n" for t in pick(targets)), encoding="utf-8")
    paths[2].write_text("".join(line + "\n" for line in pick(links)), encoding="utf-8")
    return paths


def timed(command: list[str], cwd: Path) -> dict:
    result = subprocess.run(
        ["/usr/bin/time", "-v", "nice", "-n", "10", *command], cwd=cwd, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):(\d+(?:\.\d+)?)", result.stderr)
    hours, minutes, seconds = (float(x) if x else 0.0 for x in wall.groups())
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", result.stderr).group(1))
    return {"wall": 3600 * hours + 60 * minutes + seconds, "rss_mb": rss / 1024, "user": user}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--alignments", type=Path, required=True)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data" / "europarl-en-es")
    parser.add_argument("--baseline-root", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=10_000)
    parser.add_argument("--method", default="matching")
    parser.add_argument(
        "--only", choices=("before", "chunked"), help="run one side only (e.g. two invocations side by side)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="labelbridge-scale-") as tmp:
        source, target, links = build(Path(tmp), args.shared, args.alignments, args.pairs)
        common = [
            "--source",
            str(source),
            "--target",
            str(target),
            "--alignments",
            str(links),
            "--target-lang",
            "es",
            "--method",
            args.method,
            "--quiet",
        ]
        runs = {}
        if args.baseline_root and args.only != "chunked":
            runs["before (whole corpus)"] = timed(
                [sys.executable, "-m", "core", "project", *common, "--out", f"{tmp}/before.conll"], args.baseline_root
            )
        if args.only != "before":
            runs[f"chunked, {args.workers} workers"] = timed(
                [
                    sys.executable,
                    "-m",
                    "core",
                    "project",
                    *common,
                    "--out",
                    f"{tmp}/after.conll",
                    "--workers",
                    str(args.workers),
                    "--chunk-size",
                    str(args.chunk_size),
                ],
                ROOT,
            )
        if args.workers != 1 and args.only is None:
            runs["chunked, 1 worker"] = timed(
                [
                    sys.executable,
                    "-m",
                    "core",
                    "project",
                    *common,
                    "--out",
                    f"{tmp}/after1.conll",
                    "--workers",
                    "1",
                    "--chunk-size",
                    str(args.chunk_size),
                ],
                ROOT,
            )
        same = None
        if args.baseline_root and args.only is None:
            same = Path(f"{tmp}/before.conll").read_bytes() == Path(f"{tmp}/after.conll").read_bytes()
        print(f"{args.pairs} pairs, method {args.method}, chunk size {args.chunk_size}")
        for name, r in runs.items():
            print(
                f"  {name:24s} wall {r['wall']:8.1f} s  {args.pairs / r['wall']:7.1f} pairs/s  user {r['user']:8.1f} s  peak RSS {r['rss_mb']:7.0f} MB"
            )
        if same is not None:
            print(f"  outputs identical: {same}")


if __name__ == "__main__":
    main()
