"""Starting the app on a free local port and driving it in Debian's headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from helpers import REPO

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(projects: Path, port: int, log: Path) -> subprocess.Popen:
    env = dict(os.environ, LABELBRIDGE_PROJECTS=str(projects), PYTHONPATH=str(REPO))
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO / "app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    process = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("the server did not start within 60 s")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed (.ci/run installs it)")
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def review_frame(page, timeout: float = 60_000):
    """The Review component's frame, once it has drawn a sentence."""
    page.frame_locator("iframe[title*=labelbridge]").locator("body[data-ack]").wait_for(timeout=timeout)
    return next(f for f in page.frames if "labelbridge_review" in f.url)


def settle(frame, timeout: float = 20_000) -> None:
    """Wait until every action sent is acknowledged as saved and drawn."""
    frame.wait_for_function("A && queue.length === 0 && !(barrier > A.ack) && buffered.length === 0", timeout=timeout)


def press(page, frame, *keys: str) -> None:
    for key in keys:
        page.keyboard.press(key)
        settle(frame)
