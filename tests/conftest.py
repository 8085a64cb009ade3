"""Shared test setup: offline model hub, the bundled demo corpus, the shared Europarl corpus
(optional: tests that need it skip when it is absent), and Streamlit deprecations as warnings."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import pytest
from browser_support import browser  # noqa: F401  (the headless Chromium fixture, for every browser test)
from hypothesis import settings

# property tests check results, not speed: no per-example deadline on a loaded two-core machine
settings.register_profile("labelbridge", deadline=None)
settings.load_profile("labelbridge")

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
EUROPARL = REPO.parent / "shared" / "data" / "europarl-en-es"
STREAMLIT_DEPRECATION = "Streamlit deprecation"
# the filter for page tests: pytestmark = pytest.mark.filterwarnings(STREAMLIT_DEPRECATIONS_FAIL)
STREAMLIT_DEPRECATIONS_FAIL = f"error:{STREAMLIT_DEPRECATION}:DeprecationWarning"


def europarl_path() -> Path:
    """The shared English-Spanish gold corpus, or a skip with the reason when it is absent."""
    if not (EUROPARL / "en.conll").exists() or not (EUROPARL / "es.conll").exists():
        pytest.skip(f"the shared Europarl corpus is not at {EUROPARL}; CI provides it")
    return EUROPARL


@pytest.fixture(scope="session")
def europarl() -> Path:
    """The shared English-Spanish gold corpus (read in place, never copied)."""
    return europarl_path()


class _DeprecationToWarning(logging.Handler):
    """Streamlit reports its deprecations by logging (``streamlit.deprecation_util``), not
    with Python warnings; this turns each into a DeprecationWarning that a test's
    ``filterwarnings`` can make an error."""

    def emit(self, record: logging.LogRecord) -> None:
        warnings.warn(f"{STREAMLIT_DEPRECATION}: {record.getMessage()}", DeprecationWarning, stacklevel=2)


@pytest.fixture
def streamlit_deprecations_warn():
    from streamlit import deprecation_util

    logger = deprecation_util._LOGGER
    handler = _DeprecationToWarning(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


# corpora with gold entities on both sides: (source, target, how many pairs to read)
GOLD_CORPORA = {"demo-es": ("demo", "es.conll"), "demo-de": ("demo", "de.conll"), "europarl": ("europarl", "es.conll")}


def gold_corpus(name: str) -> tuple[Path, Path]:
    """English and target CoNLL of a corpus with gold on both sides: the bundled demo
    (always here) or the shared Europarl corpus (skipped when absent)."""
    where, target = GOLD_CORPORA[name]
    folder = DEMO if where == "demo" else europarl_path()
    return folder / "en.conll", folder / target
