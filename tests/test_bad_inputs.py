"""Bad input through the Home page's two forms (AppTest): each gives one clear error that names
what the user gave, no traceback, no server path, nothing created."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import REPO, build_demo_project, copy_project
from streamlit.testing.v1 import AppTest

TWO_EN = b"Maria\tB-PER\nsings\tO\n\nParis\tB-LOC\nsleeps\tO\n"
TWO_ES = b"Maria canta\nParis duerme\n"
NASTY_FILE = "<img src=x onerror=alert(1)>[x](javascript:alert(1)) **$x$** www.e.example.conll"


@dataclass
class Case:
    """What the user does (uploads, typed paths, the name) and the message it must get."""

    expect: str
    uploads: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    name: str = "bad-input"
    env: dict[str, str] = field(default_factory=dict)
    setup: Callable[[Path], None] | None = None
    form: str = "parallel"
    names: str | None = None  # what the message must name (default: the one file given or typed)


def fifo(root: Path) -> None:
    os.mkfifo(root / "pipe.conll")


def zero_device(root: Path) -> None:
    try:
        os.mknod(root / "zero.conll", 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero, inside the root
    except PermissionError:
        pytest.skip("creating a device node needs root")


def files(root: Path) -> None:
    (root / "en.conll").write_bytes(TWO_EN)
    (root / "es.txt").write_bytes(TWO_ES)
    (root / "folder.conll").mkdir()
    (root / "big.conll").write_bytes(b"Maria\tB-PER\n" * 2000)
    (root / "passwd-link").symlink_to("/etc/passwd")
    (root.parent / "outside.conll").write_bytes(TWO_EN)
    (root / "sneaky").symlink_to(root.parent)
    (root / "model-link").symlink_to("/usr")


ROOT = {"LABELBRIDGE_DATA_ROOT": "{root}"}
SMALL_CAP = {"LABELBRIDGE_MAX_FILE_MB": "0.01"}  # 10 kB
OK_PAIR = {"up-source": ("en.conll", TWO_EN), "up-target": ("es.txt", TWO_ES)}

CASES = {
    # typed server paths
    "path while paths are off": Case(
        "this server does not read files by path",
        paths={"p-source": "/etc/passwd"},
        uploads={"up-target": ("es.txt", TWO_ES)},
    ),
    "/etc/passwd outside the root": Case(
        "is outside the folder this server reads files from", paths={"p-source": "/etc/passwd"}, env=ROOT, setup=files
    ),
    "/dev/zero outside the root": Case(
        "is outside the folder",
        paths={"p-source": "/dev/zero"},
        uploads={"up-target": ("es.txt", TWO_ES)},
        env=ROOT,
        setup=files,
    ),
    "relative path climbing out": Case(
        "is outside the folder", paths={"p-source": "../outside.conll"}, env=ROOT, setup=files
    ),
    "symlink to /etc/passwd": Case("is outside the folder", paths={"p-source": "passwd-link"}, env=ROOT, setup=files),
    "symlinked folder leading out": Case(
        "is outside the folder", paths={"p-source": "sneaky/outside.conll"}, env=ROOT, setup=files
    ),
    "home folder": Case("is outside the folder", paths={"p-source": "/root/.bashrc"}, env=ROOT, setup=files),
    "tilde is not the server's home": Case("no such file", paths={"p-source": "~/.bashrc"}, env=ROOT, setup=files),
    "FIFO inside the root": Case("is not a regular file", paths={"p-source": "pipe.conll"}, env=ROOT, setup=fifo),
    "device inside the root": Case(
        "is not a regular file", paths={"p-source": "zero.conll"}, env=ROOT, setup=zero_device
    ),
    "folder inside the root": Case(
        "is a folder; give a file", paths={"p-source": "folder.conll"}, env=ROOT, setup=files
    ),
    "missing file inside the root": Case(
        "no such file",
        paths={"p-target": "nope.txt"},
        uploads={"up-source": ("en.conll", TWO_EN)},
        env=ROOT,
        setup=files,
    ),
    "NUL in a path": Case(
        "is not a usable path", paths={"p-source": "en\x00.conll"}, env=ROOT, setup=files, names="en\\x00.conll"
    ),
    "typed file over the cap": Case(
        "is larger than this server's limit of 0.01 MB",
        paths={"p-source": "big.conll"},
        env=ROOT | SMALL_CAP,
        setup=files,
    ),
    # uploads
    "upload over the cap": Case(
        "is larger than this server's limit of 0.01 MB",
        uploads={"up-source": ("big.conll", b"Maria\tB-PER\n" * 2000), "up-target": ("es.txt", TWO_ES)},
        env=SMALL_CAP,
        names="big.conll",
    ),
    "binary upload": Case(
        "binary file, not text",
        uploads={
            "up-source": ("photo.conll", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"),
            "up-target": ("es.txt", TWO_ES),
        },
        names="photo.conll",
    ),
    "Latin-1 upload": Case(
        "line 2: not valid UTF-8",
        uploads={
            "up-source": ("latin1.conll", "Maria\tB-PER\nJosé\tI-PER\n".encode("latin-1")),
            "up-target": ("es.txt", b"Maria Jos\n"),
        },
        names="latin1.conll",
    ),
    "UTF-16 upload": Case(
        "the file is UTF-16; save it as UTF-8",
        uploads={"up-source": ("utf16.conll", "Maria\tB-PER\n".encode("utf-16")), "up-target": ("es.txt", TWO_ES)},
        names="utf16.conll",
    ),
    "empty upload": Case(
        "the file is empty",
        uploads={"up-source": ("empty.conll", b""), "up-target": ("es.txt", TWO_ES)},
        names="empty.conll",
    ),
    "blank-only upload": Case(
        "the file is empty",
        uploads={"up-source": ("en.conll", TWO_EN), "up-target": ("blank.txt", b"\n \n\t\n")},
        names="blank.txt",
    ),
    "sentence counts differ": Case(
        "has 1 sentences but en.conll has 2",
        uploads={"up-source": ("en.conll", TWO_EN), "up-target": ("one.txt", b"Maria canta\n")},
        names="one.txt",
    ),
    "bad tag": Case(
        "line 1:",
        uploads={"up-source": ("tags.conll", b"Maria\tZ-PER\n"), "up-target": ("es.txt", b"Maria\n")},
        names="tags.conll",
    ),
    "I- after nothing in BIOES": Case(
        "tags.conll",
        uploads={
            "up-source": ("tags.conll", b"Maria\tS-PER\nLopez\tE-PER\n"),
            "up-target": ("es.txt", b"Maria Lopez\n"),
        },
        names="tags.conll",
    ),
    "columns change": Case(
        "line 2: expected 2 columns like the first token line, found 3",
        uploads={
            "up-source": ("cols.conll", b"Maria\tB-PER\nLopez\tI-PER\textra\n"),
            "up-target": ("es.txt", b"Maria Lopez\n"),
        },
        names="cols.conll",
    ),
    "source without tags": Case(
        "line 1: expected a token and a tag",
        uploads={"up-source": ("plain.conll", b"Maria\nsings\n"), "up-target": ("es.txt", b"Maria canta\n")},
        names="plain.conll",
    ),
    "blank line inside target text": Case(
        "empty line",
        uploads={"up-source": ("en.conll", TWO_EN), "up-target": ("gap.txt", b"Maria canta\n\nParis duerme\n")},
        names="gap.txt",
    ),
    "gold with other tokens": Case(
        "sentence 1 has other tokens than the target",
        uploads=OK_PAIR | {"up-gold": ("gold.conll", b"Mario\tB-PER\ncanta\tO\n\nParis\tB-LOC\nduerme\tO\n")},
        names="gold.conll",
    ),
    "gold with fewer sentences": Case(
        "has 1 sentences but the target has 2",
        uploads=OK_PAIR | {"up-gold": ("gold.conll", b"Maria\tB-PER\ncanta\tO\n")},
        names="gold.conll",
    ),
    "alignment that is not Pharaoh": Case(
        "'a-b' is not a link", uploads=OK_PAIR | {"up-align": ("links.txt", b"a-b\n0-0\n")}, names="links.txt"
    ),
    "alignment outside the sentence": Case(
        "link 9-9 is outside the sentence pair",
        uploads=OK_PAIR | {"up-align": ("links.txt", b"9-9\n0-0\n")},
        names="links.txt",
    ),
    "alignment line count": Case(
        "has 1 lines but the corpus has 2 sentence pairs",
        uploads=OK_PAIR | {"up-align": ("links.txt", b"0-0\n")},
        names="links.txt",
    ),
    "upload name with HTML and Markdown": Case(
        "line 1: the file is UTF-16",
        uploads={"up-source": (NASTY_FILE, b"\xff\xfe"), "up-target": ("es.txt", TWO_ES)},
        names=NASTY_FILE,
    ),
    "upload name with folders": Case(
        "not valid UTF-8",
        uploads={"up-source": ("../../etc/evil.conll", b"\xff"), "up-target": ("es.txt", TWO_ES)},
        names="evil.conll",
    ),
    "no target at all": Case(
        "A project needs a source file and a target file.", uploads={"up-source": ("en.conll", TWO_EN)}, names=""
    ),
    # project names
    "300-character name": Case(
        "A project name has at most 64 characters; this one has 300.", uploads=OK_PAIR, name="x" * 300, names=""
    ),
    "empty name": Case("Give the project a name.", uploads=OK_PAIR, name="", names=""),
    "only symbols": Case("A project name needs at least one letter or digit.", uploads=OK_PAIR, name="-_-", names=""),
    "HTML in the name": Case(
        "A project name may hold letters, digits, spaces, '-', '_' and '.', not: / < >",
        uploads=OK_PAIR,
        name="<b>x</b>",
        names="",
    ),
    "Markdown in the name": Case("not: ! ( ) / : [ ]", uploads=OK_PAIR, name="![x](http://e)", names=""),
    "path in the name": Case("not: /", uploads=OK_PAIR, name="../../etc/cron.d", names=""),
    "name of an existing project": Case(
        "A project called 'demo-es' exists already; choose another name.", uploads=OK_PAIR, name="demo-es", names=""
    ),
    # the models form: model names and folders are server paths too
    "model path outside the roots": Case(
        "is not one this server offers",
        form="models",
        paths={"m-translator": "/usr/share"},
        uploads={"m-up-target": ("es.txt", TWO_ES)},
        names="/usr/share",
    ),
    "model symlink leading out": Case(
        "is not one this server offers",
        form="models",
        paths={"m-ner": "model-link"},
        uploads={"m-up-target": ("es.txt", TWO_ES)},
        env=ROOT,
        setup=files,
        names="model-link",
    ),
    "unlisted hub model": Case(
        "is not one this server offers",
        form="models",
        paths={"m-encoder": "someone/huge-model"},
        uploads={"m-up-target": ("es.txt", TWO_ES)},
        names="someone/huge-model",
    ),
    "model folder that does not exist": Case(
        "is not one this server offers",
        form="models",
        paths={"m-translator": "no-such-model"},
        uploads={"m-up-target": ("es.txt", TWO_ES)},
        env=ROOT,
        setup=files,
        names="no-such-model",
    ),
    "models form: /etc/passwd as target": Case(
        "this server does not read files by path", form="models", paths={"m-target": "/etc/passwd"}, names="/etc/passwd"
    ),
    "models form: FIFO as target": Case(
        "is not a regular file", form="models", paths={"m-target": "pipe.conll"}, env=ROOT, setup=fifo
    ),
    "models form: target over the cap": Case(
        "is larger than",
        form="models",
        uploads={"m-up-target": ("big.txt", b"palabra " * 5000)},
        env=SMALL_CAP,
        names="big.txt",
    ),
    "models form: long name": Case(
        "at most 64 characters", form="models", uploads={"m-up-target": ("es.txt", TWO_ES)}, name="y" * 65, names=""
    ),
    "models form: no target": Case("Give the target text to label", form="models", names=""),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_demo_project(tmp_path_factory.mktemp("built-bad-inputs") / "demo-es").folder


def rendered(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_gets_one_clear_error(case: Case, built, tmp_path, monkeypatch):
    projects = tmp_path / "projects"
    copy_project(built, projects / "demo-es")
    root = tmp_path / "root"
    root.mkdir()
    if case.setup:
        case.setup(root)
    for name in (
        "LABELBRIDGE_DATA_ROOT",
        "LABELBRIDGE_MODEL_ROOT",
        "LABELBRIDGE_MODELS",
        "LABELBRIDGE_MAX_FILE_MB",
        "LABELBRIDGE_USERS_FILE",
        "LABELBRIDGE_AUTH_HEADER",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LABELBRIDGE_PROJECTS", str(projects))
    for name, value in case.env.items():
        monkeypatch.setenv(name, value.format(root=root))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    if case.form == "models":
        at.radio(key="create-way").set_value("models").run()
    prefix = "m-" if case.form == "models" else "p-"
    at.text_input(key=f"{prefix}name").set_value(case.name)
    for key, (filename, content) in case.uploads.items():
        at.file_uploader(key=key).set_value((filename, content, "text/plain"))
    for key, typed in case.paths.items():
        at.text_input(key=key).set_value(typed)
    if case.form == "parallel":
        at.radio(key="p-candidates").set_value("ngram")
    before_tmp = set(Path(tempfile.gettempdir()).glob("labelbridge-upload-*"))
    at.button[-1].click().run(timeout=60)

    assert not at.exception, at.exception
    errors = [rendered(e.value) for e in at.error]
    assert len(errors) == 1, errors
    message = errors[0]
    assert case.expect in message, message
    given = (
        case.names
        if case.names is not None
        else next(iter(list(case.paths.values()) + [n for n, _ in case.uploads.values()]))
    )
    assert given in message, message
    for server_path in (str(tmp_path), str(REPO), tempfile.gettempdir() + "/", "labelbridge-upload", ".building"):
        if server_path not in given:
            assert server_path not in message, message
    assert "root:x:" not in message and "Traceback" not in message
    assert sorted(p.name for p in projects.iterdir() if p.name != ".cache") == ["demo-es"]  # nothing created
    assert set(Path(tempfile.gettempdir()).glob("labelbridge-upload-*")) <= before_tmp  # no copy left behind
    assert at.session_state["project"] == "demo-es"
