"""The Compare, Statistics, Export and Review pages on a project larger than the demo (the demo
repeated ten times): differences shown a page at a time, counts from the store's aggregates
that match counting sentence by sentence, cached numbers that follow every decision, and
Review's next/previous and "k of N" asked of the database."""

from __future__ import annotations

import pytest
from conftest import STREAMLIT_DEPRECATIONS_FAIL
from helpers import REPO, build_demo_project, copy_project
from streamlit.testing.v1 import AppTest

from core.review.actions import apply_action
from core.review.export import clean_sentences
from core.review.model import NewSentence
from core.review.project import open_project
from core.review.stats import method_counts, method_f1

pytestmark = [
    pytest.mark.filterwarnings(STREAMLIT_DEPRECATIONS_FAIL),
    pytest.mark.usefixtures("streamlit_deprecations_warn"),
]
REPEAT = 10


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = build_demo_project(tmp_path_factory.mktemp("built-scale") / "demo-es")
    store = project.store
    records = list(store.sentences())
    rows = [
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
        for r in records * (REPEAT - 1)
    ]
    store.add_sentences(rows, start_id=len(records))
    store.close()
    return project.folder


@pytest.fixture
def projects(built, tmp_path, monkeypatch):
    folder = tmp_path / "projects"
    copy_project(built, folder / "demo-es")
    monkeypatch.setenv("LABELBRIDGE_PROJECTS", str(folder))
    return folder


def run(page: str, **state) -> AppTest:
    at = AppTest.from_file(str(REPO / page), default_timeout=120)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_compare_shows_the_differences_a_page_at_a_time(projects):
    store = open_project(projects / "demo-es").store
    records = list(store.sentences())
    differing = [r.id + 1 for r in records if r.disagree]
    assert len(differing) > 50  # more than one page
    at = run("pages/2_Compare.py")
    metrics = {m.label: m.value for m in at.metric}
    counts = method_counts(records)
    assert metrics == {
        "Sentences": str(36 * REPEAT),
        "Methods differ": str(len(differing)),
        "Spans both propose": str(counts.both),
        "Heuristic only": str(counts.heuristic_only),
        "Matching only": str(counts.matching_only),
    }
    assert list(at.dataframe[1].value["#"]) == differing[:50]
    at.number_input(key="compare-page").set_value(2).run()
    assert list(at.dataframe[1].value["#"]) == differing[50:100]
    assert at.selectbox(key="compare-pick-2").options == [str(k) for k in differing[50:100]]


def test_compare_f1_follows_each_decision_through_the_cache(projects):
    store = open_project(projects / "demo-es").store
    first = run("pages/2_Compare.py").dataframe[0].value
    assert list(first["method"]) == ["heuristic", "matching"]
    ids = list(range(store.count()))
    for sid in range(0, 40, 3):
        proposal = store.sentence(sid).proposals()[0]
        apply_action(store, "s", {"type": "reject", "sid": sid, "item": proposal.item, "version": 0}, ids)
        apply_action(store, "s", {"type": "done", "sid": sid}, ids)
    after = run("pages/2_Compare.py").dataframe[0].value
    expected = method_f1(store, list(store.sentences()), "matching")["after review"].overall
    assert list(after["method"]) == ["heuristic", "matching", "after review"]
    assert after["F1"].iloc[2] == round(100 * expected.f1, 1) < first["F1"].iloc[1]
    apply_action(store, "s", {"type": "undo", "sid": 39}, ids)  # undoes the last done: the cache follows
    expected = method_f1(store, list(store.sentences()), "matching")["after review"].overall
    assert run("pages/2_Compare.py").dataframe[0].value["recall"].iloc[2] == round(100 * expected.recall, 1)


def test_statistics_and_export_count_in_sql_what_the_sentences_hold(projects):
    store = open_project(projects / "demo-es").store
    ids = list(range(store.count()))
    for sid in range(0, 300, 7):
        proposal = store.sentence(sid).proposals()[0]
        apply_action(store, "s", {"type": "reject", "sid": sid, "item": proposal.item, "version": 0}, ids)
        apply_action(store, "s", {"type": "done", "sid": sid, "seconds": float(sid % 11)}, ids)
    at = run("pages/3_Statistics.py")
    decided = sum(1 for items in store.all_decisions().values() for d in items.values() if d.action != "undecided")
    assert {m.label: m.value for m in at.metric}["Span decisions"] == str(decided)
    assert len(at.get("vega_lite_chart")) == 4
    at = run("pages/4_Export.py")
    reviewed = list(clean_sentences(store, "reviewed"))
    assert at.markdown[0].value == f"{len(reviewed)} sentences, {sum(len(s.spans) for s in reviewed)} entities."
    at.radio[0].set_value("all").run()
    every = list(clean_sentences(store, "all", "matching"))
    assert at.markdown[0].value == f"{len(every)} sentences, {sum(len(s.spans) for s in every)} entities."


def test_review_moves_through_the_filtered_sentences_by_query(projects):
    store = open_project(projects / "demo-es").store
    differing = [r.id for r in store.sentences() if r.disagree]
    at = run("pages/1_Review.py")
    at.sidebar.checkbox(key="f_disagree").check().run()
    assert at.session_state["sid:demo-es"] == differing[0]
    for k in range(1, 4):
        at.session_state["review"] = {
            "client": "tab",
            "actions": [{"nonce": k, "type": "next", "sid": at.session_state["sid:demo-es"]}],
        }
        at.run()
        assert at.session_state["sid:demo-es"] == differing[k]
    assert f"· {len(differing)} match the filters" in at.get("progress")[0].proto.text
    at.session_state["review"] = {
        "client": "tab",
        "actions": [{"nonce": 4, "type": "goto", "to": store.count() - 1, "sid": 0}],
    }
    at.run()  # a sentence outside the filter: the nearest one that passes, here the last
    assert at.session_state["sid:demo-es"] == differing[-1]
