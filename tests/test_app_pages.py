"""Each page's logic through Streamlit's AppTest, on a copy of the demo project."""

from __future__ import annotations

import re

import pytest
from conftest import STREAMLIT_DEPRECATIONS_FAIL
from helpers import DEMO, REPO, build_demo_project, copy_project
from streamlit.testing.v1 import AppTest

from core.review.actions import apply_action
from core.review.project import open_project

# a page calling a deprecated Streamlit API fails its test (Streamlit's own deprecations only)
pytestmark = [
    pytest.mark.filterwarnings(STREAMLIT_DEPRECATIONS_FAIL),
    pytest.mark.usefixtures("streamlit_deprecations_warn"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_demo_project(tmp_path_factory.mktemp("built-app") / "demo-es").folder


@pytest.fixture
def projects(built, tmp_path, monkeypatch):
    folder = tmp_path / "projects"
    copy_project(built, folder / "demo-es")
    monkeypatch.setenv("LABELBRIDGE_PROJECTS", str(folder))
    return folder


def run(page: str) -> AppTest:
    at = AppTest.from_file(str(REPO / page), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def rendered(markdown: str) -> str:
    """What a Markdown message shows: the app escapes every character that could format it."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def test_home_opens_the_demo_and_reports_bad_input(projects, tmp_path):
    at = run("app.py")
    assert "demo-es" in at.subheader[0].value
    assert [m.value for m in at.metric][:2] == ["36", "0"]
    at.file_uploader(key="up-source").set_value(("bad.conll", b"Maria\tB-PER\nLindqvist\tI-PER\textra\n", "text/plain"))
    at.file_uploader(key="up-target").set_value(("es.conll", (DEMO / "es.conll").read_bytes(), "text/plain"))
    at.text_input(key="p-name").set_value("broken")
    at.button[-1].click().run()
    assert not at.exception
    assert any("bad.conll, line 2" in rendered(e.value) for e in at.error), [e.value for e in at.error]
    assert not (projects / "broken").exists()


def test_review_page_shows_progress_and_applies_filters(projects):
    store = open_project(projects / "demo-es").store
    apply_action(store, "earlier", {"type": "done", "sid": 0}, list(range(36)))
    store.set_position("default", 1)  # where an earlier session left off
    at = run("pages/1_Review.py")
    assert at.session_state["sid:demo-es"] == 1  # resumes where the reviewer was
    assert "1 of 36 sentences done" in at.get("progress")[0].proto.text
    at.sidebar.text_input[0].set_value("danubio").run()
    assert at.session_state["sid:demo-es"] == 4
    at.sidebar.text_input[0].set_value("no such words").run()
    assert "No sentence matches" in at.info[0].value


def test_review_page_applies_component_actions(projects):
    at = AppTest.from_file(str(REPO / "pages/1_Review.py"), default_timeout=60)
    at.run()
    store = open_project(projects / "demo-es").store
    record = store.sentence(0)
    item = record.proposals()[0]
    # what the frontend sends: a queue of numbered actions
    at.session_state["review"] = {
        "actions": [
            {"nonce": 1, "sid": 0, "type": "reject", "item": item.item, "version": 0},
            {"nonce": 2, "sid": 0, "type": "done", "seconds": 2.0},
        ]
    }
    at.run()
    assert not at.exception
    assert store.decisions(0)[item.item].action == "reject"
    assert store.state(0)[0] is True
    assert at.session_state["sid:demo-es"] == 1
    at.run()  # the same queue again (a resend) is not applied twice
    assert len([e for e in store.events() if e["kind"] == "reject"]) == 1


def test_compare_page_shows_f1_and_differences(projects):
    at = run("pages/2_Compare.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sentences"] == "36"
    f1 = at.dataframe[0].value
    assert list(f1["method"]) == ["heuristic", "matching"]  # nothing reviewed: no "after review" row
    assert all(50 < v <= 100 for v in f1["F1"])
    store = open_project(projects / "demo-es").store
    apply_action(store, "s", {"type": "done", "sid": 0}, list(range(36)))
    f1 = run("pages/2_Compare.py").dataframe[0].value
    assert list(f1["method"]) == ["heuristic", "matching", "after review"]


def test_statistics_page_counts_decisions(projects):
    store = open_project(projects / "demo-es").store
    at = run("pages/3_Statistics.py")
    assert {m.label: m.value for m in at.metric}["Median time per sentence"] == "–"
    first = store.sentence(0).proposals()[0]
    apply_action(store, "s", {"type": "reject", "sid": 0, "item": first.item, "version": 0}, list(range(36)))
    for sid, seconds in enumerate([2.0, 4.0, 6.0, 9.0]):
        apply_action(store, "s", {"type": "done", "sid": sid, "seconds": seconds}, list(range(36)))
    at = run("pages/3_Statistics.py")  # draws its charts: a deprecated chart option fails here
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sentences done"] == "4"
    assert metrics["Median time per sentence"] == "5.0 s"  # an even count: the mean of 4 and 6
    n_spans = sum(len(store.sentence(i).proposals()) for i in range(4))
    assert metrics["Span decisions"] == str(n_spans)
    assert metrics["Accepted as projected"] == f"{100 * (n_spans - 1) / n_spans:.0f}%"
    assert len(at.get("vega_lite_chart")) == 4


def test_export_page_offers_reviewed_and_all(projects):
    store = open_project(projects / "demo-es").store
    at = run("pages/4_Export.py")
    assert "Nothing to export yet" in at.info[0].value
    apply_action(store, "s", {"type": "done", "sid": 0}, list(range(36)))
    at = run("pages/4_Export.py")
    assert "1 sentences" in at.markdown[0].value
    at.radio[0].set_value("all").run()
    assert "36 sentences" in at.markdown[0].value


def test_first_start_builds_the_demo_with_ner_candidates(tmp_path, monkeypatch):
    """What the README's first command does: no project yet, so the demo is built, with a
    spaCy NER model trained offline on its heuristic projection as matching candidates."""
    monkeypatch.setenv("LABELBRIDGE_PROJECTS", str(tmp_path))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sentences"] == "36" and metrics["Matching candidates"] == "NER"
    project = open_project(tmp_path / "demo-es")
    assert (project.folder / "ner-model" / "meta.json").exists()
    assert project.settings.ner_training_seconds > 0
    from core.review.ner_training import predict_spans
    from core.review.stats import method_f1

    predicted = predict_spans(project.folder / "ner-model", [r.target_tokens for r in project.store.sentences()])
    for record, spans in zip(project.store.sentences(), predicted):
        assert {(s.start, s.end) for s, _, _ in record.matching} <= set(spans)  # matching chose among NER spans
        assert set(record.candidates) == set(range(len(record.source_spans)))  # every entity can be fixed with `c`
    assert method_f1(project.store, list(project.store.sentences()))["matching"].overall.f1 > 0.5
