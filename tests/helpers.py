"""Shared by the review-app tests: building the demo project once and copying it."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"


def build_demo_project(folder: Path, lang: str = "es", candidates: str = "ngram"):
    """The bundled demo with its shipped alignments (n-gram candidates unless asked: fast)."""
    from core.review.project import create_project

    return create_project(
        folder,
        DEMO / "en.conll",
        DEMO / f"{lang}.conll",
        gold=DEMO / f"{lang}.conll",
        candidates=candidates,
        target_lang=lang,
        alignments=DEMO / f"en-{lang}.pharaoh",
        name=folder.name,
    )


def copy_project(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest)
    return dest
