"""Score projected tags against gold with seqeval: entity-level precision, recall and F1 (python -m core evaluate)."""

from __future__ import annotations

import argparse
import json

from core.corpus.evaluate import evaluate_tags
from core.corpus.io import TaggedSentence, read_tagged, tagged_spans
from core.corpus.tags import TagError, check_iob2, detect_scheme, to_bioes_letters
from core.errors import CorpusError

EPILOG = """\
examples:
  python -m core evaluate --gold es.gold.conll --pred es.projected.conll
  python -m core evaluate --gold es.gold.conll --pred es.projected.conll --ignore-label MISC --json

Both files must have the same sentences and tokens. Scores are micro-averaged over
entities (exact span and label match), exactly as seqeval's default mode (conlleval)
computes them: an I- tag that continues no entity starts one, and IOB1 and BIOES tags
are read too; a BILUO file (L-, U-) is checked and read as BIOES. --strict accepts only IOB2 (O, B-, I-; every I- continuing an entity) and
scores in seqeval's strict IOB2 mode."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="score projected tags against gold tags",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--gold", required=True, metavar="GOLD.conll")
    parser.add_argument("--pred", required=True, metavar="PRED.conll")
    parser.add_argument(
        "--ignore-label",
        action="append",
        default=[],
        metavar="LABEL",
        help="treat this label as O on both sides, e.g. MISC (repeatable)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse tags that are not strict IOB2 (naming file and line) and score in seqeval's strict mode",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=run)


def _check_strict(path: str, sentences: list[TaggedSentence]) -> None:
    for sentence in sentences:
        try:
            check_iob2(sentence.tags)
        except TagError as err:
            raise CorpusError(path, sentence.lines[err.index], f"{err} (--strict)") from None


def _seqeval_tags(path: str, sentences: list[TaggedSentence]) -> list[list[str]]:
    """Tags as seqeval reads them: BILUO (which seqeval does not know) checked, naming
    file and line, and rewritten with BIOES letters; other schemes as written."""
    scheme = detect_scheme([tag for s in sentences for tag in s.tags])
    if scheme != "BILUO":
        return [list(s.tags) for s in sentences]
    tagged_spans(path, sentences)
    return [to_bioes_letters(s.tags, scheme) for s in sentences]


def run(args: argparse.Namespace) -> int:
    gold, pred = read_tagged(args.gold), read_tagged(args.pred)
    if len(gold) != len(pred):
        raise CorpusError(args.pred, None, f"has {len(pred)} sentences but {args.gold} has {len(gold)}")
    for k, (g, p) in enumerate(zip(gold, pred), start=1):
        if g.tokens != p.tokens:
            line = next(
                (n for n, a, b in zip(p.lines, p.tokens, g.tokens) if a != b),
                p.lines[min(len(p.tokens), len(g.tokens)) - 1],
            )
            raise CorpusError(
                args.pred,
                line,
                f"sentence {k} has other tokens than in {args.gold} "
                f"({len(p.tokens)} tokens here, {len(g.tokens)} there)",
            )
    if args.strict:
        _check_strict(args.gold, gold)
        _check_strict(args.pred, pred)
    result = evaluate_tags(
        _seqeval_tags(args.gold, gold), _seqeval_tags(args.pred, pred), args.ignore_label, strict=args.strict
    )
    print(json.dumps(result.as_dict(), indent=2) if args.json else result.table())
    return 0
