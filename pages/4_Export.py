"""Export: the cleaned target corpus as CoNLL (IOB2) and as JSONL with provenance."""
from __future__ import annotations

import streamlit as st

from core.export import clean_sentences, to_conll, to_jsonl
from ui.common import open_page

project = open_page("Export")
store = project.store
done, total = store.progress()
st.header("Export the cleaned corpus")
mode = st.radio("Sentences", ["reviewed", "all"], key="export-mode",
                format_func=lambda m: {"reviewed": f"Reviewed only ({done} done)", "all": f"All {total}, unreviewed ones from a method"}[m])
fallback = st.selectbox("Method for spans nobody decided", ["matching", "heuristic"], key="export-method", disabled=mode == "reviewed")
drop_misc = st.checkbox("Drop MISC (map to O)", key="export-drop-misc",  # on for model-made sources, as the command line does
                        value=bool((project.settings.models or {}).get("drop_misc")))
sentences = list(clean_sentences(store, mode, fallback, drop_misc))
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
