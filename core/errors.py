"""Errors a user can act on: each names the file, the line and what is wrong."""

from __future__ import annotations

import os


class LabelBridgeError(Exception):
    """Base class for errors shown to users as one clear sentence (no traceback)."""


class CorpusError(LabelBridgeError):
    """Bad input in a corpus file, with the place it was found."""

    def __init__(self, path: str | os.PathLike[str] | None, line: int | None, message: str):
        self.path = str(path) if path is not None else None
        self.line = line
        self.message = message
        where = self.path or "<input>"
        if line is not None:
            where += f", line {line}"
        super().__init__(f"{where}: {message}")


class ModelLoadError(LabelBridgeError):
    """A model could not be loaded; the message says how to provide it."""


class UsageError(LabelBridgeError):
    """Options that do not fit together."""
