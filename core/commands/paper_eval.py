"""``paper-eval``: the paper's evaluation protocol on a gold target-language test set."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.commands.files import check_files, check_folder
from core.commands.model_options import (
    add_model_options,
    options_from_args,
    stderr_status,
)
from core.commands.options import positive_int

EPILOG = """\
examples:
  # XTREME PAN-X Spanish, saved with datasets' save_to_disk (a DatasetDict folder)
  python -m core paper-eval --gold ~/data/panx-es --split test --lang es --json-out es.json

  # MasakhaNER 2.0 Hausa (DATE is mapped to O: an English CoNLL-2003 tagger has no DATE)
  python -m core paper-eval --gold ~/data/masakhaner2-hau --lang hau --aligner awesome

  # any CoNLL gold file, first 200 sentences, with local model folders
  python -m core paper-eval --gold test.conll --lang deu_Latn --limit 200 \\
      --translator ~/models/nllb --ner ~/models/xlmr-conll03 --aligner-model ~/models/mbert

The gold tags are never shown to the models: the target tokens are translated to English,
tagged, aligned and projected back, then heuristic and matching projections are scored with
seqeval (entity-level micro F1). Labels only one side can have become O (MISC for PAN-X and
MasakhaNER2, DATE for MasakhaNER2). The paper's 57 languages: the 39 PAN-X codes (af ar bg
bn de el es et eu fa fi fr he hi hu id it ja jv ka kk ko ml mr ms my nl pt ru sw ta te th tl
tr ur vi yo zh) and 18 MasakhaNER2 codes (bam ewe fon hau ibo kin lug luo mos nya sna swa tsn
twi wol xho yor zul); any NLLB-200 code works too.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "paper-eval",
        help="score the model pipeline against a gold target-language test set (the paper's protocol)",
        description="Translate a gold test set's sentences to English, tag, align, project onto the original "
        "tokens and score heuristic and matching projections against the gold labels with seqeval.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--gold",
        type=Path,
        required=True,
        metavar="PATH",
        help="gold CoNLL file, or a datasets folder written by save_to_disk (PAN-X, MasakhaNER2)",
    )
    parser.add_argument("--split", default="test", help="split of a DatasetDict folder (default: test)")
    parser.add_argument(
        "--lang", required=True, metavar="CODE", help="the gold set's language: dataset code (es, hau) or NLLB-200 code"
    )
    parser.add_argument("--limit", type=positive_int, help="score only the first N sentences")
    parser.add_argument(
        "--ner-labels",
        default="PER,LOC,ORG,MISC",
        help="labels the English NER model predicts (default: CoNLL-2003's PER,LOC,ORG,MISC)",
    )
    parser.add_argument("--json-out", type=Path, metavar="FILE", help="also write the scores as JSON")
    parser.add_argument(
        "--predictions-out",
        type=Path,
        metavar="PREFIX",
        help="also write PREFIX.heuristic.conll and PREFIX.matching.conll",
    )
    add_model_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from core.corpus.io import write_conll, write_file
    from core.models.paper_eval import paper_evaluate, predictions, read_gold

    prefixed = (
        [("--predictions-out", Path(f"{args.predictions_out}.{method}.conll")) for method in ("heuristic", "matching")]
        if args.predictions_out
        else []
    )
    check_files(args, inputs=("gold",), outputs=("json_out",), extra_outputs=prefixed)
    check_folder("--cache-dir", args.cache_dir)
    gold = read_gold(args.gold, args.split)
    if args.limit:
        gold = gold[: args.limit]
    options = options_from_args(args, args.lang)
    labels = frozenset(label.strip() for label in args.ner_labels.split(",") if label.strip())
    evaluation = paper_evaluate(gold, options, args.cache_dir, labels, status=stderr_status)
    print(evaluation.report())
    if args.json_out:
        write_file(args.json_out, json.dumps(evaluation.as_dict(), indent=2) + "\n")
    if args.predictions_out:
        for method in ("heuristic", "matching"):
            write_conll(
                f"{args.predictions_out}.{method}.conll", predictions(evaluation.result, method, evaluation.labels)
            )
    print(f"scored {evaluation.sentences} sentences", file=sys.stderr)
    return 0
