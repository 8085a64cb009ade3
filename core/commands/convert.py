"""Convert a corpus between CoNLL and training or annotation-tool formats (python -m core convert)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from core.commands.options import positive_int
from core.errors import CorpusError, UsageError
from core.formats import EXPORTS, IMPORTS, guess_input_format

EPILOG = (
    """\
examples:
  python -m core convert --input es.conll --format spacy --out es.spacy
  python -m core convert --input es.conll --format hf --out es-dataset
  python -m core convert --input es.conll --format label-studio --out es.json
  python -m core convert --input tasks.json --format conll --out es.conll --lang es
  python -m core convert --input annotations.jsonl --format conll --out es.conll --labels PER,LOC,ORG,MISC

formats:
"""
    + "\n".join(f"  {f.name:13} {f.loads.replace('`', '')}" for f in EXPORTS.values())
    + """

The input format follows the file name (.json Label Studio, .jsonl Prodigy, .spacy spaCy,
anything else CoNLL) unless --from says otherwise. Label Studio and Prodigy texts that come
without tokens are tokenised with spaCy's rules for --lang; a span that does not start and
end on a token boundary stops the conversion with the task's number."""
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "convert",
        help="convert CoNLL to spaCy, Hugging Face, Label Studio or Prodigy, and back",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--input", required=True, metavar="FILE", help="the corpus to convert")
    parser.add_argument(
        "--from", dest="source_format", choices=sorted(IMPORTS), help="input format (default: from the file name)"
    )
    parser.add_argument("--format", required=True, choices=list(EXPORTS), help="output format")
    parser.add_argument("--out", required=True, metavar="PATH", help="output file (a folder for --format hf)")
    parser.add_argument(
        "--lang",
        default="xx",
        metavar="CODE",
        help="language whose tokenisation rules split texts that come without tokens (default: xx, multilingual)",
    )
    parser.add_argument(
        "--labels", metavar="L1,L2", help="the entity labels allowed; any other label in the input is an error"
    )
    parser.add_argument(
        "--shard-size",
        type=positive_int,
        metavar="N",
        help="spacy: write a folder of .spacy files of N sentences each (memory bounded by one shard)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    source_format = args.source_format or guess_input_format(args.input)
    allowed = frozenset(x.strip() for x in args.labels.split(",") if x.strip()) if args.labels is not None else None
    if allowed is not None and not allowed:
        raise UsageError("--labels needs at least one label, e.g. --labels PER,LOC,ORG,MISC")
    if args.shard_size and args.format != "spacy":
        raise UsageError("--shard-size applies to --format spacy only")
    target = EXPORTS[args.format]
    if not target.folder and Path(args.out).is_dir():
        raise CorpusError(args.out, None, f"is a folder; --format {args.format} writes a file")
    imported = IMPORTS[source_format](args.input, lang=args.lang, labels=allowed)
    sentences = imported.sentences
    try:
        if args.shard_size and args.format == "spacy":
            from core.formats.spacy_docbin import write_docbin

            write_docbin(args.out, sentences, shard_size=args.shard_size)
        else:
            target.write(args.out, sentences)
    except OSError as err:
        raise CorpusError(args.out, None, f"cannot be written: {err.strerror or err}") from None
    labels = Counter(span.label for sentence in sentences for span in sentence.spans)
    counts = ", ".join(f"{label} {n}" for label, n in sorted(labels.items())) or "none"
    print(
        f"wrote {len(sentences)} sentences with {sum(labels.values())} entities ({counts}) to {args.out} ({target.title})"
    )
    if imported.skipped:
        print(
            f"left out {len(imported.skipped)} rejected or ignored records: {_numbers(imported.skipped)}",
            file=sys.stderr,
        )
    if imported.unannotated:
        print(
            f"warning: {len(imported.unannotated)} tasks have no annotation and were written without entities: "
            f"{_numbers(imported.unannotated)}",
            file=sys.stderr,
        )
    return 0


def _numbers(items: tuple[int, ...], limit: int = 10) -> str:
    shown = ", ".join(str(n) for n in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
