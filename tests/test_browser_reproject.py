"""End to end in headless Chromium: review a few demo sentences, improve the rest from them on
Home, see new proposals on unreviewed sentences only, and undo it."""

from __future__ import annotations

import sqlite3

import pytest
from browser_support import (  # noqa: F401
    free_port,
    press,
    review_frame,
    start_server,
    stop_server,
)
from helpers import build_demo_project

from core.review.model import projections_from, proposals_of
from core.review.project import open_project
from core.review.store import PROJECTION_COLUMNS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    projects = tmp_path_factory.mktemp("projects")
    build_demo_project(projects / "demo-es", candidates="ner")  # as the app builds its demo
    port = free_port()
    process = start_server(projects, port, projects / "server.log")
    yield f"http://127.0.0.1:{port}", projects
    stop_server(process)


def rows(projects) -> dict[int, tuple]:
    with sqlite3.connect(projects / "demo-es" / "review.sqlite") as db:
        return {
            r[0]: r[1:] for r in db.execute(f"SELECT id, {', '.join(PROJECTION_COLUMNS)} FROM sentences ORDER BY id")
        }


def items_of(row: tuple) -> set[str]:
    """The proposal items of a sentence row as :func:`rows` reads it."""
    heuristic, matching = (projections_from(row[PROJECTION_COLUMNS.index(c)]) for c in ("heuristic", "matching"))
    return {p.item for p in proposals_of(heuristic, matching)}


def shown_items(page, base: str, sid: int, projects) -> set[str]:
    open_project(projects / "demo-es").store.set_position("default", sid)
    page.goto(f"{base}/Review?project=demo-es")
    frame = review_frame(page)
    assert frame.evaluate("A.sid") == sid
    return set(frame.evaluate("[...document.querySelectorAll('g.item')].map(g => g.dataset.item)"))


def test_improve_the_rest_from_what_was_reviewed_and_undo(server, browser):
    base, projects = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{base}/Review?project=demo-es")
    frame = review_frame(page)
    press(page, frame, "Enter", "Enter", "Enter")  # three sentences accepted as matching proposed them
    assert frame.evaluate("A.sid") == 3
    store = open_project(projects / "demo-es").store
    assert store.done_ids() == {0, 1, 2}
    before = rows(projects)

    page.goto(f"{base}/?project=demo-es")
    page.get_by_role("button", name="Improve the rest from what you reviewed").click()
    page.get_by_text("Generation 1:").wait_for(timeout=180_000)
    after = rows(projects)
    changed = [sid for sid in after if after[sid] != before[sid]]
    assert changed and min(changed) >= 3  # reviewed sentences untouched, some others re-projected
    generation = store.projection_generations()[0]
    assert generation["changed"] == len(changed) and generation["evidence"]["reviewed_sentences"] == [0, 1, 2]
    assert generation["evidence"]["ner_retrained"] is True and generation["reviewer"] == "local"

    # the Review screen draws the new proposals of a changed sentence (one whose spans changed)
    with_new_spans = [sid for sid in changed if items_of(after[sid]) != items_of(before[sid])]
    assert with_new_spans
    sid = with_new_spans[0]
    new_items = {p.item for p in store.sentence(sid).proposals()}
    assert shown_items(page, base, sid, projects) == new_items

    page.goto(f"{base}/?project=demo-es")
    page.get_by_role("button", name="Undo the re-projection (generation 1)").click()
    page.get_by_text("Generation 1 undone").wait_for(timeout=60_000)
    assert rows(projects) == before
    old_items = {p.item for p in store.sentence(sid).proposals()}
    assert old_items != new_items
    assert shown_items(page, base, sid, projects) == old_items
    assert store.done_ids() == {0, 1, 2}
    page.close()
