"""End to end in headless Chromium: review the demo with the keyboard, reload, export."""

from __future__ import annotations

import pytest
from browser_support import (  # noqa: F401
    free_port,
    press,
    review_frame,
    start_server,
    stop_server,
)
from helpers import build_demo_project

from core.corpus.io import read_conll
from core.review.project import open_project

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    projects = tmp_path_factory.mktemp("projects")
    build_demo_project(projects / "demo-es")
    port = free_port()
    process = start_server(projects, port, projects / "server.log")
    yield f"http://127.0.0.1:{port}", projects
    stop_server(process)


def items(frame) -> dict[str, str]:
    return frame.evaluate(
        "Object.fromEntries([...document.querySelectorAll('g.item')].map(g => [g.dataset.item, g.dataset.action]))"
    )


def test_review_with_the_keyboard_reload_and_export(server, browser, tmp_path):
    base, projects = server
    store = open_project(projects / "demo-es").store
    s1_org = next(p for p in store.sentence(1).proposals() if p.span.label == "ORG")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{base}/Review?project=demo-es")
    frame = review_frame(page)
    assert frame.evaluate("A.sid") == 0
    # sentence 1: accept the PER span, reject the LOC span, Enter marks it done
    press(page, frame, "a", "x")
    assert items(frame) == {"0:2:PER": "accept", "7:8:LOC": "reject"}
    press(page, frame, "Enter")
    assert frame.evaluate("A.sid") == 1
    # sentence 2: the ORG span lacks "de la Salud": move its end three words right
    assert frame.evaluate("rows()[sel].item") == s1_org.item
    press(page, frame, "Shift+ArrowRight", "Shift+ArrowRight", "Shift+ArrowRight")
    assert frame.evaluate("shownSpan(rows()[sel])") == [s1_org.span.start, s1_org.span.end + 3, "ORG"]
    press(page, frame, "Enter")
    # sentence 3: reject, undo, add a span after the ORG span, relabel it LOC, widen it
    press(page, frame, "x", "u")
    assert items(frame)["0:2:PER"] == "undecided"
    press(page, frame, "ArrowDown", "i", "2", "Shift+ArrowRight", "Enter")
    assert frame.evaluate("A.sid") == 3
    assert "✓ saved" in frame.inner_text("#status")

    # the alignment as a matrix, and the links hidden, and back
    links = frame.evaluate("document.querySelectorAll('#pair path').length")
    assert links == len(store.sentence(3).alignment)
    press(page, frame, "m")
    assert frame.locator("#matrix td.on").count() == links
    press(page, frame, "m", "l")
    assert frame.evaluate("document.querySelectorAll('#pair path').length") == 0
    press(page, frame, "l")

    # reload: the app resumes on sentence 4 and the decisions are still there
    page.reload()
    frame = review_frame(page)
    assert frame.evaluate("A.sid") == 3
    press(page, frame, "p")
    kept = items(frame)
    assert kept["0:2:PER"] == "accept" and kept["7:9:ORG"] == "accept"
    assert [a for k, a in kept.items() if k.startswith("add:")] == ["add"]
    assert frame.inner_text("#done-flag") == "done"

    # export the reviewed sentences as CoNLL and check every tag
    page.goto(f"{base}/Export?project=demo-es")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_text("Download CoNLL (IOB2)").click()
    path = tmp_path / "export.conll"
    download.value.save_as(path)
    blocks = [
        [line.split("\t")[1] for line in block.splitlines()]
        for block in path.read_text(encoding="utf-8").strip().split("\n\n")
    ]
    o = "O"
    assert blocks[0] == ["B-PER", "I-PER"] + [o] * 9
    assert blocks[1] == [o, "B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", o, o, o, o, o, o, o, "B-LOC", o]
    assert blocks[2] == ["B-PER", "I-PER", o, o, o, o, o, "B-ORG", "I-ORG", "B-LOC", "I-LOC", o, o]
    assert len(blocks) == 3
    assert [s.tokens for s in read_conll(path)] == [store.sentence(i).target_tokens for i in range(3)]
    page.close()


def goto_sentence(page, frame, sid: int) -> None:
    while frame.evaluate("A.sid") != sid:
        press(page, frame, "n" if frame.evaluate("A.sid") < sid else "p")


def test_two_tabs_do_not_overwrite_each_other(server, browser):
    base, projects = server
    store = open_project(projects / "demo-es").store
    first, second = store.sentence(4).proposals()[:2]  # the Danube sentence
    tab_a, tab_b = browser.new_page(), browser.new_page()
    tab_a.goto(f"{base}/Review?project=demo-es")
    tab_b.goto(f"{base}/Review?project=demo-es")
    frame_a, frame_b = review_frame(tab_a), review_frame(tab_b)
    goto_sentence(tab_a, frame_a, 4)
    goto_sentence(tab_b, frame_b, 4)
    press(tab_a, frame_a, "a")  # tab A accepts the first span
    press(tab_b, frame_b, "x")  # tab B, which saw it undecided, tries to reject it: refused
    assert "another tab" in frame_b.inner_text("#status")
    assert frame_b.evaluate(f"A.decisions['{first.item}'].action") == "accept"  # B now shows A's decision
    assert frame_b.evaluate("rows()[sel].item") == first.item  # still selected after the refusal
    press(tab_b, frame_b, "ArrowDown", "x")  # a different span: no conflict
    decisions = store.decisions(4)
    assert decisions[first.item].action == "accept" and decisions[second.item].action == "reject"
    tab_a.close()
    tab_b.close()


def difference_marks(frame) -> list[str]:
    return frame.evaluate(
        "[...document.querySelectorAll('#pair text.lbl')].map(t => t.textContent).filter(t => t.startsWith('≠'))"
    )


def test_bands_mark_spans_that_differ_not_scores(server, browser):
    base, projects = server
    store = open_project(projects / "demo-es").store
    danube = store.sentence(4)
    # the same three spans in both bands; the first one scored 1.0 by the heuristic, 0.6 by matching
    assert [s for s, _, _ in danube.heuristic] == [s for s, _, _ in danube.matching]
    assert [round(x, 2) for _, _, x in danube.heuristic] != [round(x, 2) for _, _, x in danube.matching]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{base}/Review?project=demo-es")
    frame = review_frame(page)
    goto_sentence(page, frame, 4)
    assert difference_marks(frame) == []
    goto_sentence(page, frame, 1)  # matching alone found the ORG span
    only_matching = [
        (s, x) for s, _, x in store.sentence(1).matching if s not in {h for h, _, _ in store.sentence(1).heuristic}
    ]
    assert [s.label for s, _ in only_matching] == ["ORG"]
    assert difference_marks(frame) == [f"≠ ORG {only_matching[0][1]:.2f}"]
    page.close()


def test_an_entity_neither_method_projected_gets_its_candidates(server, browser):
    import json
    import shutil
    import sqlite3

    base, projects = server
    shutil.copytree(projects / "demo-es", projects / "demo-miss")
    # sentence 1: neither method projected "Estocolmo" (entity 1), and "Maria Lindqvist" has no candidates
    with sqlite3.connect(projects / "demo-miss" / "review.sqlite") as db:
        only_per = json.dumps([[0, 2, "PER", 0, 1.0]])
        candidates = json.dumps({"1": [[7, 8, 1.0], [5, 8, 0.5], [7, 10, 0.5]]})
        db.execute(
            "UPDATE sentences SET heuristic = ?, matching = ?, candidates = ? WHERE id = 0",
            (only_per, only_per, candidates),
        )
        db.execute("DELETE FROM position")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{base}/Review?project=demo-miss")
    frame = review_frame(page)
    assert frame.evaluate("A.sid") == 0
    assert frame.evaluate("rows().map(r => r.item)") == ["0:2:PER", "src:1"]
    press(page, frame, "c")  # an empty candidate list: said so, nothing sent
    assert "no candidate for this entity" in frame.inner_text("#status") and frame.evaluate("nonce") == 0
    press(page, frame, "ArrowDown", "a")  # nothing to accept yet: said so
    assert "has no projected span" in frame.inner_text("#status") and frame.evaluate("nonce") == 0
    assert "not projected" in frame.inner_text("#selected-text")
    assert frame.locator("#candidates .cand").count() == 3
    press(page, frame, "c")  # its best candidate becomes an added span, selected
    item = frame.evaluate("rows()[sel].item")
    assert item.startswith("add:") and item.endswith("@1")
    spans = [frame.evaluate("shownSpan(rows()[sel])")]
    for _ in range(3):
        press(page, frame, "c")
        spans.append(frame.evaluate("shownSpan(rows()[sel])"))
    assert spans == [[7, 8, "LOC"], [5, 8, "LOC"], [7, 10, "LOC"], [7, 8, "LOC"]]
    store = open_project(projects / "demo-miss").store
    assert store.decisions(0)[item].span.start == 7 and store.decisions(0)[item].span.end == 8
    assert "src:1" not in frame.evaluate("rows().map(r => r.item)")
    page.close()
