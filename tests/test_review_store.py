"""The review store, export and project creation on the bundled demo (real data, real SQLite)."""

from __future__ import annotations

import sqlite3

import pytest
from helpers import DEMO, build_demo_project, copy_project

from core.corpus.io import read_conll
from core.datamodel import Span
from core.errors import CorpusError, LabelBridgeError
from core.review.actions import apply_action
from core.review.export import clean_sentences, to_conll, to_jsonl
from core.review.project import create_project, open_project
from core.review.store import Conflict, ReviewStore


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_demo_project(tmp_path_factory.mktemp("built") / "demo-es").folder


@pytest.fixture
def project(built, tmp_path):
    return open_project(copy_project(built, tmp_path / "demo-es"))


def test_project_holds_the_demo_with_both_projections(project):
    store = project.store
    assert store.count() == 36
    first = store.sentence(0)
    assert first.target_tokens[:2] == ("Maria", "Lindqvist")
    assert first.gold_spans == (Span(0, 2, "PER"), Span(7, 8, "LOC"))
    assert Span(0, 2, "PER") in [s for s, _, _ in first.heuristic]
    assert first.candidates[0][0][:2] == (0, 2)  # best candidate of "Maria Lindqvist"
    pragmas = sqlite3.connect(project.folder / "review.sqlite").execute("PRAGMA journal_mode").fetchone()
    assert pragmas[0] == "wal"


def test_decisions_are_events_plus_state_and_undo_reverts_a_batch(project):
    store = project.store
    record = store.sentence(0)
    items = [p.item for p in record.proposals()]
    store.decide(0, items[0], "accept", record.proposals()[0].span, 0, "tab-a")
    store.decide(0, items[1], "reject", None, 0, "tab-a")
    assert {k: d.action for k, d in store.decisions(0).items()} == {items[0]: "accept", items[1]: "reject"}
    assert store.undo("tab-a") == 0
    assert store.decisions(0)[items[1]].action == "undecided"
    assert [e["kind"] for e in store.events()] == ["accept", "reject", "undo-reject"]


def test_two_tabs_never_overwrite_each_other(project):
    store = project.store
    record = store.sentence(4)  # the Danube sentence: three LOC spans
    a, b = record.proposals()[0], record.proposals()[1]
    store.decide(4, a.item, "accept", a.span, 0, "tab-a")
    store.decide(4, b.item, "reject", None, 0, "tab-b")  # another span: no conflict
    with pytest.raises(Conflict):
        store.decide(4, a.item, "reject", None, 0, "tab-b")  # tab b saw version 0 of a
    assert store.decisions(4)[a.item].action == "accept"
    # a tab's own quick successive edits do not conflict with each other
    store.decide(4, a.item, "fix", Span(a.span.start, a.span.end + 1, "LOC"), 0, "tab-a")
    assert store.decisions(4)[a.item].span == Span(a.span.start, a.span.end + 1, "LOC")


def test_done_settles_undecided_spans_and_export_reads_back(project, tmp_path):
    store = project.store
    # sentence 1: accept everything matching proposed with Enter
    outcome = apply_action(store, "s", {"type": "done", "sid": 0, "seconds": 3}, list(range(36)))
    assert outcome.sentence == 1
    # sentence 2: fix a boundary, reject one span, add a span
    record = store.sentence(1)
    org = next(p for p in record.proposals() if p.span.label == "ORG")
    apply_action(
        store,
        "s",
        {"type": "fix", "sid": 1, "item": org.item, "version": 0, "span": [org.span.start, org.span.end - 1, "ORG"]},
        [],
    )
    apply_action(store, "s", {"type": "add", "sid": 1, "span": [9, 10, "MISC"]}, [])  # "malaria"
    apply_action(store, "s", {"type": "done", "sid": 1}, [])
    cleaned = list(clean_sentences(store, "reviewed"))
    assert [c.id for c in cleaned] == [0, 1]
    expected_first = [s for s, _, _ in store.sentence(0).matching]
    assert [c.span for c in cleaned[0].spans] == sorted(expected_first)
    spans_second = {(c.span.start, c.span.end, c.span.label, c.how) for c in cleaned[1].spans}
    assert (org.span.start, org.span.end - 1, "ORG", "fix") in spans_second
    assert (9, 10, "MISC", "add") in spans_second
    path = tmp_path / "out.conll"
    path.write_text(to_conll(cleaned), encoding="utf-8")
    back = read_conll(path)
    assert [s.spans for s in back] == [c.sentence().spans for c in cleaned]
    assert '"review": "fix"' in to_jsonl(cleaned)
    everything = list(clean_sentences(store, "all", "heuristic", drop_misc=True))
    assert len(everything) == 36 and all(c.span.label != "MISC" for s in everything for c in s.spans)


def test_reopening_the_database_keeps_every_decision_and_the_position(project):
    store = project.store
    record = store.sentence(2)
    p = record.proposals()[0]
    store.decide(2, p.item, "reject", None, 0, "tab")
    store.set_position("default", 2)
    store.close()
    again = ReviewStore(project.folder / "review.sqlite")
    assert again.decisions(2)[p.item].action == "reject"
    assert again.position() == 2


def test_bad_input_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.conll"
    bad.write_text("Maria\tB-PER\nLindqvist\tI-PER\textra\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"bad.conll, line 2: expected 2 columns"):
        create_project(tmp_path / "p", bad, DEMO / "es.conll")
    assert not (tmp_path / "p").exists()


def test_filters(project):
    store = project.store
    assert len(store.filter_ids()) == 36
    assert store.filter_ids(text="danubio") == [4]
    assert all("PER" in {s.label for s in store.sentence(i).source_spans} for i in store.filter_ids(label="PER"))
    disagree = store.filter_ids(disagree=True)
    assert all(store.sentence(i).disagree for i in disagree)
    apply_action(store, "s", {"type": "done", "sid": 0}, [])
    assert 0 not in store.filter_ids(unreviewed=True)


def test_undoing_a_done_event_whose_earlier_state_was_lost_says_so(project):
    store = project.store
    store.set_done(0, "tab", 1.0)
    with sqlite3.connect(project.folder / "review.sqlite") as db:  # a damaged log: the done event lost its "before"
        db.execute("UPDATE events SET before = NULL WHERE kind = 'done'")
    with pytest.raises(LabelBridgeError, match="sentence 1: cannot undo, the review database has no earlier"):
        store.undo("tab")
    assert store.done_ids() == {0}  # nothing was undone
