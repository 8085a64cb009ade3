"""Time and peak memory of each export format on a synthetic corpus that is generated as it is
written (so the numbers show the writer's own memory, not the corpus's).

    python benchmarks/export_formats.py [--sentences 50000]

Each format runs in a fresh process; "peak" is that process's maximum resident memory, and
"baseline" the same process after importing everything but before writing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORDS = [
    "la",
    "Comisión",
    "Europea",
    "presentó",
    "ayer",
    "en",
    "Bruselas",
    "un",
    "informe",
    "sobre",
    "el",
    "Fondo",
    "Social",
    "y",
    "Ana",
    "Pérez",
    "dijo",
    "que",
    "São",
    "Paulo",
    ",",
    ".",
]


def corpus(n: int):
    from core.datamodel import Sentence, Span

    for k in range(n):
        tokens = tuple(WORDS[(k + i) % len(WORDS)] for i in range(20)) + (f"w{k}",)
        yield Sentence(tokens, (Span(1, 3, "ORG"), Span(6, 7, "LOC"), Span(14, 16, "PER")))


def one(name: str, n: int) -> None:
    import datasets  # noqa: F401  (imported up front so the baseline includes it)
    import spacy  # noqa: F401

    from core.formats import EXPORTS

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"out{EXPORTS[name].suffix}"
        started = time.perf_counter()
        EXPORTS[name].write(out, corpus(n))
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in out.rglob("*")) if out.is_dir() else out.stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "format": name,
                "seconds": seconds,
                "baseline_mib": baseline / 1024,
                "peak_mib": peak / 1024,
                "size_mib": size / 2**20,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=50_000)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one, args.sentences)
        return
    from core.formats import EXPORTS

    print(f"{args.sentences} sentences of 21 tokens, 3 entities each")
    print(f"{'format':13} {'seconds':>8} {'sent/s':>8} {'file MiB':>9} {'peak MiB':>9} {'over baseline':>14}")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    for name in EXPORTS:
        result = subprocess.run(
            [sys.executable, __file__, "--one", name, "--sentences", str(args.sentences)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        row = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"{name:13} {row['seconds']:8.1f} {args.sentences / row['seconds']:8.0f} {row['size_mib']:9.1f} "
            f"{row['peak_mib']:9.0f} {row['peak_mib'] - row['baseline_mib']:14.0f}"
        )


if __name__ == "__main__":
    main()
