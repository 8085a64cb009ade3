"""Word aligners behind one interface (see :class:`core.alignment.base.Aligner`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.alignment.base import Aligner, align_pair
from core.alignment.eflomal_aligner import EflomalAligner
from core.alignment.symmetrize import SYMMETRIZATIONS, symmetrize

_FACTORIES: dict[str, Callable[..., Aligner]] = {
    "eflomal": EflomalAligner,
}


def _simalign(**options: Any) -> Aligner:
    from core.alignment.simalign_aligner import (
        SimAlignAligner,  # loads torch only when used
    )

    return SimAlignAligner(**options)


def _awesome(**options: Any) -> Aligner:
    from core.alignment.awesome_aligner import AwesomeAligner

    return AwesomeAligner(**options)


_FACTORIES["simalign"] = _simalign
_FACTORIES["awesome"] = _awesome


def register_aligner(name: str, factory: Callable[..., Aligner]) -> None:
    """Make an aligner available by name to the pipeline, the command line and the app."""
    _FACTORIES[name] = factory


def aligner_names() -> list[str]:
    return sorted(_FACTORIES)


def make_aligner(name: str, **options: Any) -> Aligner:
    """Build the aligner called ``name`` with its options."""
    if name not in _FACTORIES:
        raise ValueError(f"unknown aligner {name!r}; choose one of {', '.join(aligner_names())}")
    return _FACTORIES[name](**options)


__all__ = [
    "Aligner",
    "EflomalAligner",
    "SYMMETRIZATIONS",
    "align_pair",
    "aligner_names",
    "make_aligner",
    "register_aligner",
    "symmetrize",
]
