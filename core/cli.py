"""The ``python -m core`` command line: one subcommand a module in :mod:`core.commands`.

Each command module defines ``register(subparsers)``, which adds its parser and sets
``handler=run``; ``run(args)`` returns the exit code. Errors a user can act on
(:class:`core.errors.LabelBridgeError`) are printed as one line, never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import Sequence

from . import commands
from .errors import LabelBridgeError

DESCRIPTION = """\
LabelBridge projects named-entity annotations from a source language (usually English)
onto a translation, so the target language gets NER training data.

Typical session:
  python -m core project --source en.conll --target es.txt --out es.projected.conll
  python -m core evaluate --gold es.gold.conll --pred es.projected.conll

Run `python -m core COMMAND --help` for the options of each command."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        if hasattr(module, "register"):
            module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except LabelBridgeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
