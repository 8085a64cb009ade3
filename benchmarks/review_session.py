"""A simulated review session on the shared Europarl corpus (English -> Spanish): how much
do the reviewer's decisions improve the projection of the sentences not reviewed yet?

The reviewer reviews the first k% of the sentences and their final spans are the Spanish
gold. The rest is re-projected from that evidence (core.review.reproject: the translation
table of reviewed entity strings, as fixed links) and scored against gold, for the heuristic
and matching (n-gram candidates, ILP), before and after. The alignment is made once with
eflomal (cached in --links, reused on later runs).

    nice -n 10 python benchmarks/review_session.py
    nice -n 10 python benchmarks/review_session.py --ner   # NER candidates too (minutes per k)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.corpus.evaluate import evaluate
from core.corpus.io import read_parallel, read_pharaoh, write_pharaoh
from core.datamodel import Sentence, SentencePair
from core.projection.pipeline import ProjectionConfig, align, project_corpus
from core.projection.stopwords import stop_words  # noqa: E402
from core.review.reproject import (
    ReviewedPair,
    attach_sources,
    learn_scores,
    ner_training_data,
    reproject_pairs,
    span_edges,
    translation_table,
    word_table,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "europarl-en-es"
SHARES = (0, 5, 10, 25)
VARIANTS = {
    "links added": {"replace": False},
    "links replaced": {"replace": True},
    "+ edges": {"edges": True},
    "+ labels": {"relabel": True},
    "+ drops": {"drop": True},
    "learned scores": {"model": True},
    "learned + labels": {"model": True, "relabel": True},
    "word links": {"words": True},
    "learned + word links": {"model": True, "words": True},
}


def f1(gold, results, method: str) -> float:
    return 100 * evaluate(gold, [r.target_with(method) for r in results]).overall.f1


def ner_candidates(pairs, gold, heuristic, n_reviewed: int, epochs: int) -> list[list[tuple[int, int]]]:
    """Train the NER candidate model on heuristic spans, the first ``n_reviewed`` sentences'
    gold in their place (weighted twice), and predict spans for every sentence."""
    from core.review.ner_training import predict_spans, train_ner

    reviewed = {k: list(gold[k].spans) for k in range(n_reviewed)}
    data = ner_training_data([p.target.tokens for p in pairs], heuristic, reviewed)
    with tempfile.TemporaryDirectory() as tmp:
        trained = train_ner(data, "es", Path(tmp) / "ner", epochs=epochs)
        return predict_spans(trained.path, [p.target.tokens for p in pairs])


def run(args: argparse.Namespace) -> None:
    if not (SHARED / "en.conll").exists():
        print(f"skipped: the shared corpus is not at {SHARED} (it sits beside the clone)")
        return
    pairs = read_parallel(SHARED / "en.conll", SHARED / "es.conll")
    gold = [p.target for p in pairs]
    plain_pairs = [SentencePair(p.source, Sentence(p.target.tokens)) for p in pairs]
    config = ProjectionConfig(source_lang="en", target_lang="es")
    links_path = Path(args.links)
    if links_path.exists():
        alignments = read_pharaoh(links_path, pairs)
        print(f"alignment: reused {links_path}", file=sys.stderr)
    else:
        started = time.perf_counter()
        alignments = align(plain_pairs, config)
        write_pharaoh(links_path, alignments)
        print(f"alignment: eflomal in {time.perf_counter() - started:.0f} s, saved to {links_path}", file=sys.stderr)
    n = len(pairs)
    before_all = project_corpus(plain_pairs, config, alignments)
    ner_before = None
    if args.ner:
        heuristic = [[p.span for p in r.heuristic] for r in before_all]
        ner_before = project_corpus(
            plain_pairs, config, alignments, ner_candidates(plain_pairs, gold, heuristic, 0, args.epochs)
        )
    rows = []
    for share in args.shares:
        k = round(n * share / 100)
        reviewed = []
        for pair, alignment, g in zip(pairs[:k], alignments[:k], gold[:k]):
            spans = attach_sources(pair.source.spans, [(s, None) for s in g.spans], alignment)
            reviewed.append(ReviewedPair(pair.source.tokens, pair.source.spans, pair.target.tokens, tuple(spans)))
        table = translation_table(reviewed)
        rest, rest_links, rest_gold = plain_pairs[k:], alignments[k:], gold[k:]
        before = before_all[k:]
        variants = {}
        edges = span_edges(reviewed)
        model = learn_scores(reviewed, alignments[:k], table, config)
        words = word_table(reviewed, skip=stop_words("es"), source_skip=stop_words("en"))
        for name, options in VARIANTS.items():
            started = time.perf_counter()
            options = {
                **options,
                "edges": edges if options.get("edges") else None,
                "model": model if options.get("model") else None,
                "words": words if options.get("words") else None,
            }
            after = [r.result for r in reproject_pairs(rest, rest_links, config, table, **options)]
            variants[name] = (after, time.perf_counter() - started)
        row = {
            "share": share,
            "reviewed": k,
            "rest": n - k,
            "table": len(table),
            "heuristic before": f1(rest_gold, before, "heuristic"),
            "matching before": f1(rest_gold, before, "matching"),
        }
        for name, (after, seconds) in variants.items():
            row[f"heuristic, {name}"] = f1(rest_gold, after, "heuristic")
            row[f"matching, {name}"] = f1(rest_gold, after, "matching")
            row[f"seconds, {name}"] = seconds
        if args.ner:
            row["NER matching before"] = f1(rest_gold, ner_before[k:], "matching")
            redone = [r.result for r in reproject_pairs(rest, rest_links, config, table)]
            heuristic = [[p.span for p in r.heuristic] for r in before_all[:k]] + [
                [p.span for p in r.heuristic] for r in redone
            ]
            candidates = ner_candidates(plain_pairs, gold, heuristic, k, args.epochs)
            after = [r.result for r in reproject_pairs(rest, rest_links, config, table, candidates[k:])]
            row["NER matching after"] = f1(rest_gold, after, "matching")
        rows.append(row)
        print(f"  {share}% reviewed: done", file=sys.stderr, flush=True)

    print(
        f"\nEN->ES Europarl, {n} sentence pairs; the first k% reviewed (final spans = gold), F1 x 100 on the rest; "
        "matching = n-gram candidates, ILP; one eflomal alignment for all rows; after = re-projected with the evidence named "
        "(every variant starts from the reviewed translations as links, replaced unless said; the app uses word links)\n"
    )
    names = list(VARIANTS)
    head = (
        ["reviewed", "left", "table", "heuristic before"]
        + [f"heuristic {v}" for v in names]
        + ["matching before"]
        + [f"matching {v}" for v in names]
        + ["s (learned)"]
        + (["NER matching before", "NER matching after"] if args.ner else [])
    )
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        cells = [f"{r['share']}% ({r['reviewed']})", str(r["rest"]), str(r["table"]), f"{r['heuristic before']:.1f}"]
        cells += [f"{r[f'heuristic, {v}']:.1f}" for v in names] + [f"{r['matching before']:.1f}"]
        cells += [f"{r[f'matching, {v}']:.1f}" for v in names] + [f"{r['seconds, learned scores']:.1f}"]
        if args.ner:
            cells += [f"{r['NER matching before']:.1f}", f"{r['NER matching after']:.1f}"]
        print("| " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--links",
        default=str(Path(tempfile.gettempdir()) / "labelbridge-europarl-en-es.pharaoh"),
        help="eflomal links of the corpus: read when the file exists, else made and written there",
    )
    parser.add_argument(
        "--shares", type=int, nargs="+", default=list(SHARES), help="percentages reviewed (default: 0 5 10 25)"
    )
    parser.add_argument(
        "--ner", action="store_true", help="also NER-candidate matching, the model retrained per share (slow)"
    )
    parser.add_argument("--epochs", type=int, default=15, help="NER training epochs with --ner (default: %(default)s)")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
