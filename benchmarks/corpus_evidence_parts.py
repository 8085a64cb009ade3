"""What each part of corpus evidence adds to matching, on text as written and on lower-cased text.

Corpus evidence (``core/projection/corpus_evidence.py``) is four things learned from a first
matching pass over the whole corpus. This adds them one at a time and scores default matching
(ILP) after each, on the shared Europarl corpus, EN->ES and ES->EN (the Spanish gold projected
onto English):

1. none (``--corpus-evidence off``);
2. light function words: the corpus's own function words weigh 0.7 inside a candidate;
3. + known translations: the second pass's bonus for a translation seen elsewhere;
4. + cased labels: a cased label on one lower-case word becomes MISC or is dropped;
5. + known names (the default): a projection that cuts a known multiword name is widened.

The same again with every target word lower-cased, as a stand-in for a script without case
(Arabic, Hebrew, Chinese, Hindi...): the cased-label rule finds no cased label there and stays
off, so this shows what the other parts do without case. F1 x 100, mean ± sd over the alignment
runs that ``benchmarks/review_table.py`` caches (made here once when missing).

``--noise DROP ADD`` stands in for a weaker aligner (a language pair eflomal has less to go
on): each link is dropped with probability DROP and ADD random links a source word are added
(seeded, the same for every part).

    python benchmarks/corpus_evidence_parts.py                   # 5 alignment runs
    python benchmarks/corpus_evidence_parts.py --runs 1          # a quick look
    python benchmarks/corpus_evidence_parts.py --noise 0.3 0.5   # weaker links
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from review_table import SHARED, both_directions, cached_alignments  # noqa: E402

from core.corpus.evaluate import evaluate  # noqa: E402
from core.corpus.io import read_parallel  # noqa: E402
from core.datamodel import Alignment, Sentence, SentencePair  # noqa: E402
from core.projection.corpus_evidence import Findings, corpus_findings, corpus_lights  # noqa: E402
from core.projection.pipeline import (  # noqa: E402
    ProjectedPair,
    ProjectionConfig,
    project_corpus,
    project_pair,
    second_pass,
    with_lexical_links,
)

PARTS = (
    "none",
    "light function words",
    "+ known translations",
    "+ cased labels",
    "+ known names (default)",
)


def part_findings(findings: Findings) -> dict[str, Findings]:
    """The findings each part of :data:`PARTS` past the first two adds up to."""
    translations = Findings(findings.table, labels=findings.labels)
    cased = replace(translations, cased=findings.cased)
    return {PARTS[2]: translations, PARTS[3]: cased, PARTS[4]: findings}


def projections_by_part(
    pairs: Sequence[SentencePair], alignments: Sequence[Alignment], config: ProjectionConfig
) -> dict[str, list[ProjectedPair]]:
    """Every part's matching projections of ``pairs`` (target gold not read)."""
    blind = [SentencePair(p.source, Sentence(p.target.tokens)) for p in pairs]
    out = {
        PARTS[0]: project_corpus(blind, config.with_options(corpus_evidence=False), alignments, methods=("matching",))
    }
    lights = corpus_lights(blind)
    first = [
        project_pair(pair, alignment, config, None, ("matching",), k + 1, light=lights[k])
        for k, (pair, alignment) in enumerate(zip(blind, alignments))
    ]
    out[PARTS[1]] = first
    for part, findings in part_findings(corpus_findings(blind, first)).items():
        out[part] = [
            second_pass(pair, alignments[k], config, None, first[k], findings, lights[k], k + 1) or first[k]
            for k, pair in enumerate(blind)
        ]
    default = project_corpus(blind, config, alignments, methods=("matching",))
    if [r.matching for r in default] != [r.matching for r in out[PARTS[4]]]:
        raise AssertionError("the parts do not add up to project_corpus's default")
    return out


def with_noise(
    pairs: Sequence[SentencePair], alignments: Sequence[Alignment], drop: float, add: float, seed: int
) -> list[Alignment]:
    """Each link dropped with probability ``drop``; ``add`` random links a source word added."""
    rng = random.Random(seed)
    out = []
    for pair, alignment in zip(pairs, alignments):
        weights = {link: w for link, w in alignment.weight_map().items() if rng.random() >= drop}
        for _ in range(round(add * len(pair.source))):
            weights.setdefault((rng.randrange(len(pair.source)), rng.randrange(len(pair.target))), 1.0)
        out.append(Alignment.from_pairs(weights, weights))
    return out


def lower_cased(pairs: Sequence[SentencePair]) -> list[SentencePair]:
    """The pairs with every target word lower-cased (entities kept)."""
    return [SentencePair(p.source, Sentence(tuple(t.lower() for t in p.target.tokens), p.target.spans)) for p in pairs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="alignment runs (default: %(default)s)")
    parser.add_argument(
        "--links-dir",
        default=str(Path(tempfile.gettempdir()) / "labelbridge-review-table"),
        help="where the eflomal links are cached, shared with review_table.py (default: %(default)s)",
    )
    parser.add_argument(
        "--noise",
        type=float,
        nargs=2,
        metavar=("DROP", "ADD"),
        help="drop each link with probability DROP and add ADD random links a source word",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.noise and not (0 <= args.noise[0] <= 1 and args.noise[1] >= 0):
        parser.error("--noise: DROP must be in [0, 1] and ADD at least 0")
    if not (SHARED / "en.conll").exists():
        print(f"skipped: the shared corpus is not at {SHARED} (it sits beside the clone)")
        return
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    pairs = read_parallel(SHARED / "en.conll", SHARED / "es.conll")
    config = ProjectionConfig(source_lang="en", target_lang="es")
    paths = [Path(args.links_dir) / f"europarl-en-es-{len(pairs)}-run{r + 1}.pharaoh" for r in range(args.runs)]
    eflomal = [cached_alignments(pairs, config, path, log) for path in paths]
    directions = both_directions(pairs, config, eflomal)
    columns = []
    scores: dict[tuple[str, str], list[float]] = {}
    for name, dir_pairs, dir_config, dir_links in directions:
        for text, text_pairs in (("as written", dir_pairs), ("lower-cased", lower_cased(dir_pairs))):
            column = f"{name}, {text}"
            columns.append(column)
            gold = [p.target for p in text_pairs]
            for r, run_links in enumerate(dir_links):
                if args.noise:
                    run_links = with_noise(text_pairs, run_links, *args.noise, seed=r + 1)
                links = with_lexical_links(text_pairs, run_links)
                for part, results in projections_by_part(text_pairs, links, dir_config).items():
                    f1 = 100 * evaluate(gold, [r.target_with("matching") for r in results]).overall.f1
                    scores.setdefault((part, column), []).append(f1)
            log(f"  {column}: done")
    print(
        f"Matching (ILP) on the shared Europarl corpus, {len(pairs)} pairs; F1 x 100, mean ± sd over {args.runs} "
        "alignment runs; each row adds one part of corpus evidence to the row above it; "
        '"lower-cased": every target word lower-cased, as a script without case'
        + (
            f"; links with noise: {args.noise[0]:g} dropped, {args.noise[1]:g} random a source word added"
            if args.noise
            else ""
        )
        + "\n"
    )
    print("| corpus evidence | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for part in PARTS:
        cells = []
        for column in columns:
            values = scores[(part, column)]
            spread = f" ± {statistics.stdev(values):.1f}" if len(values) > 1 else ""
            cells.append(f"{statistics.mean(values):.1f}{spread}")
        print(f"| {part} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
