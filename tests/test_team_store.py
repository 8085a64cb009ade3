"""Team review in the store: decisions per reviewer (owner) that never overwrite each other,
done-state per reviewer, the stored assignment, and the migration of a one-reviewer database
written by the store of commit 68de5c7 (schema version 1)."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path

import pytest
from helpers import build_demo_project

from core.datamodel import Span
from core.review.actions import apply_action
from core.review.assignment import assign
from core.review.model import adjudication_owner
from core.review.project import open_project
from core.review.store import SCHEMA_VERSION, Conflict, Refused, ReviewStore

LEGACY = Path(__file__).parent / "legacy" / "review_store_68de5c7.py"


def legacy_module():
    """The store exactly as commit 68de5c7 had it (one reviewer per span)."""
    spec = importlib.util.spec_from_loader("review_store_68de5c7", loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    exec(compile(LEGACY.read_text(encoding="utf-8"), str(LEGACY), "exec"), module.__dict__)
    return module


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory):
    return build_demo_project(tmp_path_factory.mktemp("team") / "demo-es").folder


@pytest.fixture()
def store(demo_folder, tmp_path):
    path = tmp_path / "review.sqlite"
    fresh = ReviewStore(path)
    source = open_project(demo_folder).store
    from core.review.model import NewSentence

    fresh.add_sentences(
        NewSentence(
            r.source_tokens,
            r.source_spans,
            r.target_tokens,
            r.gold_spans,
            r.alignment,
            r.heuristic,
            r.matching,
            r.candidates,
        )
        for r in source.sentences()
    )
    return fresh


def test_two_reviewers_deciding_one_span_keep_two_decisions(store):
    store.decide(0, "0:2:PER", "accept", Span(0, 2, "PER"), 0, "tab-a", reviewer="ana")
    store.decide(0, "0:2:PER", "reject", None, 0, "tab-b", reviewer="ben")  # version 0 of ben's own row: no conflict
    assert store.decisions(0, "ana")["0:2:PER"].action == "accept"
    assert store.decisions(0, "ben")["0:2:PER"].action == "reject"
    assert store.decisions(0)["0:2:PER"].reviewer == "ben"  # without an owner: the latest decision
    assert {e["owner"] for e in store.events()} == {"ana", "ben"} and len(store.events()) == 2
    # the same reviewer in two tabs still conflicts on one span
    with pytest.raises(Conflict):
        store.decide(0, "0:2:PER", "reject", None, 0, "tab-a2", reviewer="ana")
    assert set(store.decisions_by_owner()[0]) == {"ana", "ben"}


def test_one_reviewers_kept_span_does_not_block_anothers_overlapping_span(store):
    store.decide(1, "1:3:ORG", "fix", Span(1, 6, "ORG"), 0, "tab-a", reviewer="ana")
    saved = store.decide(1, "1:3:ORG", "fix", Span(1, 4, "ORG"), 0, "tab-b", reviewer="ben")
    assert saved.span == Span(1, 4, "ORG")
    with pytest.raises(Refused, match="overlaps"):  # within one review the rule holds
        store.add_span(1, Span(2, 3, "ORG"), "tab-a", reviewer="ana")


def test_done_is_per_reviewer_and_the_sentence_is_done_when_anyone_is(store):
    settled = store.set_done(0, "tab-a", 20.0, reviewer="ana")
    assert settled == len(store.sentence(0).proposals())
    assert store.state(0, "ana")[0] and not store.state(0, "ben")[0] and store.state(0)[0]
    assert store.decisions(0, "ben") == {}  # ben's review is untouched by ana's done
    store.set_done(0, "tab-b", 30.0, reviewer="ben")
    store.reopen(0, "tab-a", reviewer="ana")
    assert not store.state(0, "ana")[0] and store.state(0)[0]  # ben still has it done
    assert store.done_ids("ana") == set() and store.done_ids("ben") == {0} == store.done_ids()
    store.undo("tab-b")  # ben's done undone: nobody has it done now
    assert not store.state(0)[0] and store.done_ids() == set()
    assert store.decisions(0, "ana")["0:2:PER"].action == "accept"  # ana's settled spans stay


def test_an_adjudication_is_its_own_review(store):
    store.decide(2, "0:2:PER", "accept", Span(0, 2, "PER"), 0, "tab-a", reviewer="ana")
    owner = adjudication_owner("ana")
    outcome = apply_action(
        store, "tab-l", {"type": "reject", "sid": 2, "item": "0:2:PER", "version": 0}, [2], reviewer="ana", owner=owner
    )
    assert outcome.conflict == ""
    assert store.decisions(2, "ana")["0:2:PER"].action == "accept"
    assert (
        store.decisions(2, owner)["0:2:PER"].action == "reject"
        and store.decisions(2, owner)["0:2:PER"].reviewer == "ana"
    )


def test_the_assignment_is_stored_and_replaced(store):
    assert store.assignment() is None
    made = assign(range(store.count()), ["ana", "ben", "cy"], overlap=0.1, seed=3)
    store.set_assignment(made, {"lead": "ana", "overlap": 0.1})
    assert store.assignment() == made and store.meta("assignment")["lead"] == "ana"
    store.set_assignment(assign(range(4), ["ben"], overlap=0.0))
    assert store.assignment().queues == {"ben": (0, 1, 2, 3)}
    store.clear_assignment()
    assert store.assignment() is None and store.meta("assignment") is None


def write_v1_database(path: Path, source: ReviewStore) -> None:
    old = legacy_module()
    db = old.ReviewStore(path)
    db.add_sentences(
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
        for r in source.sentences()
    )
    db.decide(0, "0:2:PER", "accept", Span(0, 2, "PER"), 0, "old-tab", reviewer="local")
    db.set_done(0, "old-tab", 12.0, reviewer="local")
    db.decide(1, "1:3:ORG", "fix", Span(1, 6, "ORG"), 0, "old-tab")  # anonymous, as tests and scripts wrote
    db.set_done(4, "ana-tab", 5.0, reviewer="ana")
    db.set_position("default", 4)
    db.close()


def test_a_one_reviewer_database_is_migrated_without_loss(demo_folder, tmp_path):
    source = open_project(demo_folder).store
    path = tmp_path / "review.sqlite"
    write_v1_database(path, source)
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
        old_decisions = raw.execute("SELECT * FROM decisions ORDER BY sentence_id, item").fetchall()
        old_events = raw.execute("SELECT * FROM events ORDER BY id").fetchall()
        old_state = raw.execute("SELECT * FROM sentence_state ORDER BY sentence_id").fetchall()

    store = ReviewStore(path)
    assert store.schema_version() == SCHEMA_VERSION
    with sqlite3.connect(path) as raw:  # every old row and column kept; the owner added at the end
        n = len(old_decisions[0])
        rows = raw.execute("SELECT * FROM decisions ORDER BY sentence_id, item").fetchall()
        assert [row[:n] for row in rows] == old_decisions
        assert [row[n] for row in rows] == ["local" if not row[n - 1] else row[n - 1] for row in rows]
        n = len(old_events[0])
        assert [row[:n] for row in raw.execute("SELECT * FROM events ORDER BY id")] == old_events
        assert raw.execute("SELECT * FROM sentence_state ORDER BY sentence_id").fetchall() == old_state
    assert store.decisions(0, "local")["0:2:PER"].action == "accept"
    assert store.decisions(1, "local")["1:3:ORG"].span == Span(1, 6, "ORG")  # the anonymous decision is local's
    assert store.state(0, "local")[0] and store.state(4, "ana")[0] and not store.state(4, "local")[0]
    assert store.done_ids() == {0, 4} and store.position() == 4

    # a second reviewer now decides the same span: both decisions stay
    apply_action(
        store,
        "tab",
        {"type": "reject", "sid": 0, "item": "0:2:PER", "version": 0, "session": "ben-tab", "nonce": 1},
        list(range(36)),
        reviewer="ben",
    )
    assert store.decisions(0, "local")["0:2:PER"].action == "accept"
    assert store.decisions(0, "ben")["0:2:PER"].action == "reject"
    # undoing an old (pre-migration) event finds its row by the event's reviewer
    assert store.undo("old-tab") == 1 and store.decisions(1, "local")["1:3:ORG"].action == "undecided"
    store.close()
    assert ReviewStore(path).schema_version() == SCHEMA_VERSION


def test_a_reviewer_cannot_edit_a_span_another_reviewer_added(store):
    added = apply_action(store, "tab-a", {"type": "add", "sid": 3, "span": [8, 9, "MISC"]}, [3], reviewer="ana")
    outcome = apply_action(
        store, "tab-b", {"type": "reject", "sid": 3, "item": added.select_item, "version": 1}, [3], reviewer="ben"
    )
    assert "has no span" in outcome.conflict
    assert store.decisions(3, "ana")[added.select_item].action == "add" and store.decisions(3, "ben") == {}
