"""Review as a team in headless Chromium: a lead assigns the demo to three reviewers (three
browser contexts, each signed in through the users file), each reviews the overlap sample with
planted disagreements, the Agreement page shows the numbers worked out by hand, the lead
adjudicates the disagreements on Review, and Export has the adjudicated spans."""

from __future__ import annotations

import os
import shutil
import time

import pytest
from browser_support import free_port, press, review_frame, start_server, stop_server  # noqa: F401
from helpers import REPO, build_demo_project

from core.review.project import open_project
from ui import auth

pytestmark = pytest.mark.browser

REVIEWERS = ["ana", "ben", "cy"]
PASSWORD = "correct horse"
OVERLAP = [2, 16, 24, 26]
# planted disagreements (keys on the Review screen; the first span is selected on arrival):
# sentence 2: ben rejects the ORG; 16: cy cuts the first PER to one word; 24: ben labels Milán ORG
PLANTED = {("ben", 2): ["ArrowDown", "x"], ("cy", 16): ["Shift+ArrowLeft"], ("ben", 24): ["ArrowDown", "3"]}
# by hand (tests/test_team_review.py spells it out): exact span F1 ana-ben 14/17, ana-cy 16/18, ben-cy 12/17
MEAN_F1 = (14 / 17 + 16 / 18 + 12 / 17) / 3


@pytest.fixture
def team_server(tmp_path, monkeypatch):
    projects = tmp_path / "projects"
    build_demo_project(projects / "demo-es")
    users = tmp_path / "users"
    auth.write_users(users, {name: auth.hash_password(PASSWORD) for name in REVIEWERS})
    for name in (auth.ENV_HEADER, auth.ENV_ALLOW_REMOTE):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(auth.ENV_USERS, str(users))
    monkeypatch.setenv("LABELBRIDGE_LEADS", "ana")
    port = free_port()
    process = start_server(projects, port, tmp_path / "server.log")
    yield f"http://127.0.0.1:{port}", projects
    stop_server(process)


def body(page) -> str:
    return page.inner_text("body").replace("\u2060", "")


def sign_in(browser, base: str, name: str, path: str):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/{path}?project=demo-es")
    page.get_by_role("textbox", name="User name").fill(name)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def navigate(page, title: str) -> None:
    """Another page of the app in the same session (a reload would ask to sign in again)."""
    page.locator("[data-testid=stSidebarNav] a", has_text=title).first.click()


def goto_sentence(page, frame, sid: int) -> None:
    for _ in range(40):
        if frame.evaluate("A.sid") == sid:
            return
        press(page, frame, "n" if frame.evaluate("A.sid") < sid else "p")
    raise AssertionError(f"sentence {sid} not reached")


def test_three_reviewers_agreement_adjudication_and_export(team_server, browser, tmp_path):
    base, projects = team_server
    store = open_project(projects / "demo-es").store

    # the lead assigns: ranges, 10% overlap
    lead = sign_in(browser, base, "ana", "Team")
    lead.get_by_text("No assignment").wait_for(timeout=30_000)
    lead.get_by_role("textbox", name="Reviewers, one a line").fill("ana\nben\ncy")
    lead.get_by_role("button", name="Assign").click()
    lead.get_by_text("4 of them to everyone").wait_for(timeout=30_000)
    assert store.assignment().overlap == tuple(OVERLAP)

    # three reviewers, three browser contexts, each on their own queue
    pages = {"ana": lead}
    for name in REVIEWERS:
        page = pages.get(name) or sign_in(browser, base, name, "Review")
        if name == "ana":
            navigate(page, "Review")
        pages[name] = page
        frame = review_frame(page)
        queue = set(store.assignment().queues[name])
        assert frame.evaluate("A.filtered") == len(queue) and frame.evaluate("A.sid") in queue
        for sid in OVERLAP:
            goto_sentence(page, frame, sid)
            press(page, frame, *PLANTED.get((name, sid), []), "Enter")
        assert "✓ saved" in frame.inner_text("#status")
    assert {sid: sorted(owners) for sid, owners in store.done_by_owner().items()} == {sid: REVIEWERS for sid in OVERLAP}
    assert (
        store.decisions(2, "ben")["7:9:ORG"].action == "reject"
        and store.decisions(2, "ana")["7:9:ORG"].action == "accept"
    )

    # the agreement page, as the lead sees it
    navigate(lead, "Agreement")
    lead.get_by_text("Pairwise span F1 (exact)").wait_for(timeout=30_000)
    overlap_metric = lead.locator("[data-testid=stMetric]", has_text="Overlap sentences compared")
    overlap_metric.wait_for(timeout=30_000)
    deadline = time.time() + 30  # the page may still be drawing its numbers when the heading appears
    while not overlap_metric.inner_text().strip().endswith("4") and time.time() < deadline:
        time.sleep(0.5)
    assert overlap_metric.inner_text().strip().endswith("4"), overlap_metric.inner_text()
    metrics = lead.locator("[data-testid=stMetric]").all_inner_texts()
    assert any("Mean pairwise span F1" in m and f"{MEAN_F1:.3f}" in m for m in metrics), metrics
    lead.wait_for_timeout(1500)  # the chart draws
    lead.screenshot(path=str(tmp_path / "agreement.png"), full_page=False)
    if os.environ.get("LABELBRIDGE_DOCS_SCREENSHOT"):  # python -m pytest ... to refresh docs/agreement.png
        shutil.copy(tmp_path / "agreement.png", REPO / "docs" / "agreement.png")

    # a reviewer who is no lead gets no adjudication switch
    assert pages["ben"].get_by_text("Adjudicate disagreements").count() == 0

    # adjudication: the three disagreements, each reviewer's spans as a band
    navigate(lead, "Review")
    review_frame(lead)
    lead.get_by_text("Adjudicate disagreements").click()
    lead.get_by_text("0 of 3 disagreements adjudicated").wait_for(timeout=30_000)
    frame = review_frame(lead)
    frame.wait_for_function("A.mode === 'adjudicating'", timeout=30_000)
    assert frame.evaluate("A.filtered") == 3 and frame.evaluate("A.sid") == 2
    bands = frame.evaluate("[...document.querySelectorAll('g.reviewer-band')].map(g => g.dataset.reviewer)")
    assert bands == REVIEWERS
    frame.click("#status")  # the keys go to the Review screen again, not to the switch just clicked
    press(lead, frame, "Enter")  # 2: the ORG stays (the matching projection)
    press(lead, frame, "Enter")  # 16: both names whole
    assert frame.evaluate("A.sid") == 24
    press(lead, frame, "ArrowDown", "3", "Enter")  # 24: Milán is an ORG after all, as ben said
    lead.get_by_text("3 of 3 disagreements adjudicated").wait_for(timeout=30_000)
    assert store.decisions(24, "adjudication:ana")["7:8:LOC"].span.label == "ORG"
    assert store.decisions(24, "ana")["7:8:LOC"].action == "accept"  # the lead's own review stays

    # export: the adjudicated spans
    navigate(lead, "Export")
    lead.get_by_text("Download CoNLL (IOB2)").wait_for(timeout=30_000)
    with lead.expect_download() as download:
        lead.get_by_text("Download CoNLL (IOB2)").click()
    conll = open(download.value.path(), encoding="utf-8").read()
    assert "Milán\tB-ORG" in conll and "Turín\tB-LOC" in conll and "Real\tB-ORG" in conll
    assert "Luca\tB-PER\nBianchi\tI-PER" in conll  # cy's cut name lost the vote
    for page in pages.values():
        page.context.close()
