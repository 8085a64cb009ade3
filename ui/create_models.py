"""Home page form: a project from unlabelled target text, labelled by models
(translate to English, tag, align, project back; see core.models.pipeline).

A model field names something the server loads, so it is one of the operator's models
(LABELBRIDGE_MODELS; by default the paper's models below) or a folder below the model root
(LABELBRIDGE_MODEL_ROOT) or the data root; see core.corpus.safe_paths.model_choice."""

from __future__ import annotations

import tempfile

import streamlit as st

from core.corpus.safe_paths import model_choice
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
from ui.common import (
    UserFiles,
    limits,
    plain,
    progress_bar,
    projects_dir,
    safe_name,
    set_project,
    show_error,
)
from ui.create_parallel import path_help, path_placeholder

CANDIDATES = {
    "ngram": "every n-gram",
    "ner": "NER spans (spaCy trained here on the heuristic projection)",
    "model": "NER spans of a target-language model (below)",
}
DEFAULT_MODELS = (PAPER_TRANSLATOR, PAPER_NER, PAPER_ENCODER, EASYPROJECT_MODEL)


def model_help(lim) -> str:
    offered = ", ".join(sorted(lim.models)) or "none"
    folders = " or a folder inside the server's model folder" if (lim.model_root or lim.data_root) else ""
    return f"This server offers: {offered}{folders}."


def model_form() -> None:
    try:
        lim = limits(DEFAULT_MODELS)
    except LabelBridgeError as err:
        show_error("", err)
        return
    placeholder = path_placeholder(lim)
    with st.form("create-models"):
        name = st.text_input(
            "Project name",
            value="my-project",
            key="m-name",
            help="Letters, digits, spaces, '-', '_' and '.', at most 64 characters",
        )
        st.caption(plain(f"Upload the files (at most {lim.max_mb} each). {path_help(lim)} Models: {model_help(lim)}"))
        up_target = st.file_uploader(
            "Target text: tokenised, one sentence a line, or CoNLL (tags ignored)", key="m-up-target"
        )
        path_target = st.text_input("…or target path", key="m-target", placeholder=placeholder, help=path_help(lim))
        up_gold = st.file_uploader(
            "Target gold CoNLL (optional, for F1 on Compare; a tagged target file can be its own gold)", key="m-up-gold"
        )
        path_gold = st.text_input(
            "…or gold path (optional)", key="m-gold", placeholder=placeholder, help=path_help(lim)
        )
        lang = st.text_input(
            "Target language: NLLB code (spa_Latn, hau_Latn) or the paper's code (es, hau)",
            value="spa_Latn",
            key="m-lang",
        )
        translator = st.text_input(
            "Translation model, target to English", value=PAPER_TRANSLATOR, key="m-translator", help=model_help(lim)
        )
        ner = st.text_input(
            "English NER model (transformers or spaCy)", value=PAPER_NER, key="m-ner", help=model_help(lim)
        )
        candidates = st.radio("Matching candidates", list(CANDIDATES), format_func=CANDIDATES.get, key="m-candidates")
        candidate_ner = st.text_input(
            "Target NER model for the last choice (empty: the English NER model)",
            key="m-candidate-ner",
            help=model_help(lim),
        )
        primary = st.radio("Enter accepts the rest of", ["matching", "heuristic"], horizontal=True, key="m-primary")
        with st.expander("Advanced"):
            aligner = st.selectbox(
                "Aligner",
                MODEL_ALIGNERS,
                key="m-aligner",
                help="simalign: itermax on encoder embeddings (paper); awesome: softmax extraction; eflomal: statistical, no encoder",
            )
            encoder = st.text_input(
                "Encoder for simalign / awesome", value=PAPER_ENCODER, key="m-encoder", help=model_help(lim)
            )
            layer = st.number_input("Encoder layer", min_value=0, max_value=48, value=8, key="m-layer")
            back_translate = st.checkbox(
                "Refine by back-translation (translate the tagged English back with entity markers)", key="m-back"
            )
            marker = st.text_input(
                "Marker translation model", value=EASYPROJECT_MODEL, key="m-marker", help=model_help(lim)
            )
            tokenize = st.checkbox("Split punctuation off words (plain text only)", key="m-tokenize")
            device = st.radio("Device", DEVICES, horizontal=True, key="m-device")
        submitted = st.form_submit_button("Label with models and create")
    if not submitted:
        return
    typed = {"translator": translator, "ner": ner, "candidate_ner": candidate_ner, "encoder": encoder, "marker": marker}
    known = {text.strip(): text.strip() for text in typed.values() if text.strip()}  # model names stay as typed
    try:
        folder = projects_dir() / safe_name(name)
        known[str(folder)] = folder.name
        if not translator.strip() or not ner.strip():
            st.error("Give a translation model and an English NER model.")
            return
        models = {
            "translator": model_choice(translator, "translation model", lim),
            "ner": model_choice(ner, "NER model", lim),
        }
        models["candidate_ner"] = (
            model_choice(candidate_ner, "target NER model", lim)
            if candidates == "model" and candidate_ner.strip()
            else None
        )
        models["encoder"] = (
            model_choice(encoder, "encoder", lim) if aligner in ("simalign", "awesome") else PAPER_ENCODER
        )
        models["marker"] = (
            model_choice(marker, "marker translation model", lim) if back_translate else EASYPROJECT_MODEL
        )
    except LabelBridgeError as err:
        show_error("", err, known)
        return
    known.update({path: typed[role].strip() for role, path in models.items() if path and path != typed[role].strip()})
    if is_project(folder) or folder.exists():
        st.error(plain(f"A project called {folder.name!r} exists already; choose another name."))
        return
    with tempfile.TemporaryDirectory(prefix="labelbridge-upload-") as tmp:
        files = UserFiles(tmp, lim)
        try:
            target, gold = files.add("target", up_target, path_target), files.add("gold", up_gold, path_gold)
        except LabelBridgeError as err:
            show_error("Could not create the project: ", err, known | files.names)
            return
        known.update(files.names)
        if target is None:
            st.error("Give the target text to label (upload it or type its path).")
            return
        bar, report = progress_bar("Labelling with models:")
        try:
            options = ModelPipelineOptions(
                target_lang=lang.strip(),
                translator=models["translator"],
                ner=models["ner"],
                aligner=aligner,
                encoder=models["encoder"],
                layer=int(layer),
                candidates="ner" if candidates == "model" else "ngram",
                candidate_ner=models["candidate_ner"],
                back_translate=back_translate,
                marker_model=models["marker"],
                device=device,
                projection=model_projection(lang.strip()),
            )
            created = create_project_from_text(
                folder,
                target,
                options,
                gold,
                cache_dir=projects_dir() / ".cache",
                train_ner=candidates == "ner",
                tokenize=tokenize,
                primary_method=primary,
                name=folder.name,
                progress=report,
            )
        except Exception as err:  # noqa: BLE001 - every failure is one message, never a traceback
            bar.empty()
            show_error("Could not create the project: ", err, known)
            return
    set_project(created.folder.name)
    st.rerun()
