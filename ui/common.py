"""Project selection shared by every page: the open project lives in the URL (?project=name)
and in the session, so a reload reopens it; the bundled demo is built on first start."""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import streamlit as st

from core.errors import LabelBridgeError
from core.project import Project, create_project, is_project, open_project

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
DEMO_LANGS = {"es": "Spanish", "de": "German"}


def projects_dir() -> Path:
    folder = Path(os.environ.get("LABELBRIDGE_PROJECTS", REPO / "data" / "projects"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def list_projects() -> list[str]:
    return sorted(p.name for p in projects_dir().iterdir() if p.is_dir() and is_project(p))


def safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name.strip()).strip("-.")
    return cleaned or "project"


_BUILD_LOCK = threading.Lock()


def build_demo(lang: str = "es", progress=None) -> Project:
    """The bundled demo (English -> ``lang``), NER candidates trained here, gold included.
    One build at a time per server; a second session waits and then opens the result."""
    folder = projects_dir() / f"demo-{lang}"
    with _BUILD_LOCK:
        if is_project(folder):
            return open_project(folder)
        return create_project(
        folder, DEMO / "en.conll", DEMO / f"{lang}.conll", gold=DEMO / f"{lang}.conll",
        candidates="ner", target_lang=lang, alignments=DEMO / f"en-{lang}.pharaoh",
        name=f"demo-{lang}", progress=progress,
    )


@st.cache_resource(show_spinner=False)
def _open(folder: str) -> Project:
    return open_project(folder)


def progress_bar(text: str):
    """A progress callback for core that keeps building even if the browser tab goes away
    (a half-built project would otherwise be left behind)."""
    bar = st.progress(0.0, text=text)

    def report(fraction: float, message: str) -> None:
        try:
            bar.progress(min(max(fraction, 0.0), 1.0), text=f"{text} {message}")
        except BaseException:  # the session closed: finish the build regardless
            pass

    return bar, report


def set_project(name: str) -> None:
    st.session_state["project"] = name
    st.query_params["project"] = name


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
    folder = projects_dir() / safe_name(name)
    demo_lang = name[len("demo-"):] if name.startswith("demo-") else None
    if not is_project(folder) and demo_lang in DEMO_LANGS and build_default:
        bar, report = progress_bar("Building the demo project (first start only):")
        build_demo(demo_lang, report)
        bar.empty()
    if not is_project(folder):
        st.error(f"No project called {name!r} in {projects_dir()}.")
        return None
    try:
        project = _open(str(folder))
    except LabelBridgeError as err:
        st.error(str(err))
        return None
    st.session_state["project"] = project.folder.name
    if st.query_params.get("project") != project.folder.name:
        st.query_params["project"] = project.folder.name
    return project


def open_page(title: str, sidebar: bool = True) -> Project:
    """Start a page: its title, the open project (the script stops if there is none), the sidebar
    (``sidebar=False``: the page draws it later with :func:`sidebar_project`)."""
    st.set_page_config(page_title=f"LabelBridge · {title}", layout="wide")
    project = current_project()
    if project is None:
        st.stop()
    if sidebar:
        sidebar_project(project)
    return project


def sidebar_project(project: Project, box=None) -> None:
    done, total = project.store.progress()
    box = box if box is not None else st.sidebar
    box.markdown(f"**Project:** `{project.name}`  \n{done} of {total} sentences done")
    if project.settings.source_note:
        box.caption(project.settings.source_note)
