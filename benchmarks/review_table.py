"""The review-session table of issue #11: F1 and Review-screen keys per sentence for the
heuristic, matching without corpus evidence and matching with corpus evidence (the
default), after a simulated reviewer has reviewed the first k% of the sentences.

For each direction (EN->ES, and ES->EN: the Spanish gold projected onto English), each of
``--runs`` eflomal alignments and each share k: the first k% of the sentences are reviewed
with gold as their final spans, the rest is re-projected exactly as the app's "Improve the
rest" re-projects it (:func:`core.review.reproject.review_evidence` and
:func:`~core.review.reproject.reproject_reviewed`, the functions
:func:`~core.review.reproject.reproject_project` calls); with k = 0 nothing is reviewed and
this is the plain projection. On the rest: seqeval F1, and the keys the simulated reviewer of
:mod:`core.review.cost` presses on the Review screen, with the method's proposals as the
rows (no other method's rows) and the candidates ``c`` cycles through as a project stores
them (:func:`core.review.project.entity_candidates`).

One alignment run is one call of the default aligner (eflomal, 5 samplings, soft vote; the
lexical links added per direction). The eflomal links are cached in ``--links-dir`` and
reused on later runs; ES->EN reads the same links reversed.

    nice -n 10 python benchmarks/review_table.py                           # the full table
    python benchmarks/review_table.py --runs 1 --shares 0 10 --limit 200   # a quick check
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.corpus.evaluate import evaluate  # noqa: E402
from core.corpus.io import read_parallel, read_pharaoh, write_pharaoh  # noqa: E402
from core.datamodel import Alignment, Sentence, SentencePair  # noqa: E402
from core.errors import LabelBridgeError  # noqa: E402
from core.projection.pipeline import Method, ProjectedPair, ProjectionConfig, align, with_lexical_links  # noqa: E402
from core.review.cost import review_keys, rows_of  # noqa: E402
from core.review.project import entity_candidates  # noqa: E402
from core.review.reproject import ReviewedPair, attach_sources, reproject_reviewed, review_evidence  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "europarl-en-es"
SHARES = (0, 5, 10, 25)
# column name -> (which run's result, which of its projections)
SHORT = {
    "heuristic": "heuristic",
    "matching, no corpus evidence": "matching",
    "matching + corpus evidence (default)": "+evidence",
}
METHODS: dict[str, tuple[str, Method]] = {
    "heuristic": ("evidence", "heuristic"),
    "matching, no corpus evidence": ("plain", "matching"),
    "matching + corpus evidence (default)": ("evidence", "matching"),
}
Log = Callable[[str], None]


@dataclass(frozen=True)
class Score:
    """One method on the rest of the corpus: F1 x 100 and keys per sentence."""

    f1: float
    keys: float


@dataclass
class Cell:
    """One method at one share, over the alignment runs: after re-projection and before."""

    f1: list[float] = field(default_factory=list)
    keys: list[float] = field(default_factory=list)
    f1_before: list[float] = field(default_factory=list)
    keys_before: list[float] = field(default_factory=list)


def reversed_pairs(pairs: Sequence[SentencePair]) -> list[SentencePair]:
    """Target gold becomes the source entities and the other way round."""
    return [SentencePair(p.target, p.source) for p in pairs]


def reversed_links(alignment: Alignment) -> Alignment:
    weights = {(j, i): w for (i, j), w in alignment.weight_map().items()}
    return Alignment.from_pairs(weights, weights)


def both_directions(
    pairs: Sequence[SentencePair], config: ProjectionConfig, eflomal: Sequence[Sequence[Alignment]]
) -> list[tuple[str, Sequence[SentencePair], ProjectionConfig, list[list[Alignment]]]]:
    """EN->ES as given, and ES->EN: the Spanish gold as the entities, every run's links reversed."""
    return [
        ("EN->ES", pairs, config, [list(run_links) for run_links in eflomal]),
        (
            "ES->EN",
            reversed_pairs(pairs),
            ProjectionConfig(source_lang="es", target_lang="en"),
            [[reversed_links(a) for a in run_links] for run_links in eflomal],
        ),
    ]


def cached_alignments(pairs: Sequence[SentencePair], config: ProjectionConfig, path: Path, log: Log) -> list[Alignment]:
    """The aligner's links of ``pairs`` without the lexical links: read from ``path`` when it
    exists (checked against the corpus), else made once and written there."""
    if path.exists():
        cached = read_pharaoh(path, pairs)
        log(f"alignment: reused {path}")
        return cached
    started, cpu = time.perf_counter(), _cpu()
    plain = [SentencePair(p.source, Sentence(p.target.tokens)) for p in pairs]
    alignments = align(plain, config.with_options(lexical_links=False))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_pharaoh(path, alignments)
    log(
        f"alignment: {config.aligner} in {time.perf_counter() - started:.0f} s wall, {_cpu() - cpu:.0f} s CPU; "
        f"saved to {path}, reused by later runs"
    )
    return alignments


def _cpu() -> float:
    """CPU seconds (user + sys) of this process and its finished children (eflomal)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def reviewed_of(pairs: Sequence[SentencePair], alignments: Sequence[Alignment]) -> list[ReviewedPair]:
    """Reviewed pairs whose final spans are the target gold, each attached to its entity."""
    out = []
    for pair, alignment in zip(pairs, alignments):
        spans = attach_sources(pair.source.spans, [(s, None) for s in pair.target.spans], alignment)
        out.append(ReviewedPair(pair.source.tokens, pair.source.spans, pair.target.tokens, tuple(spans)))
    return out


def keys_of(result: ProjectedPair, method: Method, gold: Sentence, candidates: dict) -> int:
    """The simulated reviewer's presses for one sentence, ``method``'s proposals as the rows."""
    entities = {span: e for e, span in enumerate(result.pair.source.spans)}
    proposals = [(p.span, entities.get(p.source_span, -1)) for p in result.projections(method)]
    cands = {e: [(a, b) for a, b, _ in c] for e, c in candidates.items()}
    labels = [span.label for span in result.pair.source.spans]
    return review_keys(rows_of(proposals), gold.spans, len(gold), cands, labels).keys


@dataclass(frozen=True)
class Session:
    """One simulated session: the rest's size, and every method's scores on the rest after
    its re-projection and before it (the plain projection of the whole corpus)."""

    rest: int
    after: dict[str, Score]
    before: dict[str, Score]


def projections(
    pairs: Sequence[SentencePair], alignments: Sequence[Alignment], config: ProjectionConfig, k: int
) -> dict[str, list[ProjectedPair]]:
    """``pairs[k:]`` re-projected as the app does after ``pairs[:k]`` were reviewed with their
    gold as final spans, with and without corpus evidence (k = 0: the plain projection)."""
    reviewed = reviewed_of(pairs[:k], alignments[:k])
    blind = [SentencePair(p.source, Sentence(p.target.tokens)) for p in pairs[k:]]
    runs = {}
    for name, run_config in (("evidence", config), ("plain", config.with_options(corpus_evidence=False))):
        evidence = review_evidence(reviewed, alignments[:k], run_config)
        runs[name] = [r.result for r in reproject_reviewed(blind, alignments[k:], run_config, evidence)]
    return runs


def scores(
    runs: dict[str, Sequence[ProjectedPair]], gold: Sequence[Sentence], config: ProjectionConfig
) -> dict[str, Score]:
    """F1 x 100 and keys per sentence of every method of :data:`METHODS` against ``gold``."""
    candidates = {name: [entity_candidates(r, config) for r in results] for name, results in runs.items()}
    out = {}
    for column, (run, method) in METHODS.items():
        results = runs[run]
        f1 = 100 * evaluate(gold, [r.target_with(method) for r in results]).overall.f1
        keys = sum(keys_of(r, method, g, c) for r, g, c in zip(results, gold, candidates[run]))
        out[column] = Score(f1, keys / max(len(gold), 1))
    return out


def session(
    pairs: Sequence[SentencePair],
    alignments: Sequence[Alignment],
    config: ProjectionConfig,
    share: float,
    plain: dict[str, list[ProjectedPair]] | None = None,
) -> Session:
    """Review the first ``share``% of ``pairs`` (gold as final spans), re-project the rest as
    the app does, and score every method of :data:`METHODS` on the rest, after and before.

    ``pairs`` carry the target gold (projection never reads it); ``alignments`` are the
    links the projection uses (lexical links included); ``plain`` is
    ``projections(pairs, alignments, config, 0)`` when the caller has it already."""
    k = round(len(pairs) * share / 100)
    gold = [p.target for p in pairs[k:]]
    plain = plain if plain is not None else projections(pairs, alignments, config, 0)
    before = scores({name: results[k:] for name, results in plain.items()}, gold, config)
    after = scores(projections(pairs, alignments, config, k), gold, config) if k else before
    return Session(len(gold), after, before)


def direction_table(title: str, cells: dict[tuple[float, str], Cell], rests: dict[float, int]) -> str:
    lines = [title, ""]
    head = ["reviewed", "rest"]
    for column in METHODS:
        head += [f"{column} F1", "keys"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for share, rest in rests.items():
        row = [f"{share:g}%", str(rest)]
        for column in METHODS:
            cell = cells[(share, column)]
            spread = f" ± {statistics.stdev(cell.f1):.1f}" if len(cell.f1) > 1 else ""
            f1_change = statistics.mean(a - b for a, b in zip(cell.f1, cell.f1_before))
            keys_change = statistics.mean(a - b for a, b in zip(cell.keys, cell.keys_before))
            if share:
                row += [
                    f"{statistics.mean(cell.f1):.1f}{spread} ({round(f1_change, 1) + 0.0:+.1f})",
                    f"{statistics.mean(cell.keys):.2f} ({round(keys_change, 2) + 0.0:+.2f})",
                ]
            else:
                row += [f"{statistics.mean(cell.f1):.1f}{spread}", f"{statistics.mean(cell.keys):.2f}"]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> None:
    log: Log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    if not (SHARED / "en.conll").exists():
        print(f"skipped: the shared corpus is not at {SHARED} (it sits beside the clone)")
        return
    started = time.perf_counter()
    pairs = read_parallel(SHARED / "en.conll", SHARED / "es.conll")
    if args.limit:
        pairs = pairs[: args.limit]
    n = len(pairs)
    links_dir = Path(args.links_dir)
    config = ProjectionConfig(source_lang="en", target_lang="es")
    align_started = time.perf_counter()
    paths = [links_dir / f"europarl-en-es-{n}-run{r + 1}.pharaoh" for r in range(args.runs)]
    made = sum(not path.exists() for path in paths)
    eflomal = [cached_alignments(pairs, config, path, log) for path in paths]
    align_seconds = time.perf_counter() - align_started
    directions = both_directions(pairs, config, eflomal)
    tables = []
    for name, dir_pairs, dir_config, dir_links in directions:
        cells: dict[tuple[float, str], Cell] = {}
        rests: dict[float, int] = {}
        for r, run_links in enumerate(dir_links):
            links = with_lexical_links(dir_pairs, run_links)
            plain = projections(dir_pairs, links, dir_config, 0)
            for share in args.shares:
                step = time.perf_counter()
                done = session(dir_pairs, links, dir_config, share, plain)
                rests[share] = done.rest
                for column, score in done.after.items():
                    cell = cells.setdefault((share, column), Cell())
                    cell.f1.append(score.f1)
                    cell.keys.append(score.keys)
                    cell.f1_before.append(done.before[column].f1)
                    cell.keys_before.append(done.before[column].keys)
                summary = ", ".join(f"{SHORT[c]} F1 {s.f1:.1f} keys {s.keys:.2f}" for c, s in done.after.items())
                log(
                    f"  {name} alignment {r + 1}/{len(dir_links)}, {share:g}% reviewed: {summary} ({time.perf_counter() - step:.0f} s)"
                )
        tables.append(
            direction_table(
                f"{name}, Europarl, {n} sentence pairs; the first k% reviewed with gold, the rest re-projected as the app "
                f"does; F1 x 100 on the rest (mean ± sd over {args.runs} alignment runs) and the simulated reviewer's "
                "keys per sentence on the rest (mean, Enter included); in brackets the change against the plain projection of the same "
                "sentences (no review), mean over the runs",
                cells,
                rests,
            )
        )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print("\n\n".join(tables))
    print(
        f"\nwall {time.perf_counter() - started:.0f} s (alignment {align_seconds:.0f} s, {made} runs made, {args.runs - made} read from {links_dir}); CPU {usage.ru_utime + usage.ru_stime:.0f} s "
        f"(this process) + {children.ru_utime + children.ru_stime:.0f} s (eflomal)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="alignment runs (default: %(default)s)")
    parser.add_argument(
        "--shares", type=float, nargs="+", default=list(SHARES), help="percentages reviewed (default: 0 5 10 25)"
    )
    parser.add_argument("--limit", type=int, help="only the first N sentence pairs")
    parser.add_argument(
        "--links-dir",
        default=str(Path(tempfile.gettempdir()) / "labelbridge-review-table"),
        help="where the eflomal links are cached: read when there, else made and written (default: %(default)s)",
    )
    args = parser.parse_args()
    if args.runs < 1 or (args.limit is not None and args.limit < 1) or any(not 0 <= s < 100 for s in args.shares):
        parser.error("--runs and --limit must be at least 1, every share in [0, 100)")
    try:
        run(args)
    except LabelBridgeError as exc:  # e.g. a cached links file that does not fit the corpus
        sys.exit(f"error: {exc} (delete the file to align again)")


if __name__ == "__main__":
    main()
