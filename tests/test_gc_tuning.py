"""The collection Streamlit runs after every script run must not walk the process's imports:
it held the interpreter lock for about 70 ms a key press (see ui/gc_tuning.py)."""

from __future__ import annotations

import gc
import sys
import types
import weakref

from helpers import REPO, build_demo_project
from streamlit.testing.v1 import AppTest

from ui.gc_tuning import freeze_long_lived


def test_a_review_run_leaves_the_imports_out_of_the_collection(tmp_path, monkeypatch):
    build_demo_project(tmp_path / "projects" / "demo-es")
    monkeypatch.setenv("LABELBRIDGE_PROJECTS", str(tmp_path / "projects"))
    at = AppTest.from_file(str(REPO / "pages/1_Review.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    at.run()  # a second run, like a key press
    gc.collect()
    walked, frozen = len(gc.get_objects()), gc.get_freeze_count()
    # the modules Streamlit, pandas and the app import are frozen; a full collection walks the rest
    assert frozen > 50_000
    assert walked < frozen / 2, (walked, frozen)


def test_freezing_again_only_after_new_imports():
    freeze_long_lived()
    assert not freeze_long_lived()  # nothing imported since: one length compared
    sys.modules["labelbridge_test_new_module"] = types.ModuleType("labelbridge_test_new_module")  # an import
    assert freeze_long_lived()
    assert not freeze_long_lived()


def test_garbage_made_before_a_freeze_is_still_freed():
    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # a reference cycle: only the collector frees it
    collected: list[str] = []
    weakref.finalize(a, collected.append, "a")
    del a, b
    sys.modules["labelbridge_test_other_module"] = types.ModuleType("labelbridge_test_other_module")
    assert freeze_long_lived()
    assert collected == ["a"]  # freed by the collection before the freeze, not frozen
