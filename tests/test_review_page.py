"""The Review page's script (Streamlit AppTest) on a copy of the demo: the sidebar count is drawn
after the actions are applied, decisions carry the reviewer, a crafted action is refused on screen."""

from __future__ import annotations

import pytest
from helpers import REPO, build_demo_project, copy_project
from streamlit.testing.v1 import AppTest

from core.review.project import open_project


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_demo_project(tmp_path_factory.mktemp("built-page") / "demo-es").folder


@pytest.fixture
def review(built, tmp_path, monkeypatch):
    folder = tmp_path / "projects"
    copy_project(built, folder / "demo-es")
    monkeypatch.setenv("LABELBRIDGE_PROJECTS", str(folder))
    at = AppTest.from_file(str(REPO / "pages/1_Review.py"), default_timeout=60)
    at.run()
    assert not at.exception
    return at, open_project(folder / "demo-es").store


def send(at: AppTest, *actions: dict, client: str = "tab1") -> None:
    at.session_state["review"] = {"client": client, "actions": list(actions)}
    at.run()
    assert not at.exception, at.exception


def sidebar_done(at: AppTest) -> str:
    return next(m.value for m in at.sidebar.markdown if "Project:" in m.value).split("\n")[-1]


def test_the_sidebar_count_includes_the_action_just_applied(review):
    at, store = review
    send(at, {"nonce": 1, "sid": 0, "type": "done", "seconds": 2.0})
    assert "1 of 36 sentences done" in at.get("progress")[0].proto.text
    assert sidebar_done(at) == "1 of 36 sentences done"  # not one action behind


def test_page_decisions_carry_the_reviewer_and_the_tab(review):
    at, store = review
    send(at, {"nonce": 1, "sid": 0, "type": "reject", "item": "0:2:PER", "version": 0})
    event = store.events()[-1]
    assert (event["reviewer"], event["session"], event["action_id"]) == ("local", "tab1", "tab1:1")
    send(at, {"nonce": 1, "sid": 0, "type": "reject", "item": "0:2:PER", "version": 0})  # a resend
    assert len(store.events()) == 1


def test_a_crafted_action_is_refused_on_screen_and_acknowledged(review):
    at, store = review
    send(at, {"nonce": 1, "sid": 0, "type": "fix", "item": "0:2:PER", "version": 0, "span": [0, 999, "PER"]})
    assert any("not saved: sentence 1 has 11 words" in w.value for w in at.warning)
    assert store.all_decisions() == {} and store.events() == []
    assert at.session_state["acks"]["tab1"] == 1  # answered, so the tab stops sending it
    send(at, "garbage", {"nonce": "2", "type": "done", "sid": 0}, {"nonce": 3, "sid": 0, "type": "done"})
    assert store.state(0)[0] and at.session_state["acks"]["tab1"] == 3
