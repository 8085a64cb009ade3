"""Shared test setup: offline model hub, paths to the shared Europarl corpus."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

REPO = Path(__file__).resolve().parents[1]
EUROPARL = REPO.parent / "shared" / "data" / "europarl-en-es"


@pytest.fixture(scope="session")
def europarl() -> Path:
    """The shared English-Spanish gold corpus (read in place, never copied)."""
    if not (EUROPARL / "en.conll").exists():
        pytest.fail(f"the shared Europarl corpus is missing at {EUROPARL}")
    return EUROPARL
