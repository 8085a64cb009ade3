"""Home page form: a project from unlabelled target text, labelled by models
(translate to English, tag, align, project back; see core.models.pipeline)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from core.errors import LabelBridgeError
from core.models.easyproject import EASYPROJECT_MODEL
from core.models.loading import DEVICES
from core.models.pipeline import (
    MODEL_ALIGNERS,
    PAPER_ENCODER,
    PAPER_NER,
    PAPER_TRANSLATOR,
    ModelPipelineOptions,
    model_projection,
)
from core.review.project import create_project_from_text, is_project
from ui.common import progress_bar, projects_dir, safe_name, set_project

CANDIDATES = {
    "ngram": "every n-gram",
    "ner": "NER spans (spaCy trained here on the heuristic projection)",
    "model": "NER spans of a target-language model (below)",
}


def saved(upload, path: str, folder: str, role: str) -> Path | None:
    """An uploaded file written to ``folder``, else the typed path, else None."""
    if upload is not None:
        dest = Path(folder, f"{role}-{Path(upload.name).name}")
        dest.write_bytes(upload.getvalue())
        return dest
    return Path(path.strip()).expanduser() if path.strip() else None


def model_form() -> None:
    with st.form("create-models"):
        name = st.text_input("Project name", value="my-project", key="m-name")
        up_target = st.file_uploader("Target text: tokenised, one sentence a line, or CoNLL (tags ignored)", key="m-up-target")
        path_target = st.text_input("…or target path", key="m-target")
        up_gold = st.file_uploader("Target gold CoNLL (optional, for F1 on Compare; a tagged target file can be its own gold)", key="m-up-gold")
        path_gold = st.text_input("…or gold path (optional)", key="m-gold")
        lang = st.text_input("Target language: NLLB code (spa_Latn, hau_Latn) or the paper's code (es, hau)", value="spa_Latn", key="m-lang")
        translator = st.text_input("Translation model, target to English (hub name or local folder)", value=PAPER_TRANSLATOR, key="m-translator")
        ner = st.text_input("English NER model (transformers or spaCy)", value=PAPER_NER, key="m-ner")
        candidates = st.radio("Matching candidates", list(CANDIDATES), format_func=CANDIDATES.get, key="m-candidates")
        candidate_ner = st.text_input("Target NER model for the last choice (empty: the English NER model)", key="m-candidate-ner")
        primary = st.radio("Enter accepts the rest of", ["matching", "heuristic"], horizontal=True, key="m-primary")
        with st.expander("Advanced"):
            aligner = st.selectbox("Aligner", MODEL_ALIGNERS, key="m-aligner",
                                   help="simalign: itermax on encoder embeddings (paper); awesome: softmax extraction; eflomal: statistical, no encoder")
            encoder = st.text_input("Encoder for simalign / awesome", value=PAPER_ENCODER, key="m-encoder")
            layer = st.number_input("Encoder layer", min_value=0, max_value=48, value=8, key="m-layer")
            back_translate = st.checkbox("Refine by back-translation (translate the tagged English back with entity markers)", key="m-back")
            marker = st.text_input("Marker translation model", value=EASYPROJECT_MODEL, key="m-marker")
            tokenize = st.checkbox("Split punctuation off words (plain text only)", key="m-tokenize")
            device = st.radio("Device", DEVICES, horizontal=True, key="m-device")
        submitted = st.form_submit_button("Label with models and create")
    if not submitted:
        return
    folder = projects_dir() / safe_name(name)
    if not translator.strip() or not ner.strip():
        st.error("Give a translation model and an English NER model (hub names or local folders).")
        return
    if is_project(folder) or folder.exists():
        st.error(f"A project called {folder.name!r} exists already; choose another name.")
        return
    with tempfile.TemporaryDirectory(prefix="labelbridge-upload-") as tmp:
        target, gold = saved(up_target, path_target, tmp, "target"), saved(up_gold, path_gold, tmp, "gold")
        if target is None:
            st.error("Give the target text to label (upload it or type its path).")
            return
        bar, report = progress_bar("Labelling with models:")
        try:
            options = ModelPipelineOptions(
                target_lang=lang.strip(), translator=translator.strip(), ner=ner.strip(), aligner=aligner,
                encoder=encoder.strip(), layer=int(layer), candidates="ner" if candidates == "model" else "ngram",
                candidate_ner=candidate_ner.strip() or None, back_translate=back_translate, marker_model=marker.strip(),
                device=device, projection=model_projection(lang.strip()),
            )
            created = create_project_from_text(
                folder, target, options, gold, cache_dir=projects_dir() / ".cache", train_ner=candidates == "ner",
                tokenize=tokenize, primary_method=primary, name=folder.name, progress=report,
            )
        except (LabelBridgeError, ValueError, OSError) as err:
            bar.empty()
            st.error(f"Could not create the project: {err}")
            return
    set_project(created.folder.name)
    st.rerun()
