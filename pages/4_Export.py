"""Export: the cleaned target corpus as CoNLL (IOB2), JSONL with provenance, and the formats
people train with (spaCy, Hugging Face datasets) or annotate in (Label Studio, Prodigy).

Nothing is built until a button is pressed; the counts shown come from the store's aggregates.
CoNLL and JSONL stream from the database into a temporary file, a few hundred sentences at a
time, so building them takes memory for the file only, not for the project's sentences."""

from __future__ import annotations

import tempfile
from functools import partial

import streamlit as st

from core.formats import EXPORTS, export_bytes
from core.review.export import clean_sentences, export_file
from ui.common import open_page
from ui.numbers import export_entities

MIME = {"json": "application/json", "jsonl": "application/x-ndjson", "spacy": "application/octet-stream"}


class Sentences:
    """The export's sentences, read again from the store each time a writer iterates."""

    def __init__(self, store, mode: str, fallback: str, drop_misc: bool):
        self.args = (store, mode, fallback, drop_misc)

    def __iter__(self):
        return (s.sentence() for s in clean_sentences(*self.args))


def streamed(kind: str, store, mode: str, fallback: str, drop_misc: bool) -> bytes:
    """The CoNLL or JSONL file, written sentence by sentence to a temporary file first."""
    with tempfile.TemporaryDirectory(prefix="labelbridge-export-") as tmp:
        return export_file(clean_sentences(store, mode, fallback, drop_misc), kind, tmp).read_bytes()


project = open_page("Export")
store = project.store
done, total = store.progress()
st.header("Export the cleaned corpus")
mode = st.radio(
    "Sentences",
    ["reviewed", "all"],
    key="export-mode",
    format_func=lambda m: {
        "reviewed": f"Reviewed only ({done} done)",
        "all": f"All {total}, unreviewed ones from a method",
    }[m],
)
fallback = st.selectbox(
    "Method for spans nobody decided", ["matching", "heuristic"], key="export-method", disabled=mode == "reviewed"
)
drop_misc = st.checkbox(
    "Drop MISC (map to O)",
    key="export-drop-misc",  # on for model-made sources, as the command line does
    value=bool((project.settings.models or {}).get("drop_misc")),
)
n_sentences = done if mode == "reviewed" else total
entities = export_entities(project, mode, fallback)
n_spans = sum(entities.values())
if drop_misc and entities.get("MISC"):
    st.write(f"{n_sentences} sentences, {n_spans} entities before MISC is dropped ({entities['MISC']} MISC).")
else:
    st.write(f"{n_sentences} sentences, {n_spans} entities.")
if not n_sentences:
    st.info("Nothing to export yet: no sentence is marked done. Choose “All” or review some sentences first.")
    st.stop()
base = f"{project.name}-{mode}"
deferred = "callable" in (st.download_button.__doc__ or "")  # older Streamlit: build the files now
options = (store, mode, fallback, drop_misc)
left, right = st.columns(2)
for column, kind, title, name, mime in (
    (left, "conll", "Download CoNLL (IOB2)", f"{base}.conll", "text/plain"),
    (right, "jsonl", "Download JSONL with provenance", f"{base}.jsonl", "application/json"),
):
    data = partial(streamed, kind, *options)
    column.download_button(
        title, data if deferred else data(), file_name=name, mime=mime, key=f"dl-{kind}", on_click="ignore"
    )  # a rerun would drop the deferred file before the browser fetches it
st.caption(
    "JSONL: one sentence a line with its tokens, spans (which method proposed each, its scores, and the review: accept, fix, add or auto) and the source side."
)

st.subheader("For training and annotation tools")
plain = Sentences(*options)  # read from the store only when a button is pressed
for fmt in EXPORTS.values():
    if fmt.name == "conll":
        continue
    button, where = st.columns([1, 2], vertical_alignment="center")
    file_name = f"{base}{fmt.suffix}" if not fmt.folder else f"{base}.zip"
    title = f"Download {fmt.title}" + (" as .zip" if fmt.folder else "")
    data = partial(export_bytes, fmt.name, plain, base)
    button.download_button(
        title,
        data if deferred else data(),
        file_name=file_name,
        mime="application/zip" if fmt.folder else MIME[fmt.suffix.rsplit(".", 1)[-1]],
        key=f"dl-{fmt.name}",
        width="stretch",
        on_click="ignore",
    )  # a rerun would drop the deferred file before the browser fetches it
    where.caption(fmt.loads)
