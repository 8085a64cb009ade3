"""Command-line options shared by several commands (aligner and projection choices)."""

from __future__ import annotations

import argparse

from core.alignment import aligner_names
from core.alignment.eflomal_aligner import EFLOMAL_COMBINATIONS, EflomalAligner
from core.projection.pipeline import METHODS, ProjectionConfig

DEFAULTS = ProjectionConfig()


def _whole_number(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is too small; give {minimum} or more")
        return value

    return parse


positive_int = _whole_number(1)
non_negative_int = _whole_number(0)


def positive_float(text: str) -> float:
    """A number above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a number above 0")
    return value


def weight(text: str) -> float:
    """A link weight threshold: a number in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not in (0, 1]; give a share of runs such as 0.5")
    return value


PROJECTION_METHODS = METHODS


def projection_method(text: str) -> str:
    """``heuristic`` or ``matching``; ``easyproject`` is pointed to the ``pipeline`` command."""
    if text == "easyproject":
        raise argparse.ArgumentTypeError(
            "easyproject labels a machine translation of the English, not your target sentences, so only the "
            "pipeline command runs it: python -m core pipeline --target-text FILE --target-lang CODE --method easyproject --out FILE"
        )
    if text not in PROJECTION_METHODS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a method; choose heuristic or matching")
    return text


def add_aligner_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("alignment")
    group.add_argument(
        "--aligner",
        default=DEFAULTS.aligner,
        choices=aligner_names(),
        help="word aligner (default: %(default)s, trained on the corpus itself, no download)",
    )
    group.add_argument(
        "--aligner-model", metavar="NAME_OR_PATH", help="encoder for neural aligners: a hub name or a local folder"
    )
    group.add_argument(
        "--alignments",
        metavar="FILE.pharaoh",
        help="use precomputed alignments (one line of i-j links per sentence pair) instead of aligning",
    )
    group.add_argument(
        "--symmetrization",
        choices=EFLOMAL_COMBINATIONS,
        help="how eflomal's two directions are combined (default: the aligner's)",
    )
    group.add_argument(
        "--runs",
        type=positive_int,
        metavar="N",
        help="eflomal: independent training runs that vote on each link "
        f"(default: {DEFAULTS.aligner_options.get('n_runs', 5)}; more runs, steadier links)",
    )
    group.add_argument(
        "--samplers",
        type=positive_int,
        metavar="N",
        help=f"eflomal: sampling chains per direction in each run, averaged by eflomal (default: {EflomalAligner.n_samplers}; "
        "each costs about the same, see README, Alignment cost)",
    )
    group.add_argument(
        "--iterations",
        type=positive_float,
        metavar="SCALE",
        help="eflomal: scale of its iteration schedule, which already shrinks as the corpus grows "
        f"(default: {EflomalAligner.rel_iterations:g}; see README, Alignment cost)",
    )
    group.add_argument(
        "--prefix-length",
        type=non_negative_int,
        metavar="N",
        help="eflomal: cut words to their first N letters before training (default: 4; 0 keeps whole words)",
    )
    group.add_argument("--device", default="cpu", help="neural aligners: cpu or cuda (default: %(default)s)")


def aligner_options(args: argparse.Namespace) -> dict:
    """The options of ``args`` that the chosen aligner understands."""
    options = dict(DEFAULTS.aligner_options) if args.aligner == DEFAULTS.aligner else {}
    if args.aligner == "eflomal":
        if args.symmetrization:
            options["symmetrization"] = args.symmetrization
        if args.runs:
            options["n_runs"] = args.runs
        if args.samplers:
            options["n_samplers"] = args.samplers
        if args.iterations:
            options["rel_iterations"] = args.iterations
        if args.prefix_length is not None:
            options["prefix_length"] = args.prefix_length
    else:
        if args.aligner_model:
            options["model"] = args.aligner_model
        options["device"] = args.device
    return options


def add_projection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("projection")
    group.add_argument(
        "--method",
        default="matching",
        type=projection_method,
        metavar="{heuristic,matching}",
        help="heuristic: aligned words grouped into spans; matching: candidate spans "
        "assigned to entities by score (default: %(default)s). EasyProject runs in the "
        "pipeline command (--method easyproject)",
    )
    group.add_argument(
        "--candidates",
        default=DEFAULTS.candidates,
        choices=("ngram", "ner"),
        help="matching: every n-gram of the target, or the spans a target NER model proposes",
    )
    group.add_argument(
        "--ner-model",
        metavar="NAME_OR_PATH",
        help="with --candidates ner: a spaCy pipeline or transformers token classifier",
    )
    group.add_argument(
        "--solver",
        default=DEFAULTS.solver,
        choices=("ilp", "greedy"),
        help="matching: exact integer program or the paper's greedy order (default: %(default)s)",
    )
    group.add_argument(
        "--max-ngram",
        type=positive_int,
        default=DEFAULTS.max_ngram,
        metavar="N",
        help="matching: longest n-gram candidate (default: no cap)",
    )
    group.add_argument(
        "--n-proj",
        type=positive_int,
        default=DEFAULTS.n_proj,
        metavar="N",
        help="matching: how many target spans one entity may receive (default: %(default)s)",
    )
    group.add_argument(
        "--corpus-evidence",
        default="on" if DEFAULTS.corpus_evidence else "off",
        choices=("on", "off"),
        help="matching: use how each entity string is projected across the whole corpus (known "
        "translations of recurring names) and the corpus's own function words (default: %(default)s)",
    )
    group.add_argument(
        "--drop-label",
        action="append",
        default=[],
        metavar="LABEL",
        help="map this label to O in the output, e.g. MISC (repeatable)",
    )


def add_language_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("languages")
    group.add_argument(
        "--source-lang",
        default=DEFAULTS.source_lang,
        metavar="CODE",
        help="ISO 639-1 code of the source (default: %(default)s)",
    )
    group.add_argument(
        "--target-lang",
        metavar="CODE",
        help="ISO 639-1 code of the target, e.g. es; lets matching keep function words "
        "such as articles off span edges (spaCy's word lists, no download)",
    )
    group.add_argument(
        "--no-lexical-links",
        action="store_true",
        help="do not add links between identical or near-identical names and numbers",
    )


def config_from_args(args: argparse.Namespace) -> ProjectionConfig:
    changes = {"aligner": args.aligner, "aligner_options": aligner_options(args)}
    for name in ("candidates", "solver", "max_ngram", "n_proj"):
        if hasattr(args, name):
            changes[name] = getattr(args, name)
    if hasattr(args, "corpus_evidence"):
        changes["corpus_evidence"] = args.corpus_evidence == "on"
    if getattr(args, "drop_label", None):
        changes["dropped_labels"] = frozenset(args.drop_label)
    if hasattr(args, "target_lang"):
        changes.update(
            source_lang=args.source_lang, target_lang=args.target_lang, lexical_links=not args.no_lexical_links
        )
    return DEFAULTS.with_options(**changes)
