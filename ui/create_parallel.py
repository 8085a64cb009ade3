"""Home page form: a project from a parallel corpus (English CoNLL with entities and its translation)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from core.alignment.eflomal_aligner import EFLOMAL_COMBINATIONS, EflomalAligner
from core.errors import LabelBridgeError
from core.projection.pipeline import ProjectionConfig
from core.review.project import create_project, is_project
from ui.common import projects_dir, safe_name, set_project


def parallel_form() -> None:
    """A project from a parallel corpus: English CoNLL with entities and its translation."""
    with st.form("create"):
        name = st.text_input("Project name", value="my-project")
        st.markdown("Upload the files, or give paths on this machine.")
        up_source = st.file_uploader("Source CoNLL with entities (token TAB tag)", key="up-source")
        path_source = st.text_input("…or source path")
        up_target = st.file_uploader("Target: CoNLL or tokenised text (one sentence a line)", key="up-target")
        path_target = st.text_input("…or target path")
        up_gold = st.file_uploader("Target gold CoNLL (optional, for F1 on Compare)", key="up-gold")
        path_gold = st.text_input("…or gold path (optional)")
        up_align = st.file_uploader("Word alignments, Pharaoh i-j (optional; else eflomal aligns)", key="up-align")
        lang = st.text_input("Target language code, ISO 639-1 (for function words at span edges and the NER candidate model)", value="es")
        candidates = st.radio("Matching candidates", ["ner", "ngram"], format_func=lambda c: {"ner": "NER spans (spaCy trained here on the heuristic projection)", "ngram": "every n-gram"}[c])
        symmetrization = st.selectbox("eflomal: how runs and directions are combined", EFLOMAL_COMBINATIONS,
                                      format_func=lambda s: "soft vote, links weighted by agreement (best measured)" if s == "soft" else f"{s}, majority of runs")
        runs = st.slider("eflomal runs (links voted)", 1, 9, EflomalAligner.n_runs)
        primary = st.radio("Enter accepts the rest of", ["matching", "heuristic"], horizontal=True)
        submitted = st.form_submit_button("Create and run the pipeline")
    if submitted:
        with tempfile.TemporaryDirectory(prefix="labelbridge-upload-") as tmp:
            def pick(upload, path, role):
                if upload is not None:
                    dest = Path(tmp, f"{role}-{Path(upload.name).name}")
                    dest.write_bytes(upload.getvalue())
                    return dest
                return Path(path).expanduser() if path.strip() else None
            source, target = pick(up_source, path_source, "source"), pick(up_target, path_target, "target")
            gold, alignment = pick(up_gold, path_gold, "gold"), pick(up_align, "", "alignment")
            folder = projects_dir() / safe_name(name)
            if source is None or target is None:
                st.error("A project needs a source file and a target file.")
            elif is_project(folder) or folder.exists():
                st.error(f"A project called {folder.name!r} exists already; choose another name.")
            else:
                bar = st.progress(0.0, text="Starting…")
                try:
                    config = ProjectionConfig(aligner_options={"symmetrization": symmetrization, "n_runs": runs})
                    created = create_project(folder, source, target, gold, config, candidates=candidates, target_lang=lang.strip() or "xx",
                                             alignments=alignment, name=folder.name, primary_method=primary,
                                             progress=lambda f, m: bar.progress(min(f, 1.0), text=m))
                except LabelBridgeError as err:
                    bar.empty()
                    st.error(f"Could not create the project: {err}")
                except ValueError as err:
                    bar.empty()
                    st.error(f"Could not create the project: {err}")
                else:
                    set_project(created.folder.name)
                    st.success(f"Created {created.name} in {created.settings.pipeline_seconds:.1f} s.")
                    st.rerun()
