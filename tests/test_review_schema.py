"""Schema versions: a database written by the store of commit 367d660 (no user_version, no
reviewer column) opens with today's store without losing a decision or an event."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path

import pytest
from helpers import build_demo_project

from core.datamodel import Span
from core.review.actions import apply_action
from core.review.project import open_project
from core.review.store import SCHEMA_VERSION, ReviewStore, SchemaError

LEGACY = Path(__file__).parent / "legacy" / "review_store_367d660.py"


def legacy_module():
    """The store exactly as commit 367d660 had it (its one relative import made absolute)."""
    source = LEGACY.read_text(encoding="utf-8").replace(
        "from .datamodel import Span", "from core.datamodel import Span"
    )
    spec = importlib.util.spec_from_loader("review_store_367d660", loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    exec(compile(source, str(LEGACY), "exec"), module.__dict__)
    return module


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return open_project(build_demo_project(tmp_path_factory.mktemp("schema") / "demo-es").folder).store


def write_old_database(path: Path, demo: ReviewStore) -> None:
    old = legacy_module()
    store = old.ReviewStore(path)
    store.add_sentences(
        old.NewSentence(
            r.source_tokens,
            r.source_spans,
            r.target_tokens,
            r.gold_spans,
            r.alignment,
            r.heuristic,
            r.matching,
            r.candidates,
        )
        for r in demo.sentences()
    )
    store.decide(0, "0:2:PER", "accept", Span(0, 2, "PER"), 0, "old-tab")
    store.decide(0, "7:8:LOC", "reject", None, 0, "old-tab")
    store.set_done(0, "old-tab", 12.0)
    store.decide(1, "1:3:ORG", "fix", Span(1, 6, "ORG"), 0, "old-tab")
    store.add_span(1, Span(11, 12, "MISC"), "old-tab")
    store.decide(2, "0:2:PER", "reject", None, 0, "old-tab")
    store.undo("old-tab")  # an undone decision: its events stay
    store.set_position("default", 2)
    store.close()


def test_a_database_of_the_old_schema_is_migrated_without_loss(tmp_path, demo):
    path = tmp_path / "review.sqlite"
    write_old_database(path, demo)
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 0
        old_decisions = raw.execute("SELECT * FROM decisions ORDER BY sentence_id, item").fetchall()
        old_events = raw.execute("SELECT * FROM events ORDER BY id").fetchall()
        old_state = raw.execute("SELECT * FROM sentence_state ORDER BY sentence_id").fetchall()
    assert len(old_events) == 7 and len(old_decisions) == 5

    store = ReviewStore(path)
    assert store.schema_version() == SCHEMA_VERSION  # every step, review_aggregates included
    with sqlite3.connect(path) as raw:  # every old row, every old column, unchanged
        n = len(old_decisions[0])
        assert [row[:n] for row in raw.execute("SELECT * FROM decisions ORDER BY sentence_id, item")] == old_decisions
        n = len(old_events[0])
        assert [row[:n] for row in raw.execute("SELECT * FROM events ORDER BY id")] == old_events
        assert raw.execute("SELECT * FROM sentence_state ORDER BY sentence_id").fetchall() == old_state
    assert store.decisions(0)["0:2:PER"].action == "accept" and store.decisions(0)["0:2:PER"].reviewer == ""
    assert store.decisions(1)["1:3:ORG"].span == Span(1, 6, "ORG")
    assert store.decisions(2)["0:2:PER"].action == "undecided"
    assert store.state(0)[0] and store.position() == 2 and store.done_times()[0][2] == 12.0

    # new decisions work, with the reviewer and the action id recorded
    outcome = apply_action(
        store, "s", {"type": "done", "sid": 2, "session": "tab", "nonce": 1}, list(range(36)), reviewer="local"
    )
    assert outcome.sentence == 3
    assert store.decisions(2)["0:2:PER"].reviewer == "local"
    assert store.events()[-1]["action_id"] == "tab:1" and store.events()[-1]["reviewer"] == "local"
    store.close()
    assert ReviewStore(path).schema_version() == SCHEMA_VERSION  # opening again changes nothing


def test_a_database_from_a_newer_version_is_refused_clearly(tmp_path, demo):
    path = tmp_path / "review.sqlite"
    ReviewStore(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(
        SchemaError, match=f"schema version {SCHEMA_VERSION + 1}; this LabelBridge reads up to {SCHEMA_VERSION}"
    ) as err:
        ReviewStore(path)
    assert str(tmp_path) not in str(err.value)  # no server path in the message


def test_rows_are_read_by_column_name(tmp_path, demo):
    # a column added in front of the others must not shift what is read
    path = tmp_path / "review.sqlite"
    write_old_database(path, demo)
    store = ReviewStore(path)
    assert store.events()[0]["kind"] == "accept" and store.events()[0]["session"] == "old-tab"
    assert store.progress() == (1, 36)
