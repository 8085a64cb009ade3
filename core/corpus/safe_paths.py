"""What a visitor of the review app may make the server read, and how much of it.

The app is served to people who do not own the server, so a path typed into a form is a request
to read a server file. It is honoured only below a folder the operator allows
(``LABELBRIDGE_DATA_ROOT``; unset, typed paths are refused and only uploads work), after
symlinks are resolved, for regular files only, and never beyond a size cap
(``LABELBRIDGE_MAX_FILE_MB``, 200 MB by default) that applies to uploads too.

Models are server files or downloads as well: a model field accepts a name the operator lists
(``LABELBRIDGE_MODELS``, comma-separated; by default the app's own default models) or a folder
below ``LABELBRIDGE_MODEL_ROOT`` or the data root.

Messages name what the user gave (the upload's name or the path as typed); :func:`redact`
replaces any other server path in a message.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from core.errors import LabelBridgeError

ENV_DATA_ROOT = "LABELBRIDGE_DATA_ROOT"
ENV_MODEL_ROOT = "LABELBRIDGE_MODEL_ROOT"
ENV_MODELS = "LABELBRIDGE_MODELS"
ENV_MAX_MB = "LABELBRIDGE_MAX_FILE_MB"
DEFAULT_MAX_MB = 200
MAX_NAME_CHARS = 64
MAX_TYPED_CHARS = 1024
CHUNK = 1 << 20


class InputRefused(LabelBridgeError):
    """A file, path, model or name the app will not use, said in one sentence."""


@dataclass(frozen=True)
class Limits:
    """The operator's settings: where typed paths may point, which models may load, how big a file may be."""

    data_root: Path | None = None
    model_root: Path | None = None
    models: frozenset[str] = frozenset()
    max_bytes: int = DEFAULT_MAX_MB * 1_000_000

    @classmethod
    def from_env(cls, default_models: Iterable[str] = (), environ: Mapping[str, str] | None = None) -> Limits:
        env = os.environ if environ is None else environ
        listed = env.get(ENV_MODELS)
        models = frozenset(
            m.strip() for m in (listed.split(",") if listed is not None else default_models) if m.strip()
        )
        return cls(
            data_root=_root(env.get(ENV_DATA_ROOT), ENV_DATA_ROOT),
            model_root=_root(env.get(ENV_MODEL_ROOT), ENV_MODEL_ROOT),
            models=models,
            max_bytes=_megabytes(env.get(ENV_MAX_MB)),
        )

    @property
    def max_mb(self) -> str:
        return f"{self.max_bytes / 1_000_000:g} MB"


def _root(value: str | None, variable: str) -> Path | None:
    if not value or not value.strip():
        return None
    folder = Path(value.strip()).expanduser().resolve()
    if not folder.is_dir():
        raise InputRefused(
            f"The server's {variable} is not a folder; the operator has to fix it before files can be read."
        )
    return folder


def _megabytes(value: str | None) -> int:
    if value is None or not value.strip():
        return DEFAULT_MAX_MB * 1_000_000
    try:
        megabytes = float(value)
    except ValueError:
        megabytes = -1.0
    if not megabytes > 0 or megabytes != megabytes or megabytes == float("inf"):
        raise InputRefused(f"The server's {ENV_MAX_MB} must be a positive number of megabytes, not {value!r}.")
    return max(1, int(megabytes * 1_000_000))


def shown(text: str, limit: int = 120) -> str:
    """User text as it is quoted in a message: one line, control characters made visible, cut to ``limit``."""
    flat = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _typed(typed: str, what: str) -> str:
    text = typed.strip()
    if "\x00" in text or len(text) > MAX_TYPED_CHARS:
        raise InputRefused(f"{what} '{shown(text)}' is not a usable path.")
    return text


def _inside(text: str, root: Path) -> Path | None:
    """``text`` (absolute, or relative to ``root``) with every symlink resolved, if it stays below ``root``."""
    candidate = Path(text)
    if not candidate.is_absolute():
        candidate = root / candidate
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    return resolved if resolved == root or resolved.is_relative_to(root) else None


def data_file(typed: str, limits: Limits) -> Path:
    """The server file a typed path names, if the operator allows reading it.

    Relative paths are taken from the data root. Nothing outside the root is touched, so a
    refusal says nothing about whether the path exists."""
    text = _typed(typed, "The path")
    if limits.data_root is None:
        raise InputRefused(
            f"'{shown(text)}': this server does not read files by path; upload the file instead "
            f"(the operator can allow a folder with {ENV_DATA_ROOT})."
        )
    resolved = _inside(text, limits.data_root)
    if resolved is None:
        raise InputRefused(
            f"'{shown(text)}' is outside the folder this server reads files from; "
            "give a path inside it, or upload the file."
        )
    return resolved


def copy_bounded(path: Path, dest: Path, display: str, limits: Limits) -> None:
    """Copy a regular file to ``dest``, at most ``limits.max_bytes`` of it.

    Opens without following a final symlink and without blocking (a FIFO is refused, not
    waited on), checks the opened file is regular and, where /proc shows it, still below the
    data root, then reads in chunks and stops past the cap (a file that grows is caught)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputRefused(f"{display}: no such file.") from None
    except PermissionError:
        raise InputRefused(f"{display}: the server may not read this file.") from None
    except OSError:
        raise InputRefused(f"{display}: not a file the server can read.") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputRefused(f"{display} is a folder; give a file.")
        if not stat.S_ISREG(info.st_mode):
            raise InputRefused(f"{display} is not a regular file (a device, pipe or socket); give a file.")
        _check_opened(fd, display, limits)
        too_big = InputRefused(f"{display} is larger than this server's limit of {limits.max_mb} for one file.")
        if info.st_size > limits.max_bytes:
            raise too_big
        os.set_blocking(fd, True)
        written = 0
        with open(dest, "wb") as out:
            while chunk := os.read(fd, CHUNK):
                written += len(chunk)
                if written > limits.max_bytes:
                    raise too_big
                out.write(chunk)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)


def _check_opened(fd: int, display: str, limits: Limits) -> None:
    """Where the kernel says the opened file is (Linux): a path swapped for a link after the
    check is caught here."""
    if limits.data_root is None:
        return
    try:
        real = Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        return
    if not real.is_relative_to(limits.data_root):
        raise InputRefused(
            f"{display} is outside the folder this server reads files from; give a path inside it, or upload the file."
        )


def check_upload(name: str, size: int, limits: Limits) -> None:
    if size > limits.max_bytes:
        raise InputRefused(f"{name} is larger than this server's limit of {limits.max_mb} for one file.")


def model_choice(typed: str, what: str, limits: Limits) -> str:
    """A model name or folder a visitor may have the server load: a name on the operator's list,
    or a folder below the model root or the data root (returned resolved)."""
    text = _typed(typed, f"The {what}")
    if text in limits.models:
        return text
    roots = [r for r in (limits.model_root, limits.data_root) if r is not None]
    for root in roots:
        resolved = _inside(text, root)
        if resolved is not None and resolved.is_dir():
            return str(resolved)
    offered = ", ".join(sorted(limits.models)) or "none"
    where = " or a folder inside the server's model folder" if roots else ""
    raise InputRefused(
        f"The {what} '{shown(text)}' is not one this server offers (no such model on its list{', no such folder' if roots else ''}); "
        f"give one of its models ({offered}){where}. "
        f"The operator lists models with {ENV_MODELS} and allows a model folder with {ENV_MODEL_ROOT}."
    )


_NAME_CHARS = re.compile(r"[\w .-]")


def project_folder_name(name: str) -> str:
    """The folder name for a project the user named: letters, digits, ``-``, ``_``, ``.`` and
    spaces (which become ``-``), 1 to 64 characters, at least one letter or digit."""
    text = unicodedata.normalize("NFC", name.strip())
    if not text:
        raise InputRefused("Give the project a name.")
    if len(text) > MAX_NAME_CHARS:
        raise InputRefused(f"A project name has at most {MAX_NAME_CHARS} characters; this one has {len(text)}.")
    bad = sorted({ch for ch in text if not _NAME_CHARS.fullmatch(ch)})
    if bad:
        listed = " ".join(shown(ch) for ch in bad[:10])
        raise InputRefused(f"A project name may hold letters, digits, spaces, '-', '_' and '.', not: {listed}")
    folder = re.sub(r"\s+", "-", text)
    if not any(ch.isalnum() for ch in folder):
        raise InputRefused("A project name needs at least one letter or digit.")
    if folder.startswith(".") or folder.endswith(".building"):
        raise InputRefused("A project name may not start with '.' or end with '.building'.")
    return folder


_ABSOLUTE_PATH = re.compile(r"(?<![\w.~-])(?:~|/)[^\s'\"\x00]*[^\s'\"\x00.,;:)]")


def redact(message: str, known: Mapping[str, str]) -> str:
    """``message`` with each server path in ``known`` replaced by what the user called it, and any
    other absolute path replaced by ``…``."""
    kept: list[str] = []

    def keep(text: str) -> str:
        kept.append(text)
        return f"\x00{len(kept) - 1}\x00"

    for server, user in sorted(known.items(), key=lambda item: -len(item[0])):
        if server:
            message = message.replace(server, keep(user))
    message = _ABSOLUTE_PATH.sub("…", message)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], message)
