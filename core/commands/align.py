"""Word-align source and target sentences and write Pharaoh links (python -m core align)."""

from __future__ import annotations

import argparse
import sys

from core.commands.files import check_files
from core.commands.options import add_aligner_options, add_language_options, config_from_args, positive_int, weight
from core.commands.sanity import language_code_warnings, language_warnings, warn
from core.corpus.io import read_sentences, write_pharaoh
from core.datamodel import SentencePair
from core.errors import CorpusError
from core.progress import terminal_progress
from core.projection.pipeline import align, strong_links
from core.scale.chunked import shard_bounds

EPILOG = """\
examples:
  python -m core align --source en.conll --target es.txt --out en-es.pharaoh
  python -m core align --source en.txt --target es.txt --out en-es.pharaoh --runs 5

SRC and TGT are CoNLL or tokenised text (one sentence a line). OUT has one line per
sentence pair of 0-based source-target links, e.g. "0-0 1-2 2-1:0.4" (Pharaoh format;
":0.4" is the share of eflomal runs that found the link, 1 when left out). Give OUT to
`project --alignments` to reuse it, or use --plain for tools that read strict Pharaoh."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "align",
        help="word-align sentence pairs and write Pharaoh links",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--source", required=True, metavar="SRC", help="source sentences: CoNLL or tokenised text")
    parser.add_argument("--target", required=True, metavar="TGT", help="target sentences: CoNLL or tokenised text")
    parser.add_argument("--out", required=True, metavar="FILE.pharaoh", help="where to write the links")
    parser.add_argument(
        "--plain",
        type=weight,
        nargs="?",
        const=0.5,
        metavar="MIN_WEIGHT",
        help="write plain Pharaoh links (no weights) for other tools, keeping links of weight "
        ">= MIN_WEIGHT (default 0.5: links most eflomal runs agree on)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument(
        "--align-shard-size",
        type=positive_int,
        metavar="N",
        help="train on shards of at least N pairs, each on its own, instead of the whole corpus "
        "(less memory; fewer pairs per shard, weaker eflomal links)",
    )
    add_aligner_options(parser)
    add_language_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    check_files(args, inputs=("source", "target", "alignments"), outputs=("out",))
    warn(language_code_warnings(args.target_lang))
    sources, targets = read_sentences(args.source), read_sentences(args.target)
    if len(sources) != len(targets):
        raise CorpusError(args.target, None, f"has {len(targets)} sentences but {args.source} has {len(sources)}")
    pairs = [SentencePair(s, t) for s, t in zip(sources, targets)]
    warn(language_warnings(pairs, args.source, args.target, args.source_lang, args.target_lang))
    config = config_from_args(args)
    shards = shard_bounds(len(pairs), args.align_shard_size)
    alignments = []
    with terminal_progress(f"aligning ({args.aligner})", not args.quiet) as progress:
        for start, end in shards:
            alignments += align(pairs[start:end], config, progress if len(shards) == 1 else None)
            if len(shards) > 1:
                progress(end, len(pairs))
    if args.plain:
        alignments = [strong_links(a, args.plain) for a in alignments]
    write_pharaoh(args.out, alignments, weights=not args.plain)
    print(
        f"aligned {len(alignments)} sentence pairs ({sum(map(len, alignments))} links) -> {args.out}", file=sys.stderr
    )
    return 0
