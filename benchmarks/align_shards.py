"""Projection F1 against gold when eflomal is trained on shards instead of the whole corpus.

    python benchmarks/align_shards.py [--repeats 2] [--shards 1 2 4]

eflomal learns word translations from the corpus it aligns, so a shard of fewer pairs gives
weaker links. `--align-shard-size` trades that for parallel training on a cluster; this
prints matching F1 on the shared Europarl sample (799 pairs) for the whole corpus and for
2 and 4 shards, each repeated (eflomal samples at random).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.commands.options import DEFAULTS  # noqa: E402
from core.corpus.evaluate import evaluate  # noqa: E402
from core.corpus.io import read_conll, read_parallel  # noqa: E402
from core.projection.pipeline import align, project_corpus  # noqa: E402
from core.scale.chunked import shard_bounds  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data" / "europarl-en-es")
    parser.add_argument("--shards", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    pairs = read_parallel(args.shared / "en.conll", args.shared / "es.conll")
    gold = read_conll(args.shared / "es.conll")
    config = DEFAULTS.with_options(target_lang="es")
    print(f"{len(pairs)} pairs, eflomal defaults, matching (ILP), F1 against gold")
    for count in args.shards:
        bounds = shard_bounds(len(pairs), len(pairs) // count if count > 1 else None)
        scores, seconds = [], []
        for _ in range(args.repeats):
            started = time.perf_counter()
            links = [a for start, end in bounds for a in align(pairs[start:end], config)]
            seconds.append(time.perf_counter() - started)
            projected = project_corpus(pairs, config, links, methods=("matching",))
            scores.append(100 * evaluate(gold, [p.target_with("matching") for p in projected]).overall.f1)
        sizes = sorted({end - start for start, end in bounds})
        print(
            f"  {len(bounds)} shard(s) of {'/'.join(map(str, sizes))} pairs: F1 {statistics.mean(scores):.1f} "
            f"(runs {', '.join(f'{s:.1f}' for s in scores)}), eflomal wall {statistics.mean(seconds):.0f} s per alignment (shards one after another)"
        )


if __name__ == "__main__":
    main()
