"""One place to load transformers models: devices, progress bars, and clear errors.

Every model-backed step (translation, NER, embedding aligners) loads through
:func:`load_pretrained`, so a model that is not available offline always fails with the
same one-sentence :class:`~core.errors.ModelLoadError` naming the model and how to
provide it. Importing this module does not import torch or transformers.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from core.errors import ModelLoadError

T = TypeVar("T")
Progress = Callable[[int, int], None]
DEVICES = ("auto", "cpu", "cuda")


def resolve_device(device: str = "auto") -> str:
    """``auto`` is CUDA when a GPU is present, else CPU; ``cuda:1`` etc. pass through."""
    if device == "auto":
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise ModelLoadError(f"device {device!r} was asked for but no CUDA GPU is available; use --device cpu")
    elif device != "cpu":
        raise ModelLoadError(f"unknown device {device!r}; choose cpu, cuda (or cuda:N) or auto")
    return device


@lru_cache(maxsize=1)
def hub_reachable(timeout: float = 5.0) -> bool:
    """Whether the model hub (``HF_ENDPOINT``, huggingface.co by default) answers a TCP
    connection, checked once, so an offline machine fails at once instead of retrying."""
    from urllib.parse import urlparse

    from huggingface_hub import constants

    url = urlparse(constants.ENDPOINT)
    try:
        with socket.create_connection(
            (url.hostname or "huggingface.co", url.port or (443 if url.scheme == "https" else 80)), timeout=timeout
        ):
            return True
    except OSError:
        return False


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes"} or os.environ.get(
        "TRANSFORMERS_OFFLINE", ""
    ).lower() in {"1", "true", "yes"}


def missing_model_message(what: str, name_or_path: str, reason: str = "") -> str:
    """The one sentence shown when a model cannot be loaded."""
    path = Path(name_or_path).expanduser()
    if name_or_path.startswith(("/", ".", "~")) and not path.exists():
        return f"Cannot load the {what} {name_or_path!r}: no such folder; give the folder a model was saved to (save_pretrained), or a hub name with its weights in the Hugging Face cache."
    if path.exists():
        detail = f" ({reason})" if reason else ""
        return f"Cannot load the {what} from the folder {str(path)!r}{detail}; it must hold a model saved with save_pretrained (config.json, weights and tokenizer files)."
    network = "the hub is switched off (HF_HUB_OFFLINE=1)" if offline() else "the hub cannot be reached from here"
    return (
        f"Cannot load the {what} {name_or_path!r}: it is not in the local Hugging Face cache and {network}; "
        f"download it on a machine with network access (hf download {name_or_path}) and give its folder as a local path, "
        f"or point HF_HOME at a cache that holds it."
    )


def load_pretrained(what: str, name_or_path: str, loader: Callable[..., T], **kwargs: Any) -> T:
    """``loader(name_or_path, **kwargs)`` (e.g. ``AutoModel.from_pretrained``), with every
    'not found' turned into one :class:`ModelLoadError`.

    Hub names are first looked up in the local cache only, so an offline machine fails at
    once instead of retrying the network.
    """
    path = Path(name_or_path).expanduser()
    if path.exists():
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        try:
            return loader(str(path), **kwargs)
        except (OSError, ValueError, KeyError) as err:
            raise ModelLoadError(missing_model_message(what, name_or_path, _first_line(err))) from None
    if name_or_path.startswith(("/", ".", "~")):
        raise ModelLoadError(missing_model_message(what, name_or_path))
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        try:
            return loader(name_or_path, local_files_only=True, **kwargs)
        except OSError:
            if offline() or not hub_reachable():
                raise
        return loader(name_or_path, **kwargs)
    except (OSError, ValueError) as err:
        raise ModelLoadError(missing_model_message(what, name_or_path, _first_line(err))) from None
    finally:
        hf_logging.set_verbosity(verbosity)


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:200] if text else type(err).__name__


DTYPES = ("auto", "float32", "float16", "bfloat16")


def resolve_dtype(dtype: str, device: str) -> str:
    """``auto`` is float16 on a GPU (half the memory, same translations in practice), float32 on CPU."""
    if dtype not in DTYPES:
        raise ModelLoadError(f"unknown dtype {dtype!r}; choose one of {', '.join(DTYPES)}")
    if dtype == "auto":
        return "float16" if device.startswith("cuda") else "float32"
    return dtype


def load_model_and_tokenizer(
    what: str, name_or_path: str, model_class: str, device: str = "cpu", dtype: str = "float32"
) -> tuple[Any, Any]:
    """A transformers ``Auto*`` model (by class name) and its tokenizer, in eval mode on
    ``device`` with weights in ``dtype``."""
    import torch
    import transformers

    device = resolve_device(device)
    tokenizer = load_pretrained(what, name_or_path, transformers.AutoTokenizer.from_pretrained)
    torch_dtype = getattr(torch, resolve_dtype(dtype, device))
    model = load_pretrained(what, name_or_path, getattr(transformers, model_class).from_pretrained, dtype=torch_dtype)
    model.eval()
    model.to(device)
    return model, tokenizer


@dataclass
class LazyModel:
    """A transformers model and its tokenizer, loaded on first :meth:`load`, dropped by :meth:`release`.

    Subclasses are dataclasses with a ``device`` field (and optionally ``dtype``); they name
    the model (``what``), its ``Auto*`` class, what needs a fast tokenizer if anything, and
    may refuse a loaded model in :meth:`check`.
    """

    model: str
    _loaded: tuple[Any, Any] | None = field(default=None, init=False, repr=False, compare=False)
    what: ClassVar[str] = "model"
    auto_class: ClassVar[str] = "AutoModel"
    fast_tokenizer_for: ClassVar[str] = ""

    def load(self) -> tuple[Any, Any]:
        """``(model, tokenizer)``, loaded once."""
        if self._loaded is None:
            model, tokenizer = load_model_and_tokenizer(
                self.what,
                self.model,
                self.auto_class,
                getattr(self, "device", "auto"),
                getattr(self, "dtype", "float32"),
            )
            if self.fast_tokenizer_for and not getattr(tokenizer, "is_fast", False):
                raise ModelLoadError(
                    f"Cannot use the {self.what} {self.model!r}: {self.fast_tokenizer_for} needs a fast tokenizer (tokenizer.json)"
                )
            self.check(model)
            self._loaded = (model, tokenizer)
        return self._loaded

    def check(self, model: Any) -> None:
        """Raise :class:`ModelLoadError` if ``model`` cannot serve; accepts any by default."""

    def release(self) -> None:
        """Drop the loaded model (it is reloaded if needed), freeing GPU memory for the next model."""
        if self._loaded is not None:
            self._loaded = None
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()


@contextmanager
def progress_bar(total: int, description: str, progress: Progress | None = None) -> Iterator[Callable[[int], None]]:
    """A tqdm bar on stderr plus the ``progress(done, total)`` callback; yields ``advance(n)``."""
    from tqdm import tqdm

    done = 0
    with tqdm(total=total, desc=description, unit="sent", leave=False, disable=None) as bar:

        def advance(n: int) -> None:
            nonlocal done
            done += n
            bar.update(n)
            if progress:
                progress(done, total)

        yield advance


def batches(items: list[T], size: int) -> Iterator[list[T]]:
    """Consecutive slices of at most ``size`` items."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    for start in range(0, len(items), size):
        yield items[start : start + size]


def check_available(what: str, name_or_path: str) -> None:
    """Fail early, before hours of translation, if a model will not load: a local folder
    must hold a ``config.json``; a hub name must be cached when the hub is switched off.
    Reads only the config, never the weights."""
    path = Path(name_or_path).expanduser()
    if path.exists():
        if not (path / "config.json").exists():
            raise ModelLoadError(missing_model_message(what, name_or_path, "no config.json"))
        return
    if name_or_path.startswith(("/", ".", "~")):
        raise ModelLoadError(missing_model_message(what, name_or_path))
    if offline() or not hub_reachable():
        import transformers

        load_pretrained(what, name_or_path, transformers.AutoConfig.from_pretrained)
