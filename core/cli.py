"""The ``labelbridge`` (or ``python -m core``) command line: one subcommand a module in :mod:`core.commands`.

Each command module defines ``register(subparsers)``, which adds its parser and sets
``handler=run``; ``run(args)`` returns the exit code. Every error reaches the user as one
line on stderr and exit code 2, never a traceback: errors a user can act on
(:class:`core.errors.LabelBridgeError`), bad options, and the plain ``ValueError`` and
``OSError`` that library code raises for bad choices or unreadable/unwritable files, which
are all caught here, in one place. ``LABELBRIDGE_DEBUG=1`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from typing import NoReturn

from core import commands
from core.errors import LabelBridgeError

DESCRIPTION = """\
LabelBridge projects named-entity annotations from a source language (usually English)
onto a translation, so the target language gets NER training data.

Typical session:
  python -m core project --source en.conll --target es.txt --out es.projected.conll
  python -m core evaluate --gold es.gold.conll --pred es.projected.conll

Run `python -m core COMMAND --help` for the options of each command."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (the usage is in ``--help``)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def program_name() -> str:
    """``labelbridge`` when run as the installed command, else ``python -m core``."""
    return "labelbridge" if os.path.basename(sys.argv[0]) == "labelbridge" else "python -m core"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=program_name(),
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
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (LabelBridgeError, ValueError, OSError) as err:
        if os.environ.get("LABELBRIDGE_DEBUG"):
            raise
        print(f"error: {_one_line(err)}", file=sys.stderr)
        return 2


def _one_line(err: BaseException) -> str:
    """The error as one line; an OSError names its file and the reason."""
    if isinstance(err, OSError) and not isinstance(err, LabelBridgeError):
        where = f"{err.filename}: " if err.filename else ""
        text = f"{where}{err.strerror or err}"
    else:
        text = str(err) or type(err).__name__
    return " ".join(text.splitlines())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
