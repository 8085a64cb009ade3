"""Projection speed and memory: the exact ILP against greedy, stage by stage, and long sentences.

Runs on the shared Europarl corpus (English -> Spanish) with one fixed set of alignments,
so both solvers see the same links:

1. **Corpus**: the 799 pairs and the corpus repeated to 10,000 pairs, matching with greedy
   and with the ILP (end to end, and per stage: n-gram candidates, edge rule, scoring,
   solving, building projections), and the ILP/greedy time ratio.
2. **Exactness**: per sentence, the ILP's objective against one MILP over every pair with
   no length cap (the problem as DESIGN §4 states it).
3. **Long sentences**: pairs of the corpus joined into one sentence of about N target
   tokens (their links shifted along), projected with both methods in a fresh process
   each, printing time and peak resident memory; ``--dense`` adds 5 random links per
   source word, as a noisy aligner might.

    python benchmarks/projection_speed.py --alignments en-es.pharaoh   # links made earlier
    python benchmarks/projection_speed.py                               # aligns once (about a minute)
    python benchmarks/projection_speed.py --long-only --lengths 600 2000 5000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.corpus.io import read_parallel, read_pharaoh, write_pharaoh  # noqa: E402
from core.datamodel import Alignment, Sentence, SentencePair, Span  # noqa: E402
from core.projection.candidates import ngram_candidates  # noqa: E402
from core.projection.corpus_evidence import corpus_findings  # noqa: E402
from core.projection.matching import (  # noqa: E402
    conflict_groups,
    matching_projections,
    objective,
    score_pairs,
    solve_greedy,
    solve_ilp,
    solve_milp,
)
from core.projection.pipeline import (  # noqa: E402
    ProjectionConfig,
    align,
    pair_filter,
    project_corpus,
    project_pair,
    with_findings,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "europarl-en-es"
CONFIG = ProjectionConfig(source_lang="en", target_lang="es")


def load(alignments: str | None) -> tuple[list[SentencePair], list[Alignment]]:
    pairs = read_parallel(SHARED / "en.conll", SHARED / "es.conll")
    if alignments:
        return pairs, read_pharaoh(alignments, pairs)
    print("aligning the corpus once with eflomal (pass --alignments to reuse links) ...", file=sys.stderr, flush=True)
    links = align(pairs, CONFIG)
    return pairs, links


def timed(function, *args, **kwargs) -> tuple[float, object]:
    """CPU seconds of this process (steadier than wall time on a shared machine) and the result."""
    started = time.process_time()
    result = function(*args, **kwargs)
    return time.process_time() - started, result


def stages(pairs: list[SentencePair], alignments: list[Alignment]) -> dict[str, float]:
    """Seconds spent in each stage of matching over the corpus (both solvers)."""
    seconds = dict.fromkeys(
        ("candidates", "edge rule (masks)", "scoring (with edge rule)", "greedy", "ILP", "projections"), 0.0
    )
    edge_calls = milp_sentences = 0
    for pair, alignment in zip(pairs, alignments):
        entities = list(pair.source.spans)
        dt, candidates = timed(ngram_candidates, pair.target.tokens)
        seconds["candidates"] += dt
        started = time.process_time()
        allowed = pair_filter(pair, CONFIG)
        for entity in entities:
            allowed.edges(entity)
            edge_calls += 1
        seconds["edge rule (masks)"] += time.process_time() - started
        dt, scored = timed(
            score_pairs,
            entities,
            candidates,
            alignment,
            len(pair.target),
            0.0,
            pair_filter(pair, CONFIG),
            undominated=True,
        )
        seconds["scoring (with edge rule)"] += dt
        dt, _ = timed(solve_greedy, scored, candidates)
        seconds["greedy"] += dt
        dt, chosen = timed(solve_ilp, scored, candidates)
        seconds["ILP"] += dt
        dt, _ = timed(matching_projections, entities, candidates, alignment, chosen)
        seconds["projections"] += dt
        milp_sentences += needs_milp(scored, candidates)
    seconds["edge-rule mask calls (one per entity)"] = edge_calls
    seconds["sentences where best candidates collide (solved by dynamic programming or MILP)"] = milp_sentences
    return seconds


def needs_milp(scored, candidates) -> bool:
    best: dict[int, tuple] = {}
    for p in scored:
        start, end = candidates[p.candidate]
        key = (-p.score, end - start, p.candidate)
        if p.entity not in best or key < best[p.entity][0]:
            best[p.entity] = (key, (start, end))
    spans = sorted(span for _, span in best.values())
    return any(a[1] > b[0] for a, b in zip(spans, spans[1:]))


def corpus_section(pairs: list[SentencePair], alignments: list[Alignment], sizes: list[int], repeats: int) -> None:
    project_corpus(pairs[:50], CONFIG, alignments[:50], methods=("matching",))  # imports and caches warm
    import scipy.optimize  # noqa: F401  (the ILP's first call would otherwise pay for the import)

    print("## Matching on the corpus (fixed links; CPU seconds, best of", repeats, "runs)\n")
    print("| pairs | greedy s | ILP s | ILP / greedy | greedy pairs/s | ILP pairs/s | heuristic s |")
    print("|---|---|---|---|---|---|---|")
    for size in sizes:
        times = (size + len(pairs) - 1) // len(pairs)
        some_pairs, some_links = (pairs * times)[:size], (alignments * times)[:size]
        best: dict[tuple[str, str], float] = {}
        for _ in range(repeats):  # interleaved, so a busy moment hurts both solvers alike
            for method, solver in (("matching", "greedy"), ("matching", "ilp"), ("heuristic", "ilp")):
                seconds = timed(
                    project_corpus, some_pairs, CONFIG.with_options(solver=solver), some_links, methods=(method,)
                )[0]
                best[(method, solver)] = min(seconds, best.get((method, solver), seconds))
        greedy, ilp = best[("matching", "greedy")], best[("matching", "ilp")]
        print(
            f"| {size:,} | {greedy:.2f} | {ilp:.2f} | {ilp / greedy:.2f} | {size / greedy:,.0f} | {size / ilp:,.0f} | "
            f"{best[('heuristic', 'ilp')]:.2f} |"
        )
    print("\n## Stages on the", len(pairs), "pairs (seconds)\n")
    for name, value in stages(pairs, alignments).items():
        print(f"- {name}: {value:.3f}" if isinstance(value, float) else f"- {name}: {value:,}")


def exactness_section(pairs: list[SentencePair], alignments: list[Alignment]) -> None:
    """The ILP as the pipeline runs it (length cap, dominated n-grams left out, groups,
    shortcut) against one MILP over every pair with no cap."""
    worse = different = groups_total = 0
    gap = 0.0
    for pair, alignment in zip(pairs, alignments):
        entities = list(pair.source.spans)
        candidates = ngram_candidates(pair.target.tokens)
        allowed = pair_filter(pair, CONFIG)
        capped = score_pairs(entities, candidates, alignment, len(pair.target), 0.0, allowed, undominated=True)
        full = score_pairs(entities, candidates, alignment, len(pair.target), 0.0, allowed, length_cap=None)
        fast, reference = solve_ilp(capped, candidates), solve_milp(full, candidates)
        groups_total += len(conflict_groups(capped, candidates))
        difference = objective(reference) - objective(fast)
        gap = max(gap, difference)
        worse += difference > 1e-9
        different += {(p.entity, p.candidate) for p in fast} != {(p.entity, p.candidate) for p in reference}
    print(f"\n## Exactness on the {len(pairs)} pairs\n")
    print(
        f"- sentences where the ILP's objective is below the full MILP's (no length cap): {worse} "
        f"(largest difference {gap:.2e})"
    )
    print(f"- sentences where the two choose different pairs of equal total score (ties): {different}")
    print(f"- groups of conflicting entities: {groups_total:,}")


def long_pair(
    pairs: list[SentencePair], alignments: list[Alignment], n_tokens: int, dense: int, seed: int = 1
) -> tuple[SentencePair, Alignment]:
    """Consecutive pairs joined into one of at least ``n_tokens`` target tokens."""
    source: list[str] = []
    target: list[str] = []
    spans: list[Span] = []
    weights: dict[tuple[int, int], float] = {}
    for pair, alignment in zip(pairs * (1 + n_tokens // 20_000), alignments * (1 + n_tokens // 20_000)):
        if len(target) >= n_tokens:
            break
        shift_s, shift_t = len(source), len(target)
        source += pair.source.tokens
        target += pair.target.tokens
        spans += [Span(s.start + shift_s, s.end + shift_s, s.label) for s in pair.source.spans]
        for (i, j), w in alignment.weight_map().items():
            weights[(i + shift_s, j + shift_t)] = w
    rng = random.Random(seed)
    for i in range(len(source)):
        for j in rng.sample(range(len(target)), min(dense, len(target))):
            weights.setdefault((i, j), 0.3)
    return SentencePair(Sentence(source, spans), Sentence(target)), Alignment.from_pairs(weights, weights)


def long_child(args: argparse.Namespace) -> None:
    """One long sentence in this (fresh) process; prints one JSON line."""
    pairs, alignments = load(args.alignments)
    pair, alignment = long_pair(pairs, alignments, args.child, args.dense)
    import scipy.optimize  # noqa: F401

    from core.review.project import entity_candidates

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    config = CONFIG.with_options(solver=args.solver, max_sentence_tokens=None)
    wall = time.perf_counter()
    seconds, projected = timed(project_pair, pair, alignment, config)
    wall = time.perf_counter() - wall
    review_seconds, _ = timed(entity_candidates, projected, config)
    # corpus evidence's rules on the long sentence, with the names the whole corpus knows
    findings = corpus_findings(pairs, project_corpus(pairs, CONFIG.with_options(corpus_evidence=False), alignments))
    findings_seconds, _ = timed(with_findings, projected, findings)
    print(
        json.dumps(
            {
                "tokens": len(pair.target),
                "entities": len(pair.source.spans),
                "links": len(alignment),
                "seconds": seconds,
                "wall": wall,
                "review_seconds": review_seconds,
                "findings_seconds": findings_seconds,
                "matched": len(projected.matching),
                "heuristic": len(projected.heuristic),
                "notes": list(projected.notes),
                "rss_before": before,
                "rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def long_section(args: argparse.Namespace) -> None:
    print("\n## Long sentences (one fresh process each; both methods)\n")
    print(
        "| target tokens | entities | links | solver | project_pair CPU s (wall) | review candidate lists CPU s | "
        "corpus evidence's rules CPU s | peak RSS MiB (after imports and input) | notes |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for dense in [0, args.dense] if args.dense else [0]:
        for n_tokens in args.lengths:
            for solver in ("greedy", "ilp"):
                command = [
                    sys.executable,
                    __file__,
                    "--child",
                    str(n_tokens),
                    "--solver",
                    solver,
                    "--dense",
                    str(dense),
                ]
                if args.alignments:
                    command += ["--alignments", args.alignments]
                out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
                r = json.loads(out.strip().splitlines()[-1])
                print(
                    f"| {r['tokens']:,} | {r['entities']} | {r['links']:,}{' (noisy)' if dense else ''} | {solver} | "
                    f"{r['seconds']:.2f} ({r['wall']:.2f}) | {r['review_seconds']:.2f} | {r['findings_seconds']:.3f} | {r['rss_peak']:.0f} ({r['rss_before']:.0f}) | "
                    f"{'; '.join(r['notes']) or '-'} |",
                    flush=True,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--alignments", metavar="FILE.pharaoh", help="links for the corpus (default: align once with eflomal)"
    )
    parser.add_argument("--save-alignments", metavar="FILE.pharaoh", help="write the links used, to reuse them later")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[799, 10_000], help="corpus sizes in pairs (default: %(default)s)"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs per timing, the best counts (default: %(default)s)"
    )
    parser.add_argument(
        "--lengths", type=int, nargs="+", default=[600, 2000, 5000], help="long-sentence sizes in target tokens"
    )
    parser.add_argument(
        "--dense", type=int, default=5, help="random links per source word in the noisy long-sentence rows (0: none)"
    )
    parser.add_argument("--long-only", action="store_true", help="only the long-sentence measurements")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--solver", default="ilp", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        long_child(args)
        return
    pairs, alignments = load(args.alignments)
    if not args.alignments:  # the long-sentence processes reuse these links
        args.alignments = args.save_alignments or str(Path(tempfile.mkdtemp()) / "en-es.pharaoh")
        write_pharaoh(args.alignments, alignments)
    if not args.long_only:
        corpus_section(pairs, alignments, args.sizes, args.repeats)
        exactness_section(pairs, alignments)
    long_section(args)


if __name__ == "__main__":
    main()
