"""Project source entities onto target sentences (python -m core project)."""
from __future__ import annotations

import argparse
import sys

from core.commands.files import check_files
from core.commands.options import (
    add_aligner_options,
    add_language_options,
    add_projection_options,
    config_from_args,
)
from core.commands.sanity import (
    entity_warnings,
    language_code_warnings,
    language_warnings,
    warn,
)
from core.corpus.io import read_parallel, read_pharaoh, write_conll, write_pharaoh
from core.errors import UsageError
from core.progress import terminal_progress
from core.projection.pipeline import align, project_corpus

EPILOG = """\
examples:
  python -m core project --source en.conll --target es.txt --out es.conll
  python -m core project --source en.conll --target es.conll --out es.conll --method heuristic
  python -m core project --source en.conll --target de.txt --out de.conll --alignments en-de.pharaoh

SRC is CoNLL (token first column, IOB1/IOB2/BIOES tag last). TGT is CoNLL (its tags, if
any, are ignored) or tokenised text, one sentence a line; sentence k of TGT translates
sentence k of SRC. OUT has exactly TGT's sentences and tokens, one IOB2 tag each; it may
not be one of the input files. EasyProject is a method of the pipeline command."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "project", help="project source entities onto the target sentences",
        description=__doc__, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--source", required=True, metavar="SRC.conll", help="source sentences with entities")
    parser.add_argument("--target", required=True, metavar="TGT", help="target sentences: CoNLL or tokenised text")
    parser.add_argument("--out", required=True, metavar="OUT.conll", help="where to write the projected target (IOB2)")
    parser.add_argument("--save-alignments", metavar="FILE.pharaoh", help="also write the alignments used")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    add_aligner_options(parser)
    add_language_options(parser)
    add_projection_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.candidates == "ner" and not args.ner_model:
        raise UsageError("--candidates ner needs --ner-model: a spaCy pipeline (package or folder) or a transformers token classifier (hub name or folder)")
    check_files(args, inputs=("source", "target", "alignments", "ner_model"), outputs=("out", "save_alignments"))
    config = config_from_args(args)
    warn(language_code_warnings(args.target_lang))
    pairs = read_parallel(args.source, args.target)
    if args.alignments:
        alignments = read_pharaoh(args.alignments, pairs)
    warn(entity_warnings(pairs, args.source, args.target) + language_warnings(pairs, args.source, args.target, args.source_lang, args.target_lang))
    if not args.alignments:
        with terminal_progress(f"aligning ({config.aligner})", not args.quiet) as progress:
            alignments = align(pairs, config, progress)
    candidates = None
    if args.method == "matching" and args.candidates == "ner":
        from core.models.ner import load_tagger, ner_candidates

        tagger = load_tagger(args.ner_model, device=args.device)
        with terminal_progress("target NER candidates", not args.quiet) as progress:
            candidates = ner_candidates(tagger, [p.target.tokens for p in pairs], progress)
    with terminal_progress(f"projecting ({args.method})", not args.quiet) as progress:
        projected = project_corpus(pairs, config, alignments, candidates, progress, methods=(args.method,))
    write_conll(args.out, [p.target_with(args.method, config.dropped_labels) for p in projected])
    if args.save_alignments:
        write_pharaoh(args.save_alignments, alignments)
    n_source = sum(len(p.source.spans) for p in pairs)
    n_target = sum(len(p.projections(args.method)) for p in projected)
    print(f"projected {n_target} of {n_source} entities onto {len(pairs)} sentences ({args.method}) -> {args.out}", file=sys.stderr)
    return 0
