"""How fast the review app responds, and how much memory it takes, as the project grows.

Builds the Europarl EN-ES project once (../shared, aligned with eflomal, both projections; or
``--base`` names one built before), then for each size in ``--sentences`` (default 1,000 and
100,000) writes a project of that many sentences (the 799 pairs repeated) with 200 sentences
reviewed, and measures, each in a fresh process so that peak memory is its own:

  * page open: the first script run of Review, Compare, Statistics and Export (Streamlit AppTest),
  * export: building the CoNLL and the JSONL file,
  * the Export page's button: the memory a download holds (the file's bytes), or, above the
    checkout's DOWNLOAD_MAX_SENTENCES, writing the file into the project's exports folder,
  * script run per Review action (next, prev, accept, done; AppTest, the server's cost),
  * key press -> saved: headless Chromium, from the key to the acknowledged, saved screen.

``--repo`` measures another checkout (e.g. an older commit) with the same projects. Prints a
table; it is not a test. The machine's load changes the numbers: run it with ``nice`` on a
quiet machine and compare sizes within one run.

    python benchmarks/review_latency.py --workdir /tmp/lb-bench [--sentences 1000 100000] [--no-browser]
        [--reuse] [--only pages export download actions browser] [--done-share 0.5 --filters]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
REPO = HERE.parents[1]
EUROPARL = REPO.parent / "shared" / "data" / "europarl-en-es"
PAGES = {
    "Review": "pages/1_Review.py",
    "Compare": "pages/2_Compare.py",
    "Statistics": "pages/3_Statistics.py",
    "Export": "pages/4_Export.py",
}
REVIEWED = 200
FILTER_TEXT = "de"  # --filters: "Unreviewed only" and this text search (a fixed filter), in most sentences


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


# -- children: each runs in its own process, with the measured checkout first on sys.path --------
def child_dump(base: Path, out: Path) -> None:
    """The base project's sentence pairs as plain tuples (readable by any checkout)."""
    from core.review.project import open_project

    rows = []
    for r in open_project(base).store.sentences():
        span = lambda s: (s.start, s.end, s.label)
        rows.append(
            (
                r.source_tokens,
                [span(s) for s in r.source_spans],
                r.target_tokens,
                None if r.gold_spans is None else [span(s) for s in r.gold_spans],
                r.alignment,
                [(span(s), src, sc) for s, src, sc in r.heuristic],
                [(span(s), src, sc) for s, src, sc in r.matching],
                r.candidates,
            )
        )
    out.write_bytes(pickle.dumps(rows))


def child_build(dump: Path, settings: Path, folder: Path, n: int, done_share: float = 0.0) -> dict:
    """A project of ``n`` sentences (the dumped pairs repeated), ``REVIEWED`` of them done, and
    with ``done_share`` that share of all sentences marked done (evenly spread)."""
    from core.datamodel import Span
    from core.review.actions import apply_action
    from core.review.model import NewSentence
    from core.review.store import ReviewStore

    rows = pickle.loads(dump.read_bytes())
    folder.mkdir(parents=True)
    shutil.copy(settings, folder / settings.name)
    sp = lambda t: Span(*t)

    def new(k: int) -> NewSentence:
        s, ss, t, g, a, h, m, c = rows[k % len(rows)]
        return NewSentence(
            s,
            [sp(x) for x in ss],
            t,
            None if g is None else [sp(x) for x in g],
            a,
            [(sp(x), src, sc) for x, src, sc in h],
            [(sp(x), src, sc) for x, src, sc in m],
            c,
        )

    t0 = time.perf_counter()
    store = ReviewStore(folder / "review.sqlite")
    for first in range(0, n, 10_000):
        store.add_sentences((new(k) for k in range(first, min(n, first + 10_000))), start_id=first)
    seconds = time.perf_counter() - t0
    ids = list(range(n))
    for sid in range(0, n, max(1, n // REVIEWED))[:REVIEWED]:  # spread over the project
        for p in store.sentence(sid).proposals()[:1]:
            apply_action(store, "bench", {"type": "reject", "sid": sid, "item": p.item, "version": 0}, ids)
        apply_action(store, "bench", {"type": "done", "sid": sid, "seconds": 3.0 + sid % 7}, ids)
    if done_share > 0:
        with store.batch():
            for sid in range(0, n, max(1, round(1 / done_share))):
                if not store.state(sid)[0]:
                    store.set_done(sid, "bench", 1.0)
    store.set_position("default", 1)
    return {"add_s": seconds, "db_mb": os.path.getsize(folder / "review.sqlite") / 1e6}


def child_page(projects: Path, page: str) -> dict:
    from streamlit.testing.v1 import AppTest

    os.environ["LABELBRIDGE_PROJECTS"] = str(projects)
    at = AppTest.from_file(str(Path.cwd() / PAGES[page]), default_timeout=600)
    at.query_params["project"] = "bench"
    # what a running server has imported already
    import altair  # noqa: F401
    import pandas  # noqa: F401

    import core.formats
    import core.review.export
    import core.review.stats  # noqa: F401
    import ui.common  # noqa: F401

    base = rss_mb()
    t0 = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - t0
    assert not at.exception, at.exception
    return {"s": seconds, "mb": peak_mb() - base}


def child_export(projects: Path, kind: str) -> dict:
    from core.review import export
    from core.review.project import open_project

    store = open_project(projects / "bench").store
    base = rss_mb()
    t0 = time.perf_counter()
    if hasattr(export, "export_file"):  # streamed into a file
        with tempfile.TemporaryDirectory() as tmp:
            size = export.export_file(export.clean_sentences(store, "all", "matching"), kind, tmp).stat().st_size
    else:
        sentences = list(export.clean_sentences(store, "all", "matching"))
        size = len((export.to_conll if kind == "conll" else export.to_jsonl)(sentences).encode())
    return {"s": time.perf_counter() - t0, "mb": peak_mb() - base, "file_mb": size / 1e6}


def child_download(projects: Path, kind: str) -> dict:
    """What the Export page's button does at this size ("all" sentences): a download is the file's
    bytes (Streamlit keeps them in memory); above ``DOWNLOAD_MAX_SENTENCES`` (where the checkout
    has it) the file is streamed into the project's exports folder instead."""
    from core.review import export
    from core.review.project import open_project

    store = open_project(projects / "bench").store
    limit = getattr(export, "DOWNLOAD_MAX_SENTENCES", None)
    base = rss_mb()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        sentences = export.clean_sentences(store, "all", "matching")
        if limit is not None and store.count() > limit:
            how, size = "written", export.save_export(sentences, kind, Path(tmp) / f"bench.{kind}").stat().st_size
        else:
            how, size = "download", len(export.export_file(sentences, kind, tmp).read_bytes())
    return {"s": time.perf_counter() - t0, "mb": peak_mb() - base, "file_mb": size / 1e6, "how": how}


def child_actions(projects: Path, filters: bool = False, repeats: int = 10) -> dict:
    from streamlit.testing.v1 import AppTest

    from core.review.project import open_project

    os.environ["LABELBRIDGE_PROJECTS"] = str(projects)
    at = AppTest.from_file(str(Path.cwd() / PAGES["Review"]), default_timeout=120)
    at.query_params["project"] = "bench"
    at.run()
    if filters:
        at.sidebar.checkbox(key="f_unreviewed").check().run()
        at.sidebar.text_input(key="f_text").input(FILTER_TEXT).run()
    store = open_project(projects / "bench").store
    nonce, timings = 0, {}
    for _ in range(repeats):
        for kind in ("next", "prev", "accept", "done"):
            sid = at.session_state["sid:bench"]
            extra = {}
            if kind == "accept":
                proposals = store.sentence(sid).proposals()
                if not proposals:
                    continue
                p, decisions = proposals[0], store.decisions(sid)
                extra = {
                    "item": p.item,
                    "version": decisions[p.item].version if p.item in decisions else 0,
                    "span": [p.span.start, p.span.end, p.span.label],
                }
            if kind == "done":
                extra = {"seconds": 1.0}
            nonce += 1
            at.session_state["review"] = {"actions": [{"nonce": nonce, "sid": sid, "type": kind, **extra}]}
            t0 = time.perf_counter()
            at.run()
            timings.setdefault(kind, []).append(time.perf_counter() - t0)
            assert not at.exception, at.exception
    every = [t for values in timings.values() for t in values]
    return {
        "median_ms": 1000 * statistics.median(every),
        **{k: 1000 * statistics.median(v) for k, v in timings.items()},
    }


def child_browser(projects: Path, filters: bool = False, presses: int = 20) -> dict:
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
    result: dict[str, list[float]] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/Review?project=bench")
            frame = review_frame(page, timeout=300_000)
            page.wait_for_timeout(2000)
            if filters:
                page.get_by_text("Unreviewed only").click()
                page.wait_for_timeout(3000)
                page.get_by_label("Text search (source or target)").fill(FILTER_TEXT)
                page.keyboard.press("Enter")
                page.wait_for_timeout(3000)
                frame = review_frame(page, timeout=300_000)
                page.frame_locator("iframe[title*=labelbridge]").locator("#keys").click()  # keys go to the screen
                page.wait_for_timeout(2000)
            for _ in range(presses):
                for key in ("a", "n", "Enter"):
                    if key == "a" and not frame.evaluate("rows().length"):
                        continue
                    ack = frame.evaluate("A.ack")
                    t0 = time.perf_counter()
                    page.keyboard.press(key)
                    frame.wait_for_function(f"A.ack > {ack} && queue.length === 0", timeout=120_000, polling=5)
                    result.setdefault(key, []).append(time.perf_counter() - t0)
            browser.close()
    finally:
        stop_server(process)
    every = [t for values in result.values() for t in values]
    return {
        "median_ms": 1000 * statistics.median(every),
        "p90_ms": 1000 * sorted(every)[int(0.9 * len(every))],
        **{k: 1000 * statistics.median(v) for k, v in result.items()},
    }


MEASURES = ("pages", "export", "download", "actions", "browser")
CHILDREN = {
    "dump": child_dump,
    "build": child_build,
    "page": child_page,
    "export": child_export,
    "download": child_download,
    "actions": child_actions,
    "browser": child_browser,
}


def run_child(repo: Path, name: str, *args) -> dict:
    """Run one measurement in a fresh process with ``repo``'s code."""
    code = (
        f"import sys, json; sys.path[:0] = [{str(repo)!r}, {str(repo / 'tests')!r}]; import runpy; "
        f"m = runpy.run_path({str(HERE)!r}, run_name='bench_child'); args = json.loads({json.dumps(args)!r}); "
        "args = [m['Path'](a) if isinstance(a, str) and a.startswith('/') else a for a in args]; "
        f"print('RESULT ' + json.dumps(m['CHILDREN'][{name!r}](*args)))"
    )
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(repo))
    done = subprocess.run([sys.executable, "-c", code], cwd=repo, env=env, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(f"{name} {args} failed:\n{done.stderr[-3000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, nargs="+", default=[1_000, 100_000], help="project sizes to compare")
    parser.add_argument("--workdir", type=Path, help="where the projects are built (default: a temporary folder)")
    parser.add_argument("--base", type=Path, help="a Europarl project built before (skips the pipeline)")
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout to measure (default: this one)")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per page open (the median is shown)")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument(
        "--done-share", type=float, default=0.0, help="also mark this share of the sentences done (e.g. 0.5)"
    )
    parser.add_argument("--filters", action="store_true", help="review with 'Unreviewed only' and a text search on")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the projects built by an earlier run in --workdir (faster; reviewed as then)",
    )
    parser.add_argument(
        "--only", nargs="+", choices=MEASURES, default=list(MEASURES), help="measure only these (default: all)"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="labelbridge-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    repo = args.repo.resolve()
    base = args.base
    if base is None:
        sys.path.insert(0, str(REPO))
        from core.review.project import create_project

        base = work / "base" / "bench"
        if not base.exists():
            t0 = time.perf_counter()
            create_project(base, EUROPARL / "en.conll", EUROPARL / "es.conll", gold=EUROPARL / "es.conll", name="bench")
            print(f"pipeline on 799 Europarl pairs: {time.perf_counter() - t0:.1f} s")
    dump = work / "pairs.pickle"
    if not dump.exists():
        run_child(REPO, "dump", str(base), str(dump))
    table: dict[int, dict] = {}
    for n in args.sentences:
        projects = work / (f"{repo.name}-{n}" + (f"-done{args.done_share:g}" if args.done_share else ""))
        built = projects / "bench" / "built.json"
        if args.reuse and built.exists():
            row = json.loads(built.read_text())
        else:
            shutil.rmtree(projects, ignore_errors=True)
            row = run_child(
                repo, "build", str(dump), str(base / "project.json"), str(projects / "bench"), n, args.done_share
            )
            built.write_text(json.dumps(row))
        print(f"{n} sentences: added in {row['add_s']:.1f} s, database {row['db_mb']:.0f} MB", flush=True)
        for page in (
            PAGES if "pages" in args.only else ()
        ):  # the median of a few fresh processes: the machine's load varies
            runs = [run_child(repo, "page", str(projects), page) for _ in range(args.repeats)]
            row[page] = {"s": statistics.median(r["s"] for r in runs), "mb": max(r["mb"] for r in runs)}
            print(
                f"  open {page}: {row[page]['s']:.2f} s (median of {len(runs)}), +{row[page]['mb']:.0f} MB", flush=True
            )
        for kind in ("conll", "jsonl") if "export" in args.only else ():
            row[kind] = run_child(repo, "export", str(projects), kind)
            print(
                f"  export {kind}: {row[kind]['s']:.2f} s, +{row[kind]['mb']:.0f} MB, file {row[kind]['file_mb']:.1f} MB",
                flush=True,
            )
        for kind in ("conll", "jsonl") if "download" in args.only else ():
            row[f"download-{kind}"] = run_child(repo, "download", str(projects), kind)
            print(
                f"  Export page, {kind} ({row[f'download-{kind}']['how']}): +{row[f'download-{kind}']['mb']:.0f} MB",
                flush=True,
            )
        if "actions" in args.only:
            row["actions"] = run_child(repo, "actions", str(projects), args.filters)
            print(f"  script run per action: median {row['actions']['median_ms']:.0f} ms", flush=True)
        if "browser" in args.only and not args.no_browser:
            row["browser"] = run_child(repo, "browser", str(projects), args.filters)
            print(f"  key press -> saved: median {row['browser']['median_ms']:.0f} ms", flush=True)
        table[n] = row
        (work / f"results-{repo.name}.json").write_text(json.dumps(table, indent=1))
    print_table(table)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"\nwall {time.perf_counter() - started:.0f} s, CPU of the measuring processes {used.ru_utime + used.ru_stime:.0f} s, "
        f"load average at the end {' / '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )


def print_table(table: dict[int, dict]) -> None:
    sizes = sorted(table)
    lines = [("", *[f"{n:,} sentences" for n in sizes], *(["ratio"] if len(sizes) > 1 else []))]

    def add(name: str, values: list[float], unit: str, digits: int = 2) -> None:
        ratio = [f"{values[-1] / values[0]:.2f}" if values[0] else "-"] if len(values) > 1 else []
        lines.append((name, *[f"{v:.{digits}f} {unit}" for v in values], *ratio))

    def has(key: str) -> bool:
        return all(key in table[n] for n in sizes)

    for page in filter(has, PAGES):
        add(f"open {page}", [table[n][page]["s"] for n in sizes], "s")
        add(f"open {page}, memory", [table[n][page]["mb"] for n in sizes], "MB", 0)
    for kind in filter(has, ("conll", "jsonl")):
        add(f"export {kind}", [table[n][kind]["s"] for n in sizes], "s")
        add(f"export {kind}, memory", [table[n][kind]["mb"] for n in sizes], "MB", 0)
    for kind in filter(has, ("download-conll", "download-jsonl")):
        how = "/".join(dict.fromkeys(table[n][kind]["how"] for n in sizes))
        add(f"Export page {kind[9:]} ({how}), memory", [table[n][kind]["mb"] for n in sizes], "MB", 0)
    if has("actions"):
        add("script run per action (median)", [table[n]["actions"]["median_ms"] for n in sizes], "ms", 0)
    if has("browser"):
        add("key press -> saved (median)", [table[n]["browser"]["median_ms"] for n in sizes], "ms", 0)
        add("key press -> saved (p90)", [table[n]["browser"]["p90_ms"] for n in sizes], "ms", 0)
    add("database", [table[n]["db_mb"] for n in sizes], "MB", 0)
    widths = [max(len(line[k]) for line in lines) for k in range(len(lines[0]))]
    for line in lines:
        print("  ".join(cell.ljust(w) if k == 0 else cell.rjust(w) for k, (cell, w) in enumerate(zip(line, widths))))


if __name__ == "__main__":
    main()
