"""The review app served to a team: which server files a visitor can make it read, how much,
what messages give away, who is signed in, how pages are named and reached.
Real files, FIFOs, devices and symlinks; the app through Streamlit's AppTest."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

import pytest
from helpers import DEMO, REPO, build_demo_project, copy_project
from streamlit.testing.v1 import AppTest

from core.corpus.safe_paths import (
    DEFAULT_MAX_MB,
    InputRefused,
    Limits,
    copy_bounded,
    data_file,
    model_choice,
    project_folder_name,
    redact,
    shown,
)
from core.review.project import open_project
from ui import auth
from ui.common import plain

PASSWD = "/etc/passwd"


def rendered(markdown: str) -> str:
    """The text a Markdown message shows (the app escapes everything that could format it)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def messages(at: AppTest) -> list[str]:
    return [rendered(e.value) for e in at.error]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_demo_project(tmp_path_factory.mktemp("built-security") / "demo-es").folder


@pytest.fixture
def projects(built, tmp_path, monkeypatch):
    folder = tmp_path / "projects"
    copy_project(built, folder / "demo-es")
    monkeypatch.setenv("LABELBRIDGE_PROJECTS", str(folder))
    for name in (
        "LABELBRIDGE_DATA_ROOT",
        "LABELBRIDGE_MODEL_ROOT",
        "LABELBRIDGE_MODELS",
        "LABELBRIDGE_MAX_FILE_MB",
        auth.ENV_USERS,
        auth.ENV_HEADER,
        auth.ENV_ALLOW_REMOTE,
    ):
        monkeypatch.delenv(name, raising=False)
    return folder


def home() -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def every_text(at: AppTest) -> str:
    """Everything the page shows as text, for checking what must not be there."""
    parts = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "subheader", "title", "text", "code"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return rendered("\n".join(parts))


# --- 1. reading server files --------------------------------------------------------


def test_a_typed_server_path_is_refused_by_default_and_nothing_is_read(projects):
    at = home()
    at.text_input(key="p-source").set_value(PASSWD)
    at.text_input(key="p-target").set_value("/etc/hosts")
    at.text_input(key="p-name").set_value("leak")
    at.button[-1].click().run()
    assert not at.exception
    assert messages(at) == [
        "Could not create the project: '/etc/passwd': this server does not read files by path; "
        "upload the file instead (the operator can allow a folder with LABELBRIDGE_DATA_ROOT)."
    ]
    assert "root:x" not in every_text(at)
    assert sorted(p.name for p in projects.iterdir()) == ["demo-es"]


def test_the_path_fields_say_how_paths_are_switched_on(projects):
    at = home()
    assert "LABELBRIDGE_DATA_ROOT" in at.text_input(key="p-source").placeholder
    assert "LABELBRIDGE_DATA_ROOT" in at.text_input(key="p-source").help


def test_with_a_data_root_only_files_below_it_are_read(projects, tmp_path, monkeypatch):
    root = tmp_path / "data"
    root.mkdir()
    (root / "en.conll").write_bytes((DEMO / "en.conll").read_bytes())
    (root / "es.conll").write_bytes((DEMO / "es.conll").read_bytes())
    (root / "links.pharaoh").write_bytes((DEMO / "en-es.pharaoh").read_bytes())
    (root / "hosts-link").symlink_to("/etc/hosts")
    monkeypatch.setenv("LABELBRIDGE_DATA_ROOT", str(root))
    at = home()
    at.text_input(key="p-source").set_value(PASSWD)
    at.text_input(key="p-target").set_value("es.conll")
    at.text_input(key="p-name").set_value("leak")
    at.button[-1].click().run()
    assert messages(at) == [
        "Could not create the project: '/etc/passwd' is outside the folder this server reads files from; "
        "give a path inside it, or upload the file."
    ]
    at.text_input(key="p-source").set_value("hosts-link")  # a symlink inside the root that leads out
    at.button[-1].click().run()
    assert messages(at) == [
        "Could not create the project: 'hosts-link' is outside the folder this server reads files from; "
        "give a path inside it, or upload the file."
    ]
    assert "localhost" not in every_text(at)
    assert sorted(p.name for p in projects.iterdir()) == ["demo-es"]
    # inside the root, relative or absolute, it works
    at.text_input(key="p-source").set_value("en.conll")
    at.text_input(key="p-target").set_value(str(root / "es.conll"))
    at.file_uploader(key="up-align").set_value(("links.pharaoh", (root / "links.pharaoh").read_bytes(), "text/plain"))
    at.radio(key="p-candidates").set_value("ngram")
    at.text_input(key="p-name").set_value("inside")
    at.button[-1].click().run()
    assert not at.exception and not at.error, messages(at)
    assert open_project(projects / "inside").store.progress() == (0, 36)


def test_errors_name_the_upload_never_the_servers_copy(projects):
    at = home()
    at.file_uploader(key="up-source").set_value(("my corpus.conll", b"Maria\tB-PER\n\nParis\tB-LOC\n", "text/plain"))
    at.file_uploader(key="up-target").set_value(("traduccion.txt", b"Maria\n", "text/plain"))
    at.text_input(key="p-name").set_value("counts")
    at.button[-1].click().run()
    assert messages(at) == [
        "Could not create the project: traduccion.txt: has 1 sentences but my corpus.conll has 2; "
        "sentence k of one must translate sentence k of the other"
    ]
    shown = every_text(at)
    assert "labelbridge-upload" not in shown and str(projects) not in shown and "/tmp" not in shown


def test_an_unknown_project_is_named_without_the_projects_folder(projects):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["project"] = "nothing-here"
    at.run()
    assert messages(at) == ["No project called 'nothing-here'. Open one on the Home page."]
    assert str(projects) not in every_text(at)


# --- 3. user text is plain text -------------------------------------------------------

MARKDOWN_NAME = (
    "[click](http://evil.example/) ![x](http://evil.example/x.png) <b>bold</b> $x^2$ :red[red] www.evil.example"
)


def test_a_project_name_from_the_url_is_shown_as_plain_text(projects):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["project"] = MARKDOWN_NAME
    at.run()
    assert not at.exception
    [error] = at.error
    assert rendered(error.value) == f"No project called '{shown(MARKDOWN_NAME, 64)}'. Open one on the Home page."
    for markup in ("[click]", "](", "![", "<b>", "$x", ":red[", "www."):
        assert markup not in error.value  # every one of them escaped


@pytest.mark.parametrize(
    "text",
    [
        MARKDOWN_NAME,
        "# heading",
        "1. list",
        "- item",
        "> quote",
        "a\n\n# b",
        "`code`",
        "~~gone~~",
        "x@y.org",
        "https://e.example",
    ],
)
def test_plain_escapes_everything_markdown_would_format(text):
    escaped = plain(text)
    assert rendered(escaped) == re.sub(r"[\r\n\t]+", " ", text)
    assert "\n" not in escaped
    assert not re.search(r"(?<!\\)[\[\]<>`$~@:#*_]", escaped)
    assert not re.match(r"[-+>#]|\d+[.)]", escaped)


def test_a_project_whose_stored_name_holds_markdown_is_shown_as_text(projects, tmp_path):
    created = build_demo_project(projects / "shown")
    settings = created.folder / "project.json"
    settings.write_text(settings.read_text().replace('"name": "shown"', '"name": "![x](http://evil.example/x.png)"'))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["project"] = "shown"
    at.run()
    assert at.subheader[0].value == plain("Open project: ![x](http://evil.example/x.png)")
    assert "![x]" not in at.sidebar.markdown[0].value


# --- 4. project names -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, message",
    [
        ("x" * 300, "A project name has at most 64 characters; this one has 300."),
        ("", "Give the project a name."),
        ("   ", "Give the project a name."),
        ("---", "A project name needs at least one letter or digit."),
        ("..", "A project name needs at least one letter or digit."),
        (".hidden", "A project name may not start with '.' or end with '.building'."),
        ("demo-es.building", "A project name may not start with '.' or end with '.building'."),
        ("../../etc", "A project name may hold letters, digits, spaces, '-', '_' and '.', not: /"),
        ("<b>x</b>", "A project name may hold letters, digits, spaces, '-', '_' and '.', not: / < >"),
        ("a\x00b", "A project name may hold letters, digits, spaces, '-', '_' and '.', not: \\x00"),
    ],
)
def test_project_names_are_checked(name, message):
    with pytest.raises(InputRefused) as caught:
        project_folder_name(name)
    assert str(caught.value) == message


def test_good_project_names_become_folder_names():
    assert project_folder_name("  es models ") == "es-models"
    assert project_folder_name("Proyecto_ñandú.v2") == "Proyecto_ñandú.v2"
    assert project_folder_name("x" * 64) == "x" * 64


def test_a_long_project_name_in_the_url_is_an_error_not_a_crash(projects):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["project"] = "a" * 300
    at.run()
    assert not at.exception
    assert messages(at) == ["No project called '" + "a" * 63 + "…'. Open one on the Home page."]


# --- core.corpus.safe_paths, directly --------------------------------------------------------------


@pytest.fixture
def root(tmp_path) -> Path:
    folder = tmp_path / "root"
    folder.mkdir()
    (folder / "ok.txt").write_text("hola mundo\n", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("secret\n", encoding="utf-8")
    return folder.resolve()


def test_outside_paths_are_refused_alike_whether_or_not_they_exist(root):
    limits = Limits(data_root=root)
    refusals = set()
    for typed in ("../outside.txt", "../no-such.txt", str(root.parent / "outside.txt"), "/etc/shadow", "/no/such"):
        with pytest.raises(InputRefused) as caught:
            data_file(typed, limits)
        refusals.add(str(caught.value).replace(typed, "X"))
    assert len(refusals) == 1  # the message says nothing about what is out there
    assert data_file("ok.txt", limits) == root / "ok.txt"
    assert data_file(str(root / "sub" / ".." / "ok.txt"), limits) == root / "ok.txt"


def test_a_fifo_a_device_and_a_folder_are_refused_without_reading(root, tmp_path):
    limits = Limits(data_root=root)
    os.mkfifo(root / "pipe")  # nobody writes to it: opening it blocking would hang for ever
    with pytest.raises(InputRefused, match="pipe is not a regular file"):
        copy_bounded(data_file("pipe", limits), tmp_path / "copy", "pipe", limits)
    with pytest.raises(InputRefused, match="zero is not a regular file"):
        copy_bounded(Path("/dev/zero"), tmp_path / "copy", "zero", Limits())
    with pytest.raises(InputRefused, match="root is a folder"):
        copy_bounded(root, tmp_path / "copy", "root", limits)
    assert not (tmp_path / "copy").exists()


def test_the_size_cap_holds_for_files_that_lie_about_their_size(root, tmp_path):
    limits = Limits(data_root=root, max_bytes=1000)
    (root / "big.txt").write_bytes(b"word " * 1000)
    with pytest.raises(InputRefused, match=r"big.txt is larger than this server's limit of 0.001 MB"):
        copy_bounded(root / "big.txt", tmp_path / "copy", "big.txt", limits)
    assert not (tmp_path / "copy").exists()
    proc = Limits(max_bytes=1000)  # /proc files report size 0 but have content: the read itself stops at the cap
    with pytest.raises(InputRefused, match="larger than"):
        copy_bounded(Path("/proc/self/maps"), tmp_path / "copy", "maps", proc)
    copy_bounded(root / "ok.txt", tmp_path / "copy", "ok.txt", limits)
    assert (tmp_path / "copy").read_text() == "hola mundo\n"


def test_a_symlink_swapped_in_after_the_check_is_caught(root, tmp_path):
    limits = Limits(data_root=root)
    checked = data_file("ok.txt", limits)
    (root / "ok.txt").unlink()
    (root / "ok.txt").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(InputRefused):
        copy_bounded(checked, tmp_path / "copy", "ok.txt", limits)
    os.makedirs(root / "d")
    (root / "d" / "f.txt").write_text("x")
    checked = data_file("d/f.txt", limits)
    os.rename(root / "d", root / "d-old")
    (root / "d").symlink_to(tmp_path)  # a parent folder swapped for a link out of the root
    (tmp_path / "f.txt").write_text("secret")
    with pytest.raises(InputRefused, match="outside the folder"):
        copy_bounded(checked, tmp_path / "copy", "d/f.txt", limits)


def test_models_come_from_the_operators_list_or_folders_below_the_roots(root, tmp_path):
    models = tmp_path / "models"
    (models / "tiny").mkdir(parents=True)
    (models / "escape").symlink_to(tmp_path)
    limits = Limits(model_root=models.resolve(), models=frozenset({"facebook/nllb-200-3.3B"}))
    assert model_choice("facebook/nllb-200-3.3B", "translator", limits) == "facebook/nllb-200-3.3B"
    assert model_choice("tiny", "translator", limits) == str(models.resolve() / "tiny")
    assert model_choice(str(models / "tiny"), "translator", limits) == str(models.resolve() / "tiny")
    for typed in (
        "/etc",
        "escape",
        "../root",
        "bert-base-uncased",
        "missing",
        "~/.cache/huggingface",
        "/root/.cache/huggingface/hub/x",
    ):
        with pytest.raises(InputRefused, match="is not one this server offers"):
            model_choice(typed, "translator", limits)
    nothing = Limits.from_env(environ={"LABELBRIDGE_MODELS": ""})
    with pytest.raises(InputRefused, match=r"give one of its models \(none\)"):
        model_choice("facebook/nllb-200-3.3B", "translator", nothing)


def test_limits_come_from_the_environment(root):
    limits = Limits.from_env(["a/b"], {"LABELBRIDGE_DATA_ROOT": str(root), "LABELBRIDGE_MAX_FILE_MB": "0.5"})
    assert limits == Limits(data_root=root, models=frozenset({"a/b"}), max_bytes=500_000)
    assert Limits.from_env(environ={}).max_bytes == DEFAULT_MAX_MB * 1_000_000
    for bad in ("0", "-1", "ten", "nan", "inf"):
        with pytest.raises(InputRefused, match="LABELBRIDGE_MAX_FILE_MB must be a positive number"):
            Limits.from_env(environ={"LABELBRIDGE_MAX_FILE_MB": bad})
    with pytest.raises(InputRefused, match="LABELBRIDGE_DATA_ROOT is not a folder") as caught:
        Limits.from_env(environ={"LABELBRIDGE_DATA_ROOT": str(root / "ok.txt")})
    assert str(root) not in str(caught.value)


def test_redact_keeps_what_the_user_gave_and_hides_other_paths():
    message = "/tmp/labelbridge-upload-ab/source.conll, line 3: bad tag; see /srv/data/projects/x.building and facebook/nllb-200"
    assert (
        redact(message, {"/tmp/labelbridge-upload-ab/source.conll": "en.conll"})
        == "en.conll, line 3: bad tag; see … and facebook/nllb-200"
    )
    assert (
        redact("'/data/en.conll': no such file", {"/data/en.conll": "/data/en.conll"})
        == "'/data/en.conll': no such file"
    )


def test_the_config_binds_to_this_machine_and_caps_uploads_like_the_app():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["maxUploadSize"] == DEFAULT_MAX_MB
    assert config["client"]["showErrorDetails"] == "none"


# --- 2. signing in ----------------------------------------------------------------------------


def test_password_hashes_are_salted_scrypt_and_checked(tmp_path):
    first, second = auth.hash_password("correct horse"), auth.hash_password("correct horse")
    assert first != second and first.startswith("scrypt$16384$8$1$")
    assert auth.verify_password("correct horse", first) and auth.verify_password("correct horse", second)
    assert not auth.verify_password("correct hors", first)
    assert not auth.verify_password("correct horse", "scrypt$garbage")
    assert not auth.verify_password("x", "")


def add_user(users: Path, name: str, password: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ui.auth", "--users-file", str(users), "add-user", name, "--password-stdin"],
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


def test_the_users_command_adds_changes_lists_and_removes(tmp_path):
    users = tmp_path / "conf" / "users"
    assert add_user(users, "ana", "correct horse").returncode == 0
    assert users.stat().st_mode & 0o777 == 0o600
    assert "correct horse" not in users.read_text()
    assert auth.check_login(users, "ana", "correct horse", auth.Throttle()) == "ana"
    short = add_user(users, "bea", "short")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    bad = add_user(users, "bad:name", "long enough")
    assert bad.returncode == 1 and "is not a user name" in bad.stderr
    assert add_user(users, "ana", "battery staple").returncode == 0  # a new password
    assert auth.check_login(users, "ana", "correct horse", auth.Throttle()) is None
    listed = subprocess.run(
        [sys.executable, "-m", "ui.auth", "--users-file", str(users), "list-users"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert listed.stdout.split() == ["ana"]
    removed = subprocess.run(
        [sys.executable, "-m", "ui.auth", "--users-file", str(users), "remove-user", "ana"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert removed.returncode == 0 and auth.read_users(users) == {}


def test_failed_sign_ins_are_throttled_per_name(tmp_path):
    users = tmp_path / "users"
    auth.write_users(users, {"ana": auth.hash_password("correct horse")})
    throttle = auth.Throttle(limit=3, window=60)
    for _ in range(3):
        assert auth.check_login(users, "ana", "guess", throttle) is None
    with pytest.raises(auth.AuthError, match="Too many failed sign-ins"):
        auth.check_login(users, "ana", "correct horse", throttle)
    assert throttle.blocked("ana") and not throttle.blocked("ana", now=10**9)
    assert auth.check_login(users, "nobody", "guess", throttle) is None  # an unknown name fails the same way


def test_a_users_file_the_app_cannot_parse_is_an_error_naming_the_line(tmp_path):
    users = tmp_path / "users"
    users.write_text("ana:plaintext\n")
    with pytest.raises(auth.AuthError, match="users, line 1: expected name:scrypt"):
        auth.read_users(users)


@pytest.fixture
def users_file(projects, tmp_path, monkeypatch):
    users = tmp_path / "users"
    auth.write_users(users, {"ana": auth.hash_password("correct horse")})
    monkeypatch.setenv(auth.ENV_USERS, str(users))
    return users


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="sign-in-name").set_value(name)
    at.text_input(key="sign-in-password").set_value(password)
    return at.button[0].click().run()


def test_with_a_users_file_nothing_shows_before_sign_in(users_file):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["project"] = "demo-es"
    at.run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Sign in"] and not at.metric and not at.sidebar.markdown
    sign_in(at, "ana", "wrong password")
    assert messages(at) == ["Wrong user name or password."] and not at.metric
    sign_in(at, "nobody", "correct horse")
    assert messages(at) == ["Wrong user name or password."] and not at.metric
    sign_in(at, "ana", "correct horse")
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric}["Sentences"] == "36"
    assert "Signed in as ana" in [rendered(c.value) for c in at.sidebar.caption]
    assert [b.label for b in at.sidebar.button] == ["Sign out"]  # (signing out is tested in Chromium)
    at.switch_page("pages/3_Statistics.py").run()
    assert {m.label: m.value for m in at.metric}["Sentences done"] == "0"


def test_a_removed_user_is_signed_out(users_file):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    sign_in(at, "ana", "correct horse")
    assert at.metric
    auth.write_users(users_file, {})
    at.run()
    assert [s.value for s in at.subheader] == ["Sign in"] and not at.metric


def test_a_page_run_on_its_own_asks_for_sign_in_too(users_file):
    at = AppTest.from_file(str(REPO / "pages" / "4_Export.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Sign in"] and not at.download_button


REVIEWER_SCRIPT = """
import streamlit as st
from ui.auth import current_reviewer
st.write("reviewer: " + current_reviewer())
"""


def test_the_reviewer_is_the_signed_in_user(users_file, monkeypatch):
    at = AppTest.from_string(REVIEWER_SCRIPT, default_timeout=30)
    at.run()
    assert not at.markdown or "reviewer" not in at.markdown[0].value  # nobody signed in: the script stops
    at.session_state[auth.SESSION_KEY] = "ana"
    at.run()
    assert at.markdown[-1].value == "reviewer: ana"
    monkeypatch.delenv(auth.ENV_USERS)
    at = AppTest.from_string(REVIEWER_SCRIPT, default_timeout=30)
    at.run()
    assert at.markdown[-1].value == "reviewer: local"


OIDC = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a long random secret",
    "acme": {
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "https://id.acme.example/.well-known/openid-configuration",
    },
}


def test_oidc_sign_in_is_used_when_secrets_configure_it(projects):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.secrets["auth"] = OIDC
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in with acme"] and not at.metric
    at.user = {"is_logged_in": True, "email": "carla@acme.example", "name": "Carla"}
    at.run()
    assert {m.label: m.value for m in at.metric}["Sentences"] == "36"
    assert "Signed in as carla@acme.example" in [rendered(c.value) for c in at.sidebar.caption]
    at = AppTest.from_string(REVIEWER_SCRIPT, default_timeout=30)
    at.secrets["auth"] = OIDC
    at.user = {"is_logged_in": True, "email": "carla@acme.example"}
    at.run()
    assert at.markdown[-1].value == "reviewer: carla@acme.example"


def test_the_proxy_header_is_trusted_only_when_configured(monkeypatch):
    assert auth.header_user("  dana@example.org ") == "dana@example.org"
    assert auth.header_user("") is None and auth.header_user(None) is None
    assert auth.header_user("a\x00b") is None and auth.header_user("x" * 129) is None
    monkeypatch.delenv(auth.ENV_HEADER, raising=False)
    monkeypatch.delenv(auth.ENV_USERS, raising=False)
    assert auth.auth_mode() == "local"
    monkeypatch.setenv(auth.ENV_HEADER, "X-Forwarded-User")
    monkeypatch.setenv(auth.ENV_USERS, "/nonexistent")
    assert auth.auth_mode() == "header"  # the proxy wins over a users file


# --- 5. named pages -------------------------------------------------------------------------------


def test_the_pages_are_named_and_every_page_file_is_listed():
    source = (REPO / "app.py").read_text()
    titles = re.findall(r'\(\s*(?:home|"pages/\d_\w+\.py"),\s*"(\w+)"', source)
    assert titles == ["Home", "Review", "Compare", "Statistics", "Export", "Team", "Agreement"]
    listed = set(re.findall(r'"(pages/[^"]+\.py)"', source))
    assert listed == {f"pages/{p.name}" for p in (REPO / "pages").glob("*.py")}


# --- 6. the demo built while another session waits --------------------------------------------------


def test_a_second_session_follows_the_first_sessions_demo_build(tmp_path, monkeypatch):
    from ui import common

    monkeypatch.setenv("LABELBRIDGE_PROJECTS", str(tmp_path))
    first_steps, second_steps, results = [], [], {}
    builder = threading.Thread(
        target=lambda: results.setdefault("first", common.build_demo("es", lambda f, m: first_steps.append((f, m))))
    )
    builder.start()
    while not common.demo_build_under_way() and builder.is_alive():
        time.sleep(0.01)
    results["second"] = common.build_demo("es", lambda f, m: second_steps.append((f, m)))
    builder.join()
    assert results["first"].folder == results["second"].folder == tmp_path / "demo-es"
    assert second_steps, "the waiting session was told nothing"
    assert all(m.startswith("another session is building the Spanish demo: ") for _, m in second_steps)
    fractions = [f for f, _ in second_steps]
    assert fractions == sorted(fractions) and fractions[-1] > fractions[0]  # the bar moves
    assert first_steps[-1] == (1.0, "done")
