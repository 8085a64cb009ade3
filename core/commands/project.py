"""Project source entities onto target sentences (python -m core project)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from core.commands.files import check_files
from core.commands.options import (
    add_aligner_options,
    add_language_options,
    add_projection_options,
    config_from_args,
    positive_int,
)
from core.commands.sanity import entity_warnings, language_code_warnings, language_warnings, warn
from core.errors import UsageError
from core.progress import terminal_progress
from core.scale.chunked import DEFAULT_CHUNK_SIZE, ProjectRun, make_engine, run_chunked, warning_pairs

EPILOG = """\
examples:
  python -m core project --source en.conll --target es.txt --out es.conll
  python -m core project --source en.conll --target es.conll --out es.conll --method heuristic
  python -m core project --source en.conll --target de.txt --out de.conll --alignments en-de.pharaoh

SRC is CoNLL (token first column, IOB1/IOB2/BIOES tag last). TGT is CoNLL (its tags, if
any, are ignored) or tokenised text, one sentence a line; sentence k of TGT translates
sentence k of SRC. OUT has exactly TGT's sentences and tokens, one IOB2 tag each; it may
not be one of the input files. EasyProject is a method of the pipeline command.

Large corpora are projected --chunk-size pairs at a time on --workers processes; the
finished chunks wait in .OUT.chunks/ next to OUT until the run ends, so a run that was
killed continues with --resume (same inputs and options; a manifest checks them)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "project",
        help="project source entities onto the target sentences",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--source", required=True, metavar="SRC.conll", help="source sentences with entities")
    parser.add_argument("--target", required=True, metavar="TGT", help="target sentences: CoNLL or tokenised text")
    parser.add_argument("--out", required=True, metavar="OUT.conll", help="where to write the projected target (IOB2)")
    parser.add_argument("--save-alignments", metavar="FILE.pharaoh", help="also write the alignments used")
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bars, and no line on what corpus evidence learned"
    )
    add_aligner_options(parser)
    add_language_options(parser)
    add_projection_options(parser)
    add_engine_options(parser)
    parser.set_defaults(handler=run)


def add_engine_options(parser: argparse.ArgumentParser, chunks: bool = True) -> None:
    """--engine, --ray-address, --workers (and, for project, chunking and resume)."""
    group = parser.add_argument_group("scale")
    group.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="local: worker processes on this machine (default); ray: tasks on a Ray cluster "
        "(pip install -r requirements-ray.txt)",
    )
    group.add_argument(
        "--ray-address",
        metavar="ADDRESS",
        help="with --engine ray: the cluster to join, e.g. auto or ray://head:10001 "
        "(default: $RAY_ADDRESS, else a Ray started on this machine)",
    )
    group.add_argument(
        "--workers",
        type=positive_int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="projection worker processes (default: %(default)s, the cores of this machine)",
    )
    group.add_argument(
        "--align-shard-size",
        type=positive_int,
        metavar="N",
        help="eflomal: train on shards of at least N pairs instead of the whole corpus "
        "(parallel on a Ray cluster; fewer pairs per shard, weaker links)",
    )
    if chunks:
        group.add_argument(
            "--chunk-size",
            type=positive_int,
            default=DEFAULT_CHUNK_SIZE,
            metavar="N",
            help="pairs projected and written at a time (default: %(default)s)",
        )
        group.add_argument(
            "--resume",
            action="store_true",
            help="continue an interrupted run from its last finished chunk (same inputs and options)",
        )


def manifest_options(args: argparse.Namespace) -> dict:
    """The options that shape the output, as the resume manifest records them."""
    names = (
        "method",
        "candidates",
        "ner_model",
        "solver",
        "max_ngram",
        "n_proj",
        "drop_label",
        "aligner",
        "aligner_model",
        "symmetrization",
        "runs",
        "samplers",
        "iterations",
        "prefix_length",
        "source_lang",
        "target_lang",
        "no_lexical_links",
        "align_shard_size",
        "save_alignments",
    )
    return {
        name.replace("_", "-"): getattr(args, name, None) if name != "save_alignments" else bool(args.save_alignments)
        for name in names
    }


def run(args: argparse.Namespace) -> int:
    if args.candidates == "ner" and not args.ner_model:
        raise UsageError(
            "--candidates ner needs --ner-model: a spaCy pipeline (package or folder) or a transformers token classifier (hub name or folder)"
        )
    check_files(args, inputs=("source", "target", "alignments", "ner_model"), outputs=("out", "save_alignments"))
    config = config_from_args(args)
    warn(language_code_warnings(args.target_lang))
    engine = make_engine(args.engine, args.workers, args.ray_address)
    job = ProjectRun(
        source=Path(args.source),
        target=Path(args.target),
        out=Path(args.out),
        config=config,
        method=args.method,
        alignments=Path(args.alignments) if args.alignments else None,
        save_alignments=Path(args.save_alignments) if args.save_alignments else None,
        chunk_size=args.chunk_size,
        workers=args.workers,
        resume=args.resume,
        align_shard_size=args.align_shard_size,
        ner_model=args.ner_model,
        device=args.device,
        options=manifest_options(args),
    )

    def sanity(sample, source, target) -> None:
        warn(
            entity_warnings(warning_pairs(source, target), args.source, args.target)
            + language_warnings(sample, args.source, args.target, args.source_lang, args.target_lang)
        )

    def note(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    pairs, n_source, n_target = run_chunked(
        job, engine, note, sanity, lambda what: terminal_progress(what, not args.quiet), None if args.quiet else note
    )
    print(
        f"projected {n_target} of {n_source} entities onto {pairs} sentences ({args.method}) -> {args.out}",
        file=sys.stderr,
    )
    return 0
