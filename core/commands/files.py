"""Checks on the files a command is given, made before any work starts.

An output may not be one of the inputs (or another output), nor a folder, nor lie under
a file; a folder that does not exist yet is created when the output is written.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from core.errors import UsageError


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def same_file(a: Path, b: Path) -> bool:
    """True if ``a`` and ``b`` are one file: the same path once resolved, or (both
    existing) the same file through a link."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def check_output(flag: str, path: Path) -> None:
    """``path`` can be written as a file: not a folder, and no file where a folder must be."""
    if path.is_dir():
        raise UsageError(f"{flag} {path}: is a folder; give a file name, e.g. {path / 'out.conll'}")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise UsageError(f"{flag} {path}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"{flag} {path}: cannot write in the folder {parent} (permission denied)")


def check_files(
    args: argparse.Namespace,
    inputs: Sequence[str] = (),
    outputs: Sequence[str] = (),
    extra_outputs: Sequence[tuple[str, Path]] = (),
) -> None:
    """Refuse outputs that would overwrite an input or each other, or cannot be files.

    ``inputs`` and ``outputs`` name attributes of ``args`` (None when the option was not
    given); ``extra_outputs`` are (option, path) pairs for files derived from an option.
    """
    given_inputs = [(_flag(name), Path(getattr(args, name))) for name in inputs if getattr(args, name, None)]
    given_outputs = [(_flag(name), Path(getattr(args, name))) for name in outputs if getattr(args, name, None)]
    given_outputs += [(flag, Path(path)) for flag, path in extra_outputs]
    for k, (flag, path) in enumerate(given_outputs):
        for input_flag, input_path in given_inputs:
            if same_file(path, input_path):
                raise UsageError(
                    f"{flag} {path} is the same file as {input_flag}; writing it would overwrite your "
                    "input, so choose another output file"
                )
        for other_flag, other in given_outputs[:k]:
            if same_file(path, other):
                raise UsageError(f"{flag} {path} is the same file as {other_flag}; give each output its own file")
        check_output(flag, path)


def check_folder(flag: str, path: Path | None) -> None:
    """``path`` is a folder or can become one (it is created when first used)."""
    if path is None:
        return
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{flag} {path}: is a file; give a folder")
    check_output(flag, path / "x")
