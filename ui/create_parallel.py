"""Home page form: a project from a parallel corpus (English CoNLL with entities and its translation)."""

from __future__ import annotations

import tempfile

import streamlit as st

from core.alignment.eflomal_aligner import EFLOMAL_COMBINATIONS, EflomalAligner
from core.errors import LabelBridgeError
from core.projection.pipeline import ProjectionConfig
from core.review.project import create_project, is_project
from ui.common import (
    UserFiles,
    limits,
    plain,
    projects_dir,
    safe_name,
    set_project,
    show_error,
)


def path_help(lim) -> str:
    """What the path fields take on this server."""
    if lim.data_root is None:
        return "Reading files on the server by path is off; upload the files. (The operator can allow a folder with LABELBRIDGE_DATA_ROOT.)"
    return "Or give a path inside the server's data folder (relative to it, or absolute)."


def path_placeholder(lim) -> str:
    return (
        "off: upload instead (the operator can set LABELBRIDGE_DATA_ROOT)"
        if lim.data_root is None
        else "a path inside the data folder"
    )


def parallel_form() -> None:
    """A project from a parallel corpus: English CoNLL with entities and its translation."""
    try:
        lim = limits()
    except LabelBridgeError as err:
        show_error("", err)
        return
    placeholder = path_placeholder(lim)
    with st.form("create"):
        name = st.text_input(
            "Project name",
            value="my-project",
            key="p-name",
            help="Letters, digits, spaces, '-', '_' and '.', at most 64 characters",
        )
        st.caption(plain(f"Upload the files (at most {lim.max_mb} each). {path_help(lim)}"))
        up_source = st.file_uploader("Source CoNLL with entities (token TAB tag)", key="up-source")
        path_source = st.text_input("…or source path", key="p-source", placeholder=placeholder, help=path_help(lim))
        up_target = st.file_uploader("Target: CoNLL or tokenised text (one sentence a line)", key="up-target")
        path_target = st.text_input("…or target path", key="p-target", placeholder=placeholder, help=path_help(lim))
        up_gold = st.file_uploader("Target gold CoNLL (optional, for F1 on Compare)", key="up-gold")
        path_gold = st.text_input(
            "…or gold path (optional)", key="p-gold", placeholder=placeholder, help=path_help(lim)
        )
        up_align = st.file_uploader("Word alignments, Pharaoh i-j (optional; else eflomal aligns)", key="up-align")
        lang = st.text_input(
            "Target language code, ISO 639-1 (for function words at span edges and the NER candidate model)",
            value="es",
            key="p-lang",
        )
        candidates = st.radio(
            "Matching candidates",
            ["ner", "ngram"],
            key="p-candidates",
            format_func=lambda c: {
                "ner": "NER spans (spaCy trained here on the heuristic projection)",
                "ngram": "every n-gram",
            }[c],
        )
        symmetrization = st.selectbox(
            "eflomal: how runs and directions are combined",
            EFLOMAL_COMBINATIONS,
            key="p-symmetrization",
            format_func=lambda s: (
                "soft vote, links weighted by agreement (best measured)" if s == "soft" else f"{s}, majority of runs"
            ),
        )
        runs = st.slider("eflomal runs (links voted)", 1, 9, EflomalAligner.n_runs, key="p-runs")
        primary = st.radio("Enter accepts the rest of", ["matching", "heuristic"], horizontal=True, key="p-primary")
        submitted = st.form_submit_button("Create and run the pipeline")
    if submitted:
        create_from_form(
            name,
            (up_source, path_source),
            (up_target, path_target),
            (up_gold, path_gold),
            up_align,
            lang,
            candidates,
            symmetrization,
            runs,
            primary,
            lim,
        )


def create_from_form(
    name, source_in, target_in, gold_in, up_align, lang, candidates, symmetrization, runs, primary, lim
) -> None:
    known: dict[str, str] = {}
    try:
        folder = projects_dir() / safe_name(name)
    except LabelBridgeError as err:
        show_error("", err)
        return
    known[str(folder)] = folder.name
    if is_project(folder) or folder.exists():
        st.error(plain(f"A project called {folder.name!r} exists already; choose another name."))
        return
    with tempfile.TemporaryDirectory(prefix="labelbridge-upload-") as tmp:
        files = UserFiles(tmp, lim)
        known.update(files.names)
        try:
            source, target = files.add("source", *source_in), files.add("target", *target_in)
            gold, alignment = files.add("gold", *gold_in), files.add("alignment", up_align)
        except LabelBridgeError as err:
            show_error("Could not create the project: ", err, known | files.names)
            return
        known.update(files.names)
        if source is None or target is None:
            st.error("A project needs a source file and a target file.")
            return
        bar = st.progress(0.0, text="Starting…")
        try:
            config = ProjectionConfig(aligner_options={"symmetrization": symmetrization, "n_runs": runs})
            created = create_project(
                folder,
                source,
                target,
                gold,
                config,
                candidates=candidates,
                target_lang=lang.strip() or "xx",
                alignments=alignment,
                name=folder.name,
                primary_method=primary,
                progress=lambda f, m: bar.progress(min(f, 1.0), text=plain(m)),
            )
        except Exception as err:  # noqa: BLE001 - every failure is one message, never a traceback
            bar.empty()
            show_error("Could not create the project: ", err, known)
            return
    set_project(created.folder.name)
    st.success(plain(f"Created {created.name} in {created.settings.pipeline_seconds:.1f} s."))
    st.rerun()
