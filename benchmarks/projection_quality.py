"""Projection quality and speed on the shared Europarl corpus (English -> Spanish, or the
reverse with --reverse).

Projects the gold English entities onto the Spanish side with every method, solver and
offline aligner configuration, scores against the Spanish gold with seqeval, and prints
one table: F1 (mean and spread over --runs alignment runs, overall and per label),
sentences per second for each stage, and peak memory. eflomal samples at random, so
each run trains the aligner afresh.

    python benchmarks/projection_quality.py            # the full table (about 15 min)
    python benchmarks/projection_quality.py --quick    # default configuration only
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.corpus.diagnosis import classify, format_summary  # noqa: E402
from core.corpus.evaluate import evaluate  # noqa: E402
from core.corpus.io import read_parallel  # noqa: E402
from core.projection.candidates import ngram_candidates  # noqa: E402
from core.projection.matching import objective, score_pairs, solve_greedy, solve_ilp  # noqa: E402
from core.projection.pipeline import (  # noqa: E402
    ProjectionConfig,
    align,
    edge_rule,
    project_corpus,
    with_lexical_links,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "europarl-en-es"
LABELS = ("PER", "LOC", "ORG", "MISC")


@dataclass
class Row:
    name: str
    f1: list[float] = field(default_factory=list)
    per_label: dict[str, list[float]] = field(default_factory=dict)
    align_seconds: list[float] = field(default_factory=list)
    project_seconds: list[float] = field(default_factory=list)
    objective: list[float] = field(default_factory=list)

    def add(self, evaluation, align_s: float, project_s: float) -> None:
        self.f1.append(100 * evaluation.overall.f1)
        for label in LABELS:
            scores = evaluation.per_label.get(label)
            self.per_label.setdefault(label, []).append(100 * scores.f1 if scores else 0.0)
        self.align_seconds.append(align_s)
        self.project_seconds.append(project_s)


def mean_spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{statistics.mean(values):.1f} ± {statistics.stdev(values):.1f} ({min(values):.1f}–{max(values):.1f})"


# (row name, aligner options, config changes, methods and solvers)
ALIGNERS = {
    "eflomal soft, 4-letter prefixes, 5 runs (default)": {},
    "eflomal soft, whole words": {"prefix_length": 0},
    "eflomal grow-diag-final-and vote": {"symmetrization": "grow-diag-final-and"},
    "eflomal intersection vote": {"symmetrization": "intersection"},
}
ABLATIONS = {
    "no lexical links": {"lexical_links": False},
    "no function-word edge rule": {"edge_rule": False},
    "n-grams capped at 10": {"max_ngram": 10},
    "no corpus evidence": {"corpus_evidence": False},
}


def solver_objectives(pairs, alignments, config: ProjectionConfig) -> tuple[float, float, int]:
    """Total matching score of greedy and ILP, and the sentences where the ILP finds more."""
    rule = edge_rule(config.source_lang, config.target_lang)
    greedy_total = ilp_total = 0.0
    better = 0
    for pair, alignment in zip(pairs, alignments):
        candidates = ngram_candidates(pair.target.tokens, config.max_ngram)
        allowed = lambda e, c, p=pair: rule.allows(p.source.tokens, p.target.tokens, e, c)  # noqa: E731
        scored = score_pairs(
            list(pair.source.spans), candidates, alignment, len(pair.target), config.min_score, allowed
        )
        greedy, ilp = objective(solve_greedy(scored, candidates)), objective(solve_ilp(scored, candidates))
        greedy_total += greedy
        ilp_total += ilp
        better += ilp > greedy + 1e-9
    return greedy_total, ilp_total, better


def run(args: argparse.Namespace) -> None:
    source, target = ("es", "en") if args.reverse else ("en", "es")
    pairs = read_parallel(SHARED / f"{source}.conll", SHARED / f"{target}.conll")
    if args.limit:
        pairs = pairs[: args.limit]
    gold = [p.target for p in pairs]
    base = ProjectionConfig(source_lang=source, target_lang=target)
    aligners = dict(list(ALIGNERS.items())[:1]) if args.quick else ALIGNERS
    rows: dict[str, Row] = {}
    default_errors = heuristic_errors = objectives = None
    tracemalloc.start()
    for aligner_name, options in aligners.items():
        config = base.with_options(aligner_options=options)
        for run_index in range(args.runs):
            started = time.perf_counter()
            plain = align(pairs, config.with_options(lexical_links=False))
            alignments = with_lexical_links(pairs, plain)
            align_s = time.perf_counter() - started
            variants = [
                ("heuristic", "heuristic", config),
                ("matching, greedy", "matching", config.with_options(solver="greedy")),
                ("matching, ILP", "matching", config.with_options(solver="ilp")),
            ]
            if aligner_name.endswith("(default)") and not args.quick:
                for ablation, changes in ABLATIONS.items():
                    variants.append((f"matching, ILP, {ablation}", "matching", config.with_options(**changes)))
                    if "lexical_links" in changes:
                        variants.append((f"heuristic, {ablation}", "heuristic", config.with_options(**changes)))
            for variant, method, variant_config in variants:
                started = time.perf_counter()
                used = alignments if variant_config.lexical_links else plain
                projected = project_corpus(pairs, variant_config, used, methods=(method,))
                project_s = time.perf_counter() - started
                predicted = [p.target_with(method) for p in projected]
                row = rows.setdefault(f"{variant} | {aligner_name}", Row(f"{variant} | {aligner_name}"))
                row.add(evaluate(gold, predicted), align_s, project_s)
                if aligner_name.endswith("(default)") and variant == "matching, ILP" and run_index == 0:
                    default_errors = classify(gold, predicted)
                if aligner_name.endswith("(default)") and variant == "heuristic" and run_index == 0:
                    heuristic_errors = classify(gold, predicted)
                    objectives = solver_objectives(pairs, alignments, config)
            print(f"  run {run_index + 1}/{args.runs} of {aligner_name}: done", file=sys.stderr, flush=True)
    _, peak_python = tracemalloc.get_traced_memory()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    n = len(pairs)
    print(
        f"\n{source.upper()}->{target.upper()}, {n} sentence pairs, gold {source.upper()} entities, all four labels; F1 x 100 as mean ± stdev (min–max) over {args.runs} runs\n"
    )
    print("| method | aligner | F1 | PER | LOC | ORG | MISC | align sent/s | project sent/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows.values():
        method, aligner_name = row.name.split(" | ")
        labels = " | ".join(f"{statistics.mean(row.per_label[label]):.1f}" for label in LABELS)
        print(
            f"| {method} | {aligner_name} | {mean_spread(row.f1)} | {labels} | "
            f"{n / statistics.mean(row.align_seconds):.0f} | {n / statistics.mean(row.project_seconds):.0f} |"
        )
    print(
        f"\npeak memory: {peak_rss:.0f} MiB resident (this process), {peak_children:.0f} MiB (eflomal), "
        f"{peak_python / 2**20:.0f} MiB traced Python allocations"
    )
    if objectives is not None:
        greedy_total, ilp_total, better = objectives
        print(
            f"\nmatching objective (sum of chosen scores, default aligner, run 1): greedy {greedy_total:.2f}, "
            f"ILP {ilp_total:.2f} (+{100 * (ilp_total - greedy_total) / greedy_total:.2f}%); "
            f"the ILP scores higher on {better} of {n} sentences"
        )
    if default_errors is not None:
        print("\nerrors of matching (ILP, default aligner, run 1) by kind and gold label:\n")
        print(format_summary(default_errors))
        print("\nerrors of the heuristic (default aligner, run 1):\n")
        print(format_summary(heuristic_errors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="alignment runs per configuration (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="the default aligner configuration only")
    parser.add_argument("--limit", type=int, help="only the first N sentence pairs")
    parser.add_argument(
        "--reverse", action="store_true", help="project the Spanish gold onto English instead (a second language pair)"
    )
    run(parser.parse_args())


if __name__ == "__main__":
    main()
