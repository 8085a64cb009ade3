"""``pipeline``: label unlabelled target-language text with models (MT, English NER, alignment)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.commands.files import check_files, check_folder
from core.commands.model_options import add_model_options, options_from_args, stderr_status
from core.commands.project import add_engine_options
from core.corpus.io import write_conll, write_file, write_pharaoh
from core.models.pipeline import read_targets

EPILOG = """\
examples:
  # the paper's configuration (needs the models in the Hugging Face cache or as folders)
  python -m core pipeline --target-text es.txt --target-lang spa_Latn --out es.projected.conll

  # local model folders, AWESoME-style alignment, heuristic projection, on a GPU
  python -m core pipeline --target-text sw.conll --target-lang swh_Latn \\
      --translator ~/models/nllb-200-distilled-600M --ner ~/models/xlmr-conll03 \\
      --aligner-model ~/models/mbert --aligner awesome --method heuristic --device cuda --out sw.conll

  # compare with EasyProject (labels a translation of the English, not your sentences)
  python -m core pipeline --target-text de.txt --target-lang deu_Latn --method easyproject --out de.easyproject.conll

The target text is CoNLL (first column tokens; tags, if any, are ignored) or one
tokenised sentence per line (--tokenize splits punctuation off words). Language codes
are NLLB-200 codes (spa_Latn, hau_Latn) or the paper's dataset codes (es, hau).
Translations are cached in --cache-dir, so a rerun with other alignment or projection
options translates nothing.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pipeline",
        help="label unlabelled target-language text: translate to English, tag, align, project back",
        description="Translate target-language sentences to English, tag the English with an NER model, "
        "align, and project the entities back onto the original target tokens (heuristic or matching), "
        "optionally refined by back-translation; or label an EasyProject translation instead.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--target-text",
        type=Path,
        required=True,
        metavar="FILE",
        help="target-language sentences (CoNLL or tokenised text)",
    )
    parser.add_argument(
        "--target-lang", required=True, metavar="CODE", help="language of the target text (spa_Latn, es, hau, ...)"
    )
    parser.add_argument(
        "--method",
        choices=("matching", "heuristic", "easyproject"),
        default="matching",
        help="matching (default): entities matched to target n-grams; heuristic: aligned runs; easyproject: marker translation of the English",
    )
    parser.add_argument(
        "--tokenize",
        action="store_true",
        help="split punctuation off words in a text file (otherwise split at spaces only)",
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="OUT.conll", help="labelled target sentences, CoNLL IOB2"
    )
    parser.add_argument(
        "--english-out", type=Path, metavar="FILE", help="also write the tagged English translations (CoNLL)"
    )
    parser.add_argument(
        "--alignments-out",
        type=Path,
        metavar="FILE",
        help="also write the alignments used (Pharaoh i-j, source = English or back-translation)",
    )
    parser.add_argument("--summary-out", type=Path, metavar="FILE", help="also write counts and options as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bars (--engine ray)")
    add_model_options(parser)
    add_engine_options(parser, chunks=False)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from core.models.pipeline import run_model_pipeline

    check_files(args, inputs=("target_text",), outputs=("out", "english_out", "alignments_out", "summary_out"))
    check_folder("--cache-dir", args.cache_dir)
    targets = read_targets(args.target_text, args.tokenize)
    options = options_from_args(args, args.target_lang, easyproject=args.method == "easyproject")
    if args.engine == "ray":
        from core.scale.ray_engine import run_model_pipeline_ray

        result = run_model_pipeline_ray(
            targets,
            options,
            args.cache_dir,
            args.ray_address,
            args.workers,
            progress=not args.quiet,
            status=stderr_status,
            align_shard_size=args.align_shard_size,
        )
    else:
        if args.align_shard_size:
            print(
                "warning: --align-shard-size applies to eflomal with --engine ray; the local engine aligns the whole corpus",
                file=sys.stderr,
            )
        result = run_model_pipeline(targets, options, args.cache_dir, status=stderr_status)
    labelled = result.targets(args.method)
    write_conll(args.out, labelled)
    if args.english_out:
        write_conll(args.english_out, [p.source for p in result.pairs])
    if args.alignments_out:
        write_pharaoh(args.alignments_out, [p.alignment for p in result.projected])
    entities = sum(len(s.spans) for s in labelled)
    if args.summary_out:
        summary = {
            "sentences": len(labelled),
            "entities": entities,
            "method": args.method,
            "english_entities": sum(len(p.source.spans) for p in result.pairs),
            "options": {k: str(v) for k, v in vars(args).items() if k != "handler"},
        }
        write_file(args.summary_out, json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    note = " (labels a translation of the English, not the original sentences)" if args.method == "easyproject" else ""
    print(f"{len(labelled)} sentences, {entities} entities ({args.method}){note} -> {args.out}", file=sys.stderr)
    return 0
