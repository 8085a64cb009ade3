"""In headless Chromium: corpus text with HTML in it stays inert, and a server killed with
SIGKILL mid-review loses no decision that was shown as saved."""

from __future__ import annotations

import os
import signal
import sqlite3

import pytest
from browser_support import (  # noqa: F401
    free_port,
    press,
    review_frame,
    settle,
    start_server,
    stop_server,
)
from helpers import build_demo_project

from core.review.project import create_project, open_project

pytestmark = pytest.mark.browser

NASTY = "<img/src=x/onerror=top.__pwned=1>"
SCRIPT = "<script>top.__pwned=2</script>"


def test_html_in_the_corpus_is_shown_as_text(browser, tmp_path):
    source = tmp_path / "en.conll"
    target = tmp_path / "xx.conll"
    source.write_text(
        f"{NASTY}\tB-PER\nsaid\tO\n{SCRIPT}\tO\n\nhello\tO\n<b>Bold</b>\tB-<u>ORG</u>\n", encoding="utf-8"
    )
    target.write_text(f"{NASTY}\nsagte\n{SCRIPT}\n\nhallo\n<b>Bold</b>\n", encoding="utf-8")
    links = tmp_path / "links.pharaoh"
    links.write_text("0-0 1-1 2-2\n0-0 1-1\n", encoding="utf-8")
    projects = tmp_path / "projects"
    create_project(projects / "html", source, target, gold=None, alignments=links, name="html")
    process = start_server(projects, port := free_port(), tmp_path / "server.log")
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/Review?project=html")
        frame = review_frame(page)
        texts = frame.evaluate("[...document.querySelectorAll('text.tok')].map(t => t.textContent)")
        assert NASTY in texts and SCRIPT in texts
        assert frame.evaluate("document.querySelectorAll('img').length") == 0
        assert frame.evaluate("document.scripts.length") == 1  # the component's own script only
        assert NASTY in frame.inner_text("#selected-text")
        press(page, frame, "n")
        assert frame.evaluate("document.querySelectorAll('b, u').length") == 0
        assert "<u>ORG</u>" in frame.evaluate(
            "[...document.querySelectorAll('text.lbl')].map(t => t.textContent).join(' ')"
        )
        press(page, frame, "a", "Enter")  # a decision, so Statistics and Export draw the label too
        for path in ("Review", "Compare", "Statistics", "Export", ""):
            page.goto(f"http://127.0.0.1:{port}/{path}?project=html")
            page.wait_for_timeout(2500)
            assert page.evaluate("document.querySelectorAll('img[src=x], #root b, #root u').length") == 0
        assert page.evaluate("window.__pwned") is None
        page.close()
    finally:
        stop_server(process)


def test_sigkill_mid_review_loses_no_saved_decision(browser, tmp_path):
    projects = tmp_path / "projects"
    build_demo_project(projects / "demo-es")
    port = free_port()
    process = start_server(projects, port, tmp_path / "server.log")
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{port}/Review?project=demo-es")
        frame = review_frame(page)
        press(page, frame, "a", "x", "Enter", "Shift+ArrowRight", "Enter", "x")
        assert "✓ saved" in frame.inner_text("#status")
        saved = frame.evaluate("A.ack")
        page.keyboard.press("Enter")  # one more, and the server dies right away
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    finally:
        page.close()
    with sqlite3.connect(projects / "demo-es" / "review.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = open_project(projects / "demo-es").store
    assert {k: d.action for k, d in store.decisions(0).items()} == {"0:2:PER": "accept", "7:8:LOC": "reject"}
    assert store.decisions(1)["1:3:ORG"].span.end == 4
    assert store.decisions(2)["0:2:PER"].action == "reject"
    assert store.state(0)[0] and store.state(1)[0]
    kinds = [e["kind"] for e in store.events()]
    assert kinds[:2] == ["accept", "reject"] and kinds.count("done") >= 2
    assert saved == 6  # every one of the six actions above was acknowledged as saved
    store.close()

    process = start_server(projects, port, tmp_path / "server.log")
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/Review?project=demo-es")
        frame = review_frame(page)
        resumed = frame.evaluate("A.sid")
        assert resumed in (2, 3)  # sentence 3, or 4 if the last Enter got through
        if resumed == 3:
            press(page, frame, "p")
        assert frame.evaluate("A.decisions['0:2:PER'].action") == "reject"
        settle(frame)
        page.close()
    finally:
        stop_server(process)
