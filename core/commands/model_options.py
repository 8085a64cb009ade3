"""Command-line options shared by the model-backed commands (``pipeline``, ``paper-eval``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from core.commands.options import non_negative_int, positive_int
from core.models.easyproject import EASYPROJECT_MODEL
from core.models.loading import DEVICES, DTYPES
from core.models.pipeline import (
    MODEL_ALIGNERS,
    PAPER_ENCODER,
    PAPER_NER,
    PAPER_TRANSLATOR,
    ModelPipelineOptions,
    model_projection,
)

DEFAULT_CACHE = Path(os.environ.get("LABELBRIDGE_CACHE", Path.home() / ".cache" / "labelbridge"))


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """Models, alignment, projection and hardware options."""
    models = parser.add_argument_group("models (hub names or local folders; see README 'Models')")
    models.add_argument(
        "--translator",
        default=PAPER_TRANSLATOR,
        metavar="NAME_OR_PATH",
        help=f"seq2seq translation model (NLLB-200, M2M100 or Marian) that translates the target text to English (default: {PAPER_TRANSLATOR})",
    )
    models.add_argument(
        "--ner",
        default=PAPER_NER,
        metavar="NAME_OR_PATH",
        help=f"English NER: a transformers token-classification model, or a spaCy pipeline (package name, folder, or spacy:NAME); each word gets its first subword's label (default: {PAPER_NER})",
    )
    models.add_argument(
        "--source-lang", default="eng_Latn", metavar="CODE", help="language the NER model reads (default: eng_Latn)"
    )

    align = parser.add_argument_group("alignment")
    align.add_argument(
        "--aligner",
        choices=MODEL_ALIGNERS,
        default="simalign",
        help="simalign: itermax on subword embeddings (paper); awesome: softmax extraction, threshold 0.001; eflomal: statistical, trained on these pairs (no encoder needed)",
    )
    align.add_argument(
        "--aligner-model",
        "--encoder",
        dest="encoder",
        default=PAPER_ENCODER,
        metavar="NAME_OR_PATH",
        help=f"encoder for simalign/awesome (default: {PAPER_ENCODER})",
    )
    align.add_argument(
        "--layer",
        type=non_negative_int,
        default=8,
        help="encoder layer whose embeddings are aligned (default: 8, as in the paper)",
    )

    project = parser.add_argument_group("projection")
    project.add_argument(
        "--candidates",
        choices=("ngram", "ner"),
        default="ngram",
        help="matching candidates: every n-gram of the target (default), or the spans a target-side NER model predicts",
    )
    project.add_argument(
        "--ner-model",
        "--candidate-ner",
        dest="candidate_ner",
        metavar="NAME_OR_PATH",
        help="target-side NER model (spaCy or transformers) for --candidates ner; its labels are ignored (default: --ner)",
    )
    project.add_argument(
        "--max-ngram", type=positive_int, help="longest n-gram candidate (default: no cap, as in the paper)"
    )
    project.add_argument(
        "--solver",
        choices=("greedy", "ilp"),
        default="greedy",
        help="matching assignment: greedy (the paper's numbers) or exact ILP",
    )
    project.add_argument(
        "--back-translate",
        action="store_true",
        help="refine by back-translation: translate the tagged English back with entity markers (--marker-model) and align it to the original (same-language alignment)",
    )
    project.add_argument(
        "--marker-model",
        default=EASYPROJECT_MODEL,
        metavar="NAME_OR_PATH",
        help=f"marker-aware translation model for --back-translate and --method easyproject (default: {EASYPROJECT_MODEL})",
    )
    misc = project.add_mutually_exclusive_group()
    misc.add_argument(
        "--drop-misc",
        dest="drop_misc",
        action="store_true",
        default=True,
        help="map MISC to O in the output (default; MISC still competes in matching)",
    )
    misc.add_argument("--keep-misc", dest="drop_misc", action="store_false", help="keep MISC entities")

    hardware = parser.add_argument_group("hardware and caching")
    hardware.add_argument(
        "--device", choices=DEVICES, default="auto", help="auto: CUDA when a GPU is present, else CPU (default)"
    )
    hardware.add_argument(
        "--batch-size",
        type=positive_int,
        default=16,
        help="sentences per translation batch (default 16; 32-64 fit a 24 GB GPU with NLLB-3.3B)",
    )
    hardware.add_argument(
        "--encoder-batch-size",
        type=positive_int,
        default=32,
        help="sentences per batch for NER and alignment encoders (default 32)",
    )
    hardware.add_argument(
        "--num-beams",
        type=positive_int,
        default=1,
        help="beam size for translation (default 1, greedy: deterministic and fastest)",
    )
    hardware.add_argument(
        "--dtype",
        choices=DTYPES,
        default="auto",
        help="weights of the translation models: auto = float16 on a GPU, float32 on CPU",
    )
    hardware.add_argument(
        "--max-new-tokens", type=positive_int, default=256, help="longest translation in subword tokens (default 256)"
    )
    hardware.add_argument(
        "--cache-dir",
        type=Path,
        default=DEFAULT_CACHE,
        help=f"translations are cached here and never computed twice (default: {DEFAULT_CACHE}, or $LABELBRIDGE_CACHE)",
    )


def options_from_args(args: argparse.Namespace, target_lang: str, easyproject: bool = False) -> ModelPipelineOptions:
    return ModelPipelineOptions(
        target_lang=target_lang,
        translator=args.translator,
        ner=args.ner,
        source_lang=args.source_lang,
        aligner=args.aligner,
        encoder=args.encoder,
        layer=args.layer,
        candidates=args.candidates,
        candidate_ner=args.candidate_ner,
        back_translate=args.back_translate,
        easyproject=easyproject,
        marker_model=args.marker_model,
        drop_misc=args.drop_misc,
        device=args.device,
        translation_batch_size=args.batch_size,
        ner_batch_size=args.encoder_batch_size,
        align_batch_size=args.encoder_batch_size,
        num_beams=args.num_beams,
        max_new_tokens=args.max_new_tokens,
        translation_dtype=args.dtype,
        projection=model_projection(target_lang, args.solver, args.max_ngram),
    )


def stderr_status(stage: str) -> None:
    import sys

    print(f"labelbridge: {stage}", file=sys.stderr, flush=True)
