"""How fast the Review screen responds on a 10,000-sentence project.

Builds a project from the shared Europarl EN-ES corpus (read from ../shared at run time,
aligned with eflomal, both projections), repeats its 799 sentence pairs up to 10,000
sentences in the review database, then measures
  1. the Review page's script run per action (Streamlit AppTest: the server-side cost), and
  2. the round trip in headless Chromium from a key press to the redrawn, saved screen.
Prints numbers; it is not a test.   Run: python benchmarks/review_latency.py [--sentences N]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from core.review.project import create_project, open_project  # noqa: E402
from core.review.store import NewSentence  # noqa: E402

EUROPARL = REPO.parent / "shared" / "data" / "europarl-en-es"


def build(folder: Path, n: int) -> None:
    t0 = time.perf_counter()
    project = create_project(folder, EUROPARL / "en.conll", EUROPARL / "es.conll", gold=EUROPARL / "es.conll", name="bench")
    print(f"pipeline on 799 Europarl pairs: {time.perf_counter() - t0:.1f} s")
    store = project.store
    records = list(store.sentences())
    rows, k = [], len(records)
    while k < n:
        r = records[k % len(records)]
        rows.append(NewSentence(r.source_tokens, r.source_spans, r.target_tokens, r.gold_spans, r.alignment,
                                r.heuristic, r.matching, r.candidates))
        k += 1
    store.add_sentences(rows, start_id=len(records))
    print(f"project with {store.count()} sentences, database {os.path.getsize(folder / 'review.sqlite') / 1e6:.1f} MB")


def apptest_timings(projects: Path, repeats: int = 20) -> None:
    from streamlit.testing.v1 import AppTest

    os.environ["LABELBRIDGE_PROJECTS"] = str(projects)
    at = AppTest.from_file(str(REPO / "pages" / "1_Review.py"), default_timeout=120)
    at.query_params["project"] = "bench"
    t0 = time.perf_counter()
    at.run()
    print(f"AppTest first run: {1000 * (time.perf_counter() - t0):.0f} ms")
    store = open_project(projects / "bench").store
    nonce = 0
    timings: dict[str, list[float]] = {}
    for k in range(repeats):
        sid = at.session_state["sid:bench"]
        proposals = store.sentence(sid).proposals()
        actions = [("next", {}), ("prev", {})]
        if proposals:
            actions.append(("accept", {"item": proposals[0].item, "version": store.decisions(sid).get(proposals[0].item).version if proposals[0].item in store.decisions(sid) else 0, "span": [proposals[0].span.start, proposals[0].span.end, proposals[0].span.label]}))
        actions.append(("done", {"seconds": 1.0}))
        for kind, extra in actions:
            nonce += 1
            at.session_state["review"] = {"actions": [{"nonce": nonce, "sid": at.session_state["sid:bench"], "type": kind, **extra}]}
            t0 = time.perf_counter()
            at.run()
            timings.setdefault(kind, []).append(1000 * (time.perf_counter() - t0))
            assert not at.exception, at.exception
    t0 = time.perf_counter()
    at.sidebar.checkbox[1].check().run()  # filter: methods disagree
    timings.setdefault("filter", []).append(1000 * (time.perf_counter() - t0))
    for kind, values in timings.items():
        print(f"AppTest script run, {kind:7s}: median {statistics.median(values):6.1f} ms, max {max(values):6.1f} ms ({len(values)} runs)")


def browser_timings(projects: Path, presses: int = 30) -> None:
    from browser_support import (
        CHROMIUM_ARGS,
        free_port,
        review_frame,
        start_server,
        stop_server,
    )
    from playwright.sync_api import sync_playwright

    port = free_port()
    process = start_server(projects, port, projects / "server.log")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/Review?project=bench")
            frame = review_frame(page)
            page.wait_for_timeout(2000)
            result: dict[str, list[float]] = {}
            for k in range(presses):
                for key in ("a", "n", "Enter"):
                    if key == "a" and not frame.evaluate("rows().length"):
                        continue
                    ack, sid = frame.evaluate("[A.ack, A.sid]")
                    t0 = time.perf_counter()
                    page.keyboard.press(key)
                    if key != "a":
                        frame.wait_for_function(f"A.sid !== {sid}", timeout=30_000, polling=5)
                        result.setdefault(key + " drawn", []).append(1000 * (time.perf_counter() - t0))
                    frame.wait_for_function(f"A.ack > {ack} && queue.length === 0", timeout=30_000, polling=5)
                    result.setdefault(key, []).append(1000 * (time.perf_counter() - t0))
            browser.close()
    finally:
        stop_server(process)
    for key, values in result.items():
        name = {"a": "accept: saved", "n": "next sentence: saved", "Enter": "done + next: saved",
                "n drawn": "next sentence: drawn", "Enter drawn": "done + next: drawn"}[key]
        print(f"browser, key press -> {name:26s}: median {statistics.median(values):6.0f} ms, p90 {sorted(values)[int(0.9 * len(values))]:6.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=10_000)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="labelbridge-bench-") as tmp:
        projects = Path(tmp)
        build(projects / "bench", args.sentences)
        apptest_timings(projects)
        if not args.no_browser:
            browser_timings(projects)


if __name__ == "__main__":
    main()
