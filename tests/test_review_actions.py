"""The server never trusts the browser: every action is checked before anything is stored, re-sent
actions are applied once, overlaps and no-op fixes are handled in the store (demo data, real SQLite)."""

from __future__ import annotations

import math

import pytest
from helpers import build_demo_project, copy_project

from core.datamodel import Span
from core.review.actions import Action, ActionRefused, apply_action, check_action, parse_action
from core.review.export import clean_sentences, to_conll
from core.review.project import open_project
from core.review.stats import acceptance, decision_table
from core.review.store import Refused, ReviewStore

IDS = list(range(36))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_demo_project(tmp_path_factory.mktemp("built-actions") / "demo-es").folder


@pytest.fixture
def project(built, tmp_path):
    return open_project(copy_project(built, tmp_path / "demo-es"))


def nothing_stored(store: ReviewStore) -> bool:
    return store.all_decisions() == {} and store.events() == []


def test_a_crafted_fix_past_the_sentence_is_refused_and_export_still_works(project):
    store = project.store
    outcome = apply_action(
        store,
        "tab",
        {"type": "fix", "sid": 0, "item": "0:2:PER", "version": 0, "span": [0, 999, "PER"], "nonce": 1},
        IDS,
    )
    assert outcome.conflict.startswith("not saved: sentence 1 has 11 words")
    assert not outcome.message  # the screen says nothing was saved
    assert nothing_stored(store)
    apply_action(store, "tab", {"type": "done", "sid": 0, "nonce": 2}, IDS)
    assert "B-PER" in to_conll(clean_sentences(store, "reviewed"))  # export works for everyone


def test_a_label_with_a_line_break_never_reaches_the_export(project):
    store = project.store
    injected = "ORG\n#injected\tB-PER"
    for kind, extra in (("fix", {"item": "0:2:PER", "version": 0}), ("add", {})):
        outcome = apply_action(store, "tab", {"type": kind, "sid": 0, "span": [3, 4, injected], **extra}, IDS)
        assert "not a label of this project" in outcome.conflict
    assert nothing_stored(store)
    apply_action(store, "tab", {"type": "done", "sid": 0}, IDS)
    assert "#injected" not in to_conll(clean_sentences(store, "all"))


BAD_ACTIONS = [
    ("not an object", ["accept"], "must be an object"),
    ("unknown type", {"type": "drop_table", "sid": 0}, "unknown action"),
    ("no sentence", {"type": "accept", "item": "0:2:PER"}, "sentence number"),
    ("negative sentence", {"type": "done", "sid": -1}, "sentence number"),
    ("sentence past the end", {"type": "done", "sid": 36}, "sentence number"),
    ("sentence as text", {"type": "done", "sid": "0"}, "sentence number"),
    ("sentence as boolean", {"type": "done", "sid": True}, "sentence number"),
    ("version as text", {"type": "reject", "sid": 0, "item": "0:2:PER", "version": "x"}, "version"),
    ("version negative", {"type": "reject", "sid": 0, "item": "0:2:PER", "version": -1}, "version"),
    ("nonce zero", {"type": "done", "sid": 0, "nonce": 0}, "action number"),
    ("nonce huge", {"type": "done", "sid": 0, "nonce": 2**60}, "action number"),
    ("tab id with markup", {"type": "done", "sid": 0, "session": "<b>x</b>"}, "tab id"),
    ("seconds as text", {"type": "done", "sid": 0, "seconds": "600"}, "seconds"),
    ("item of another sentence", {"type": "reject", "sid": 0, "item": "13:14:LOC"}, "has no span"),
    ("item that is not an id", {"type": "reject", "sid": 0, "item": "x' OR 1=1 --"}, "not one this screen sends"),
    (
        "added item never added",
        {"type": "edit_added", "sid": 0, "item": "add:0123456789", "span": [3, 4, "LOC"]},
        "has no span",
    ),
    ("span as object", {"type": "add", "sid": 0, "span": {"start": 0, "end": 1}}, "[start, end, label]"),
    ("span with fractions", {"type": "add", "sid": 0, "span": [0.5, 1, "LOC"]}, "whole numbers"),
    ("span backwards", {"type": "add", "sid": 0, "span": [4, 3, "LOC"]}, "start < end"),
    ("empty span", {"type": "add", "sid": 0, "span": [3, 3, "LOC"]}, "start < end"),
    ("negative start", {"type": "add", "sid": 0, "span": [-1, 2, "LOC"]}, "start < end"),
    ("span past the end", {"type": "add", "sid": 0, "span": [10, 12, "LOC"]}, "does not fit"),
    ("unknown label", {"type": "add", "sid": 0, "span": [3, 4, "WEAPON"]}, "not a label"),
    ("huge label", {"type": "add", "sid": 0, "span": [3, 4, "L" * 500]}, "short text"),
    ("huge payload", {"type": "done", "sid": 0, "pad": "x" * 5000}, "at most 2000 characters"),
    ("source entity out of range", {"type": "add", "sid": 0, "span": [3, 4, "LOC"], "source": 7}, "source entities"),
    ("goto past the end", {"type": "goto", "sid": 0, "to": 99}, "sentence to go to"),
]


@pytest.mark.parametrize("name, action, message", BAD_ACTIONS, ids=[b[0] for b in BAD_ACTIONS])
def test_bad_actions_are_refused_with_a_message_and_store_nothing(project, name, action, message):
    store = project.store
    outcome = apply_action(store, "tab", action, IDS)
    assert outcome.conflict.startswith("not saved:") and message in outcome.conflict, outcome
    assert nothing_stored(store)
    assert store.state(0) == (False, 0)


def test_seconds_are_clamped_to_a_sane_range():
    assert parse_action({"type": "done", "sid": 0, "seconds": 1e9}, 36).seconds == 600
    assert parse_action({"type": "done", "sid": 0, "seconds": -5}, 36).seconds == 0
    assert parse_action({"type": "done", "sid": 0, "seconds": math.nan}, 36).seconds == 0
    assert parse_action({"type": "done", "sid": 0, "seconds": 12.5}, 36).seconds == 12.5


def test_check_action_uses_the_projected_span_for_accept(project):
    record = project.store.sentence(0)
    action = parse_action({"type": "accept", "sid": 0, "item": "0:2:PER", "span": [0, 11, "PER"]}, 36)
    checked = check_action(action, record, {}, project.store.labels())
    assert checked.span == Span(0, 2, "PER")  # what the browser claimed is ignored


def test_the_store_refuses_bad_spans_and_labels_itself(project):
    store = project.store
    with pytest.raises(Refused, match="does not fit"):
        store.decide(0, "0:2:PER", "fix", Span(0, 999, "PER"), 0, "tab")
    with pytest.raises(Refused, match="not a label"):
        store.decide(0, "0:2:PER", "fix", Span(0, 2, "ORG\n#x"), 0, "tab")
    with pytest.raises(Refused, match="does not fit"):
        store.add_span(0, Span(11, 12, "LOC"), "tab")
    assert nothing_stored(store)


def test_a_resent_action_is_applied_once_even_after_a_restart(project):
    store = project.store
    reject = {"type": "reject", "sid": 0, "item": "0:2:PER", "version": 0, "session": "tab1", "nonce": 1}
    done = {"type": "done", "sid": 0, "seconds": 400, "session": "tab1", "nonce": 2}
    first = [apply_action(store, "server-session-1", a, IDS) for a in (reject, done)]
    store.close()
    restarted = ReviewStore(project.folder / "review.sqlite")  # a new server, a new Streamlit session
    again = [apply_action(restarted, "server-session-2", a, IDS) for a in (reject, done)]
    assert again == first
    assert not any(o.conflict for o in again)  # not "changed in another tab": it was this tab
    assert [e["kind"] for e in restarted.events()].count("reject") == 1
    assert [e["kind"] for e in restarted.events()].count("done") == 1
    assert restarted.done_times()[0][2] == 400  # the seconds counted once, not 800


def test_the_same_tab_after_a_restart_is_not_another_tab(project):
    store = project.store
    apply_action(
        store, "s1", {"type": "accept", "sid": 4, "item": "2:3:LOC", "version": 0, "session": "tab1", "nonce": 1}, IDS
    )
    store.close()
    restarted = ReviewStore(project.folder / "review.sqlite")
    # the tab still believes version 0 (its screen had not refreshed): its own edit, no conflict
    outcome = apply_action(
        restarted,
        "s2",
        {"type": "reject", "sid": 4, "item": "2:3:LOC", "version": 0, "session": "tab1", "nonce": 2},
        IDS,
    )
    assert outcome.conflict == "" and restarted.decisions(4)["2:3:LOC"].action == "reject"
    other = apply_action(
        restarted,
        "s3",
        {"type": "accept", "sid": 4, "item": "2:3:LOC", "version": 0, "session": "tab2", "nonce": 1},
        IDS,
    )
    assert "another tab" in other.conflict
    # a refusal is remembered too: sent again, the same answer, still nothing written
    assert (
        apply_action(
            restarted,
            "s3",
            {"type": "accept", "sid": 4, "item": "2:3:LOC", "version": 0, "session": "tab2", "nonce": 1},
            IDS,
        )
        == other
    )
    assert restarted.decisions(4)["2:3:LOC"].action == "reject"


def test_a_resent_add_and_undo_are_applied_once(project):
    store = project.store
    add = {"type": "add", "sid": 0, "span": [3, 4, "LOC"], "session": "tab1", "nonce": 1}
    first = apply_action(store, "s", add, IDS)
    assert apply_action(store, "s", add, IDS) == first
    assert len([d for d in store.decisions(0) if d.startswith("add:")]) == 1
    undo = {"type": "undo", "sid": 0, "session": "tab1", "nonce": 2}
    assert apply_action(store, "s", undo, IDS) == apply_action(store, "s", undo, IDS)
    assert [e["kind"] for e in store.events()] == ["add", "undo-add"]


def test_overlapping_kept_spans_are_refused_naming_both(project):
    store = project.store
    # the Danube sentence: grow the first LOC span by two words (shift+right twice) ...
    for nonce, end in ((1, 4), (2, 5)):
        outcome = apply_action(
            store,
            "s",
            {
                "type": "fix",
                "sid": 4,
                "item": "2:3:LOC",
                "version": 0,
                "span": [2, end, "LOC"],
                "session": "tab",
                "nonce": nonce,
            },
            IDS,
        )
        assert outcome.conflict == ""
    # ... then accept its neighbour, which the grown span now covers
    outcome = apply_action(
        store, "s", {"type": "accept", "sid": 4, "item": "4:5:LOC", "version": 0, "session": "tab", "nonce": 3}, IDS
    )
    tokens = store.sentence(4).target_tokens
    assert outcome.conflict == (
        f"not saved: “{tokens[4]}” LOC overlaps “{' '.join(tokens[2:5])}” LOC, which is kept: "
        "reject or shorten one of them first"
    )
    assert "4:5:LOC" not in store.decisions(4)
    # and the other way round: growing a span over a kept one
    apply_action(
        store, "s", {"type": "accept", "sid": 4, "item": "6:7:LOC", "version": 0, "session": "tab", "nonce": 4}, IDS
    )
    outcome = apply_action(
        store,
        "s",
        {"type": "fix", "sid": 4, "item": "2:3:LOC", "version": 0, "span": [2, 7, "LOC"], "session": "tab", "nonce": 5},
        IDS,
    )
    assert "overlaps" in outcome.conflict
    apply_action(store, "s", {"type": "done", "sid": 4, "session": "tab", "nonce": 6}, IDS)
    exported = next(clean_sentences(store, "reviewed"))
    kept = {(c.span.start, c.span.end) for c in exported.spans}
    assert kept == {(2, 5), (6, 7)}  # every span shown as kept is exported


def test_a_fix_that_changes_nothing_is_an_accept(project):
    store = project.store
    # "c" when the span already is the top candidate: the browser sends the same span back
    outcome = apply_action(
        store, "s", {"type": "fix", "sid": 0, "item": "0:2:PER", "version": 0, "span": [0, 2, "PER"]}, IDS
    )
    assert outcome.message == "accept saved"
    assert store.decisions(0)["0:2:PER"].action == "accept"
    store.decide(0, "7:8:LOC", "fix", Span(7, 8, "LOC"), 0, "s")  # the store enforces it too
    assert store.decisions(0)["7:8:LOC"].action == "accept"
    assert acceptance(decision_table(store), "label")[0]["acceptance rate"] == 1.0  # Statistics: 100%, not 0%


def test_decisions_record_the_reviewer(project):
    store = project.store
    apply_action(store, "s", {"type": "accept", "sid": 0, "item": "0:2:PER", "version": 0}, IDS, reviewer="ana")
    apply_action(store, "s", {"type": "done", "sid": 0}, IDS, reviewer="ana")
    assert {d.reviewer for d in store.decisions(0).values()} == {"ana"}
    assert {e["reviewer"] for e in store.events()} == {"ana"}


def test_an_entity_nobody_projected_gets_an_added_span_from_its_candidate(project):
    store = project.store
    outcome = apply_action(store, "s", {"type": "add", "sid": 3, "span": [8, 9, "MISC"], "source": 0}, IDS)
    assert outcome.select_item.startswith("add:") and outcome.select_item.endswith("@0")
    assert store.decisions(3)[outcome.select_item].span == Span(8, 9, "MISC")
    # "c" again cycles the candidates of that entity: an edit of the added span
    again = apply_action(
        store,
        "s",
        {"type": "edit_added", "sid": 3, "item": outcome.select_item, "version": 1, "span": [8, 11, "MISC"]},
        IDS,
    )
    assert again.message == "add saved"
    assert store.decisions(3)[outcome.select_item].span == Span(8, 11, "MISC")


def test_an_action_built_in_code_without_its_fields_is_refused_not_a_crash(project):
    """parse_action fills these fields for what the browser sends; an Action made in code
    (a script, another screen) without them gets a clear refusal and stores nothing."""
    store = project.store
    with pytest.raises(ActionRefused, match="needs the span's id"):
        check_action(Action("accept", 0), store.sentence(0), {}, store.labels())
    for action, message in (
        (Action("reject", 0, session="tab", nonce=1), "needs the span's id"),
        (Action("add", 0, session="tab", nonce=2), "an added span needs"),
        (Action("goto", 0), "goto needs a sentence number"),
    ):
        outcome = apply_action(store, "tab", action, IDS)
        assert message in outcome.conflict
        assert outcome.sentence == 0
    assert store.all_decisions() == {}
