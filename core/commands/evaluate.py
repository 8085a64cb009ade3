"""Score projected tags against gold with seqeval: entity-level precision, recall and F1 (python -m core evaluate)."""
from __future__ import annotations

import argparse
import json

from ..corpus_io import read_conll
from ..errors import CorpusError
from ..evaluate import evaluate

EPILOG = """\
examples:
  python -m core evaluate --gold es.gold.conll --pred es.projected.conll
  python -m core evaluate --gold es.gold.conll --pred es.projected.conll --ignore-label MISC --json

Both files must have the same sentences and tokens. Scores are micro-averaged over
entities (exact span and label match), as conlleval computes them."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="score projected tags against gold tags",
        description=__doc__, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--gold", required=True, metavar="GOLD.conll")
    parser.add_argument("--pred", required=True, metavar="PRED.conll")
    parser.add_argument("--ignore-label", action="append", default=[], metavar="LABEL",
                        help="treat this label as O on both sides, e.g. MISC (repeatable)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    gold, pred = read_conll(args.gold), read_conll(args.pred)
    if len(gold) != len(pred):
        raise CorpusError(args.pred, None, f"has {len(pred)} sentences but {args.gold} has {len(gold)}")
    for k, (g, p) in enumerate(zip(gold, pred), start=1):
        if g.tokens != p.tokens:
            raise CorpusError(args.pred, None, f"sentence {k} has other tokens than in {args.gold}: {' '.join(p.tokens[:8])!r}...")
    result = evaluate(gold, pred, args.ignore_label)
    print(json.dumps(result.as_dict(), indent=2) if args.json else result.table())
    return 0
