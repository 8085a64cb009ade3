"""Project selection shared by every page: the open project lives in the URL (?project=name)
and in the session, so a reload reopens it; the bundled demo is built on first start.
Also what every page needs to show user text safely and to take files from a visitor."""

from __future__ import annotations

import logging
import os
import re
import shutil
import string
import threading
from pathlib import Path

import streamlit as st

from core.corpus.safe_paths import (
    InputRefused,
    Limits,
    check_upload,
    copy_bounded,
    data_file,
    project_folder_name,
    redact,
    shown,
)
from core.errors import LabelBridgeError
from core.review.project import Project, create_project, is_project, open_project
from ui.auth import guard_page
from ui.gc_tuning import freeze_long_lived

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
DEMO_LANGS = {"es": "Spanish", "de": "German"}
log = logging.getLogger("labelbridge.app")


def projects_dir() -> Path:
    folder = Path(os.environ.get("LABELBRIDGE_PROJECTS", REPO / "data" / "projects"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def list_projects() -> list[str]:
    return sorted(p.name for p in projects_dir().iterdir() if p.is_dir() and is_project(p))


def safe_name(name: str) -> str:
    """The project folder name for a name the user typed; raises InputRefused for an empty,
    too long or oddly spelt name (see core.corpus.safe_paths.project_folder_name)."""
    return project_folder_name(name)


WORD_JOINER = "\u2060"
_ESCAPED = re.compile(r"([\\`*_\[\]<>()!|~$:&@{}#^])")


def plain(text: str) -> str:
    """Text for an element that renders Markdown (st.error, st.caption, ...) so it shows exactly
    as written: one line, no link, image, emphasis, HTML, formula or autolink."""
    text = re.sub(r"[\r\n\t\f\v]+", " ", str(text))
    lead = "\\" if text[:1] in set(string.punctuation) - set("\\`*_[]<>()!|~$:&@{}#^") else ""
    text = _ESCAPED.sub(r"\\\1", text)
    # GitHub-style autolinks are found in the text after escapes are resolved: an invisible word
    # joiner inside each trigger (http://, www., the @ of an address) keeps them text
    text = re.sub(r"(?i)(https?|www|ftp|mailto|xmpp)(?=\\:|\.)", "\\1" + WORD_JOINER, text)
    text = text.replace("\\@", WORD_JOINER + "\\@")
    return lead + re.sub(r"^(\d+)([.)])", r"\1\\\2", text)


def show_error(prefix: str, err: BaseException, known: dict[str, str] | None = None) -> None:
    """One clear, plain-text error. Only LabelBridge and ValueError messages are shown (server paths
    replaced by what the user called them); anything else is logged and reported in general terms."""
    if isinstance(err, (LabelBridgeError, ValueError)):
        text = redact(str(err), known or {})
    else:
        log.exception("unexpected error")
        text = f"an unexpected {type(err).__name__}; the server log has the details."
    st.error(plain(f"{prefix}{text}"))


def limits(default_models=()) -> Limits:
    """The operator's limits (data root, model root and list, size cap), read from the environment."""
    return Limits.from_env(default_models)


class UserFiles:
    """Files a form received, copied into a private folder before anything reads them: an upload
    (size-checked before it is read), or a typed path below the operator's data root (regular
    files only, read at most to the cap). ``names`` maps each copy to what the user called it."""

    def __init__(self, folder: str | Path, limits: Limits):
        self.folder = Path(folder)
        self.limits = limits
        self.names: dict[str, str] = {str(self.folder): "the upload folder"}

    def add(self, role: str, upload=None, typed: str = "") -> Path | None:
        if upload is not None:
            display = Path(upload.name).name or role
            check_upload(display, upload.size, self.limits)
            dest = self._dest(role, display)
            upload.seek(0)
            with open(dest, "wb") as out:
                shutil.copyfileobj(upload, out, 1 << 20)
        elif typed and typed.strip():
            display = shown(typed.strip())
            self.names[display] = display  # what the user typed stays in a message as typed
            dest = self._dest(role, display)
            copy_bounded(data_file(typed, self.limits), dest, display, self.limits)
        else:
            return None
        self.names[str(dest)] = display
        return dest

    def _dest(self, role: str, display: str) -> Path:
        suffix = Path(display).suffix
        if not re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix):
            suffix = ".txt"
        return self.folder / f"{role}{suffix}"


_BUILD_LOCK = threading.Lock()
_BUILDING: dict[str, object] = {}  # the build under way: language, fraction done, what it does


def build_demo(lang: str = "es", progress=None) -> Project:
    """The bundled demo (English -> ``lang``), NER candidates trained here, gold included.
    One build at a time per server; a second session waits, following the first one's
    progress through ``progress``, and then opens the result."""
    report = progress or (lambda fraction, message: None)
    folder = projects_dir() / f"demo-{lang}"
    while not _BUILD_LOCK.acquire(timeout=0.25):
        fraction, message = _BUILDING.get("fraction", 0.0), _BUILDING.get("message", "starting")
        report(
            float(fraction),
            f"another session is building the {DEMO_LANGS.get(str(_BUILDING.get('lang')), '')} demo: {message}",
        )
    try:
        if is_project(folder):
            return open_project(folder)

        def shared(fraction: float, message: str) -> None:
            _BUILDING.update(fraction=fraction, message=message)
            report(fraction, message)

        _BUILDING.update(lang=lang, fraction=0.0, message="starting")
        return create_project(
            folder,
            DEMO / "en.conll",
            DEMO / f"{lang}.conll",
            gold=DEMO / f"{lang}.conll",
            candidates="ner",
            target_lang=lang,
            alignments=DEMO / f"en-{lang}.pharaoh",
            name=f"demo-{lang}",
            progress=shared,
        )
    finally:
        _BUILDING.clear()
        _BUILD_LOCK.release()


def demo_build_under_way() -> bool:
    return _BUILD_LOCK.locked()


@st.cache_resource(show_spinner=False)
def _open(folder: str) -> Project:
    return open_project(folder)


def progress_bar(text: str):
    """A progress callback for core that keeps building even if the browser tab goes away
    (a half-built project would otherwise be left behind)."""
    bar = st.progress(0.0, text=plain(text))

    def report(fraction: float, message: str) -> None:
        try:
            bar.progress(min(max(fraction, 0.0), 1.0), text=plain(f"{text} {message}"))
        except BaseException:  # the session closed: finish the build regardless
            pass

    return bar, report


def set_project(name: str) -> None:
    st.session_state["project"] = name
    st.query_params["project"] = name


def _build_demo_here(lang: str) -> None:
    """Build the demo for this page, saying what happens: a first start builds it, and a session
    that arrives while another builds it waits with that build's progress."""
    notice = st.empty()
    notice.info(
        f"The {DEMO_LANGS[lang]} demo project is being built (first start only; under a minute). "
        "This page opens by itself when it is ready.",
        icon=":material/hourglass_top:",
    )
    bar, report = progress_bar("Building the demo:")
    with st.spinner("Building the demo project…"):
        build_demo(lang, report)
    bar.empty()
    notice.empty()


def current_project(build_default: bool = True) -> Project | None:
    """The open project; on first start the Spanish demo is built and opened."""
    name = st.session_state.get("project") or st.query_params.get("project")
    if not name:
        names = list_projects()
        if names:
            name = "demo-es" if "demo-es" in names else names[0]
        elif build_default:
            name = "demo-es"
        else:
            return None
    try:
        folder = projects_dir() / project_folder_name(name)
    except InputRefused:
        folder = None
    if folder is not None and not is_project(folder):
        demo_lang = folder.name[len("demo-") :] if folder.name.startswith("demo-") else None
        if demo_lang in DEMO_LANGS and build_default:
            _build_demo_here(demo_lang)
    if folder is None or not is_project(folder):
        st.error(plain(f"No project called '{shown(name, 64)}'. Open one on the Home page."))
        return None
    try:
        project = _open(str(folder))
    except LabelBridgeError as err:
        show_error("", err, {str(folder): folder.name})
        return None
    st.session_state["project"] = project.folder.name
    if st.query_params.get("project") != project.folder.name:
        st.query_params["project"] = project.folder.name
    return project


def open_page(title: str, sidebar: bool = True) -> Project:
    """Start a page: its title, the open project (the script stops if there is none), the sidebar
    (``sidebar=False``: the page draws it later with :func:`sidebar_project`)."""
    st.set_page_config(page_title=f"LabelBridge · {title}", layout="wide")
    freeze_long_lived()  # a page run on its own (tests) as well as through app.py
    guard_page()
    project = current_project()
    if project is None:
        st.stop()
    if sidebar:
        sidebar_project(project)
    return project


def source_note(project: Project) -> str | None:
    """The project's note on a machine-made source, with the operator's folders not spelt out."""
    note = project.settings.source_note
    if not note:
        return None
    try:
        lim = limits()
    except LabelBridgeError:
        lim = Limits()
    folders = {
        str(root): label
        for root, label in ((lim.model_root, "[model folder]"), (lim.data_root, "[data folder]"))
        if root
    }
    return redact(note, folders)


def sidebar_project(project: Project, box=None) -> None:
    """The project's name, progress and source note (in ``box``, the sidebar by default)."""
    done, total = project.store.progress()
    box = box if box is not None else st.sidebar
    box.markdown(f"**Project:** {plain(project.name)}  \n{done} of {total} sentences done")
    note = source_note(project)
    if note:
        box.caption(plain(note))
