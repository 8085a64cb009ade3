"""Five pages reviewing one project at once, in headless Chromium: every key press is saved
once (none lost, none doubled: the database's events against what the pages sent), every
decision saved while the load ran is confirmed on its page within 2 s of the load ending, and
every page finishes what was still queued (no page stuck on "saving…").

Prints what it measured (presses sent, decisions saved, the slowest confirmation)."""

from __future__ import annotations

import statistics
import time
from collections import defaultdict

import pytest
from browser_support import free_port, review_frame, start_server, stop_server  # noqa: F401
from helpers import build_demo_project

from core.review.project import open_project

pytestmark = pytest.mark.browser

PAGES = 5
LOAD_SECONDS = 60
INTERVAL = 0.25  # seconds between two presses on one page: four keys a second, a fast reviewer
# a reviewing rhythm: decisions, boundary moves, candidates, undo, done, navigation
KEYS = [
    "a",
    "x",
    "Enter",
    "ArrowDown",
    "Shift+ArrowRight",
    "a",
    "Enter",
    "c",
    "Enter",
    "x",
    "u",
    "Enter",
    "2",
    "Enter",
    "p",
    "a",
    "Enter",
    "n",
]
STATEFUL = {"accept", "reject", "fix", "edit_added", "add", "undo", "done"}
SETTLED = "queue.length === 0 && buffered.length === 0 && !(barrier > A.ack) && !inflight && A.ack === nonce"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    projects = tmp_path_factory.mktemp("projects")
    build_demo_project(projects / "demo-es")
    port = free_port()
    process = start_server(projects, port, projects / "server.log")
    yield f"http://127.0.0.1:{port}", projects
    stop_server(process)


def test_five_pages_pressing_keys_lose_and_double_nothing(server, browser, capsys):
    base, projects = server
    pages, frames = [], []
    for _ in range(PAGES):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{base}/Review?project=demo-es")
        pages.append(page)
    frames = [review_frame(page) for page in pages]

    presses = 0
    started = time.monotonic()
    step = 0
    while time.monotonic() - started < LOAD_SECONDS:
        round_start = time.monotonic()
        for k, page in enumerate(pages):
            page.keyboard.press(KEYS[(step + 3 * k) % len(KEYS)])
            presses += 1
        step += 1
        time.sleep(max(0.0, INTERVAL - (time.monotonic() - round_start)))
    load_end, load_end_wall = time.monotonic(), time.time()
    backlog = [frame.evaluate("queue.filter(a => a.nonce > A.ack).length + buffered.length") for frame in frames]

    confirmed: dict[int, float] = {}
    while len(confirmed) < PAGES and time.monotonic() - load_end < 60:
        for k, frame in enumerate(frames):
            if k not in confirmed and frame.evaluate(SETTLED):
                confirmed[k] = time.monotonic() - load_end
        time.sleep(0.02)
    stuck = [k for k in range(PAGES) if k not in confirmed]
    states = [
        frame.evaluate(
            "({client: CLIENT, ack: A.ack, nonce: nonce, queue: queue.length, buffered: buffered.length, log: sentLog, counts: counts})"
        )
        for frame in frames
    ]

    store = open_project(projects / "demo-es").store
    applied = {a["action_id"]: a for a in store.applied_actions()}
    batches: dict[str, set[str]] = defaultdict(set)
    for event in store.events():
        if event["action_id"]:
            batches[event["action_id"]].add(event["batch"])
    logged = [(f"{s['client']}:{a['nonce']}", a) for s in states for a in s["log"]]
    sent = [(action_id, a) for action_id, a in logged if a["type"] in STATEFUL]
    lost = [action_id for action_id, _ in sent if action_id not in applied]
    doubled = [action_id for action_id, found in batches.items() if len(found) > 1]
    saved = [action_id for action_id, _ in sent if action_id in batches]
    refused = [action_id for action_id, _ in sent if "refused" in applied.get(action_id, {}).get("result", {})]
    # saved (committed; server clock) -> confirmed on its page (browser clock; the same machine)
    saved_at = {action_id: 1000 * a["ts"] for action_id, a in applied.items()}
    latency = [a["confirmed"] - saved_at[i] for i, a in logged if i in saved_at and a.get("confirmed")]
    late = [
        i
        for i, a in logged
        if saved_at.get(i, float("inf")) <= 1000 * load_end_wall
        and a.get("confirmed", float("inf")) > 1000 * (load_end_wall + 2)
    ]
    waits = [a["confirmed"] - a["at"] for _, a in logged if a.get("confirmed")]
    with capsys.disabled():
        print(
            f"\nload: {PAGES} pages x {LOAD_SECONDS} s, {presses} key presses, {len(logged)} actions sent "
            f"({len(sent)} that write): {len(saved)} saved, {len(refused)} refused (another tab, overlap), "
            f"{len(lost)} lost, {len(doubled)} doubled; saved -> confirmed on screen: median "
            f"{statistics.median(latency):.0f} ms, max {max(latency):.0f} ms; saved during the load and confirmed "
            f"later than 2 s after it: {len(late)}; keys still queued when the load ended: {backlog}, all saved and "
            f"confirmed after "
            + ", ".join(f"{confirmed[k]:.1f} s" if k in confirmed else "stuck" for k in range(PAGES))
            + f"; key press -> confirmed: median {statistics.median(waits):.0f} ms, max {max(waits):.0f} ms; "
            f"sends/resends/renders per page: {[tuple(s['counts'].values()) for s in states]}"
        )
    assert not stuck, [states[k] | {"log": len(states[k]["log"])} for k in stuck]
    assert not late, late
    assert not lost and not doubled
    assert len(saved) > 100  # the pages really worked
    for state in states:
        assert state["ack"] == state["nonce"] == len(state["log"])
    for page in pages:
        page.close()
