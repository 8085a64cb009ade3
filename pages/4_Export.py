"""Export: the cleaned target corpus as CoNLL (IOB2), JSONL with provenance, and the formats
people train with (spaCy, Hugging Face datasets) or annotate in (Label Studio, Prodigy)."""
from __future__ import annotations

from functools import partial

import streamlit as st

from core.formats import EXPORTS, export_bytes
from core.review.export import clean_sentences, to_conll, to_jsonl
from ui.common import open_page

MIME = {"json": "application/json", "jsonl": "application/x-ndjson", "spacy": "application/octet-stream"}

project = open_page("Export")
store = project.store
done, total = store.progress()
st.header("Export the cleaned corpus")
mode = st.radio("Sentences", ["reviewed", "all"], key="export-mode",
                format_func=lambda m: {"reviewed": f"Reviewed only ({done} done)", "all": f"All {total}, unreviewed ones from a method"}[m])
fallback = st.selectbox("Method for spans nobody decided", ["matching", "heuristic"], key="export-method", disabled=mode == "reviewed")
drop_misc = st.checkbox("Drop MISC (map to O)", key="export-drop-misc",  # on for model-made sources, as the command line does
                        value=bool((project.settings.models or {}).get("drop_misc")))
sentences = list(clean_sentences(store, mode, fallback, drop_misc, primary_method=project.settings.primary_method))
n_spans = sum(len(s.spans) for s in sentences)
st.write(f"{len(sentences)} sentences, {n_spans} entities.")
if not sentences:
    st.info("Nothing to export yet: no sentence is marked done. Choose “All” or review some sentences first.")
    st.stop()
base = f"{project.name}-{mode}"
left, right = st.columns(2)
left.download_button("Download CoNLL (IOB2)", to_conll(sentences), file_name=f"{base}.conll", mime="text/plain", key="dl-conll")
right.download_button("Download JSONL with provenance", to_jsonl(sentences), file_name=f"{base}.jsonl", mime="application/json", key="dl-jsonl")
st.caption("JSONL: one sentence a line with its tokens, spans (which method proposed each, its scores, and the review: accept, fix, add or auto) and the source side.")

st.subheader("For training and annotation tools")
plain = [s.sentence() for s in sentences]  # plain data: the files are built only when a button is pressed
deferred = "callable" in (st.download_button.__doc__ or "")  # older Streamlit: build the files now
for fmt in EXPORTS.values():
    if fmt.name == "conll":
        continue
    button, where = st.columns([1, 2], vertical_alignment="center")
    file_name = f"{base}{fmt.suffix}" if not fmt.folder else f"{base}.zip"
    title = f"Download {fmt.title}" + (" as .zip" if fmt.folder else "")
    data = partial(export_bytes, fmt.name, plain, base)
    button.download_button(title, data if deferred else data(), file_name=file_name,
                           mime="application/zip" if fmt.folder else MIME[fmt.suffix.rsplit(".", 1)[-1]], key=f"dl-{fmt.name}", width="stretch",
                           on_click="ignore")  # a rerun would drop the deferred file before the browser fetches it
    where.caption(fmt.loads)
