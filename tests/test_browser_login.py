"""In headless Chromium: signing in (a local users file, a proxy's header), the gate on a fresh
server's very first request, named pages, URL text shown as text, the demo built while a
second tab waits."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse

import pytest
from browser_support import free_port, review_frame, start_server, stop_server  # noqa: F401
from helpers import REPO, build_demo_project

from ui import auth

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    folder = tmp_path_factory.mktemp("login-projects")
    build_demo_project(folder / "demo-es")
    return folder


@pytest.fixture
def clean_env(monkeypatch):
    for name in (auth.ENV_USERS, auth.ENV_HEADER, auth.ENV_ALLOW_REMOTE, "LABELBRIDGE_DATA_ROOT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def body(page) -> str:
    return page.inner_text("body").replace("\u2060", "")  # the invisible word joiners that stop autolinks


def wait_text(page, text: str, timeout: float = 30_000) -> None:
    page.get_by_text(text, exact=False).first.wait_for(timeout=timeout)


def test_password_sign_in_guards_every_page_from_the_first_request(browser, projects, tmp_path, clean_env):
    users = tmp_path / "users"
    add = subprocess.run(
        [sys.executable, "-m", "ui.auth", "--users-file", str(users), "add-user", "ana", "--password-stdin"],
        input="correct horse\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert add.returncode == 0, add.stderr
    clean_env.setenv(auth.ENV_USERS, str(users))
    process = start_server(projects, port := free_port(), tmp_path / "server.log")
    try:
        page = browser.new_page()
        # the fresh server's very first request asks for a page directly
        page.goto(f"http://127.0.0.1:{port}/Review?project=demo-es")
        wait_text(page, "Sign in")
        page.wait_for_timeout(1500)
        assert "sentences done" not in body(page) and not page.frames[1:]  # no Review, no component
        page.get_by_role("textbox", name="User name").fill("ana")
        page.get_by_role("textbox", name="Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        wait_text(page, "Wrong user name or password.")
        page.get_by_role("textbox", name="Password").fill("correct horse")
        page.get_by_role("button", name="Sign in").click()
        frame = review_frame(page)  # the page the link asked for opens after signing in
        assert frame.evaluate("A.sid") == 0
        assert "Signed in as ana" in body(page)
        nav = page.locator("[data-testid=stSidebarNav] a").all_inner_texts()
        assert [n.split("\n")[-1].strip() for n in nav] == [
            "Home",
            "Review",
            "Compare",
            "Statistics",
            "Export",
            "Team",
            "Agreement",
        ]
        page.get_by_role("button", name="Sign out").click()
        wait_text(page, "User name")
        # Streamlit keeps the last run's elements (faded) until the new run has drawn its own
        page.get_by_text("Signed in as", exact=False).first.wait_for(state="detached", timeout=30_000)
        assert "Signed in as" not in body(page) and "sentences done" not in body(page)
        page.goto(f"http://127.0.0.1:{port}/Export?project=demo-es")  # a new session: sign in again
        wait_text(page, "User name")
        assert "Download" not in body(page)
        page.close()
    finally:
        stop_server(process)


def test_the_proxy_header_names_the_user_only_when_configured(browser, projects, tmp_path, clean_env):
    clean_env.setenv(auth.ENV_HEADER, "X-Forwarded-User")
    process = start_server(projects, port := free_port(), tmp_path / "server.log")
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/Statistics?project=demo-es")
        wait_text(page, "You are not signed in")
        assert "Sentences done" not in body(page)
        page.close()
        context = browser.new_context(extra_http_headers={"X-Forwarded-User": "bea@example.org"})
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/Statistics?project=demo-es")
        wait_text(page, "Sentences done")
        assert "Signed in as bea@example.org" in body(page)
        context.close()
    finally:
        stop_server(process)
    # the same header without the setting is ignored: local mode, reviewer "local"
    clean_env.delenv(auth.ENV_HEADER)
    process = start_server(projects, port := free_port(), tmp_path / "server.log")
    try:
        context = browser.new_context(extra_http_headers={"X-Forwarded-User": "mallory"})
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/Statistics?project=demo-es")
        wait_text(page, "Sentences done")
        assert "mallory" not in body(page) and "Signed in as" not in body(page)
        context.close()
    finally:
        stop_server(process)


MARKDOWN = "<b>b</b> [c](http://evil.ex/) ![x](http://evil.ex/x.png) $x$"


def test_url_text_and_names_are_shown_as_text(browser, projects, tmp_path, clean_env):
    process = start_server(projects, port := free_port(), tmp_path / "server.log")
    try:
        page = browser.new_page()
        requested = []
        page.on("request", lambda r: requested.append(r.url))
        for path in ("", "Review", "Export"):
            page.goto(f"http://127.0.0.1:{port}/{path}?project=" + MARKDOWN.replace(" ", "%20").replace("&", "%26"))
            wait_text(page, "No project called")
            alert = (
                page.locator("[data-testid=stAlert]").first.inner_text().replace("\u2060", "")
            )  # (word joiners stop autolinks)
            assert f"No project called '{MARKDOWN}'" in alert
            assert (
                page.evaluate("document.querySelectorAll('#root a[href*=evil], #root img[src*=evil], #root b').length")
                == 0
            )
        assert not [u for u in requested if urlparse(u).hostname == "evil.ex"]  # no remote image was fetched
        page.close()
    finally:
        stop_server(process)


def outward_address() -> str | None:
    """This machine's address on a network (not loopback), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_without_sign_in_only_this_machine_is_served(browser, projects, tmp_path, clean_env):
    address = outward_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to connect from")
    port = free_port()
    env = dict(os.environ, LABELBRIDGE_PROJECTS=str(projects), PYTHONPATH=str(REPO))
    log = (tmp_path / "server.log").open("ab")
    process = subprocess.Popen(
        [
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
            "0.0.0.0",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        page = browser.new_page()
        for _ in range(120):
            try:
                page.goto(f"http://{address}:{port}/Statistics?project=demo-es")
                break
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.5)
        wait_text(page, "only serves the machine it runs on")
        assert "Sentences done" not in body(page)
        page.goto(f"http://127.0.0.1:{port}/Statistics?project=demo-es")
        wait_text(page, "Sentences done")
        page.close()
    finally:
        stop_server(process)
        log.close()


def test_a_second_tab_waits_for_the_first_start_demo_with_a_message(browser, tmp_path, clean_env):
    empty = tmp_path / "projects"
    empty.mkdir()
    process = start_server(empty, port := free_port(), tmp_path / "server.log")
    try:
        first, second = browser.new_page(), browser.new_page()
        first.goto(f"http://127.0.0.1:{port}/")
        wait_text(first, "being built")
        second.goto(f"http://127.0.0.1:{port}/Review")
        wait_text(second, "This page opens by itself when it is ready")
        wait_text(second, "another session is building the Spanish demo")
        frame = review_frame(second, timeout=300_000)
        assert frame.evaluate("A.sid") == 0
        wait_text(first, "Open project: demo-es", timeout=60_000)
        first.close()
        second.close()
    finally:
        stop_server(process)
