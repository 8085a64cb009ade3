"""Word-align source and target sentences and write Pharaoh links (python -m core align)."""
from __future__ import annotations

import argparse
import sys

from ..aligners import make_aligner
from ..corpus_io import read_sentences, write_pharaoh
from ..errors import CorpusError
from ..progress import terminal_progress
from .options import add_aligner_options, aligner_options

EPILOG = """\
examples:
  python -m core align --source en.conll --target es.txt --out en-es.pharaoh
  python -m core align --source en.txt --target es.txt --out en-es.pharaoh --runs 5

SRC and TGT are CoNLL or tokenised text (one sentence a line). OUT has one line per
sentence pair of 0-based source-target links, e.g. "0-0 1-2 2-1" (Pharaoh format)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "align", help="word-align sentence pairs and write Pharaoh links",
        description=__doc__, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--source", required=True, metavar="SRC", help="source sentences: CoNLL or tokenised text")
    parser.add_argument("--target", required=True, metavar="TGT", help="target sentences: CoNLL or tokenised text")
    parser.add_argument("--out", required=True, metavar="FILE.pharaoh", help="where to write the links")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    add_aligner_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    sources, targets = read_sentences(args.source), read_sentences(args.target)
    if len(sources) != len(targets):
        raise CorpusError(args.target, None, f"has {len(targets)} sentences but {args.source} has {len(sources)}")
    aligner = make_aligner(args.aligner, **aligner_options(args))
    with terminal_progress(f"aligning ({args.aligner})", not args.quiet) as progress:
        alignments = aligner.align_corpus([s.tokens for s in sources], [t.tokens for t in targets], progress)
    write_pharaoh(args.out, alignments)
    print(f"aligned {len(alignments)} sentence pairs ({sum(map(len, alignments))} links) -> {args.out}", file=sys.stderr)
    return 0
