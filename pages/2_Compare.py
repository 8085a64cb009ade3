"""Compare: where the heuristic and the matching projection differ, with F1 against gold."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core.review.stats import bracketed, method_counts, method_f1
from ui.common import open_page

project = open_page("Compare")
store = project.store
records = list(store.sentences())
counts = method_counts(records)
st.header("Heuristic vs matching")
cand = "NER candidates (spaCy trained on this project)" if project.settings.candidates == "ner" else "n-gram candidates"
st.caption(f"Matching uses {cand}.")
cols = st.columns(5)
cols[0].metric("Sentences", counts.sentences)
cols[1].metric("Methods differ", counts.disagreeing)
cols[2].metric("Spans both propose", counts.both)
cols[3].metric("Heuristic only", counts.heuristic_only)
cols[4].metric("Matching only", counts.matching_only)

scores = method_f1(store, records, project.settings.primary_method)
if scores:
    st.subheader("F1 against target gold")
    table = pd.DataFrame([
        {"method": name, "precision": round(100 * e.overall.precision, 1), "recall": round(100 * e.overall.recall, 1), "F1": round(100 * e.overall.f1, 1), "entities": e.overall.support}
        for name, e in scores.items()
    ])
    st.dataframe(table, hide_index=True, key="f1-table")
    per_label = pd.DataFrame([
        {"method": name, "label": label, "F1": round(100 * s.f1, 1), "support": s.support}
        for name, e in scores.items() for label, s in e.per_label.items()
    ])
    if not per_label.empty:
        st.bar_chart(per_label, x="label", y="F1", color="method", stack=False)
else:
    st.info("This project has no target gold, so there is no F1 to show.")

st.subheader("Sentences where the methods differ")
rows = [
    {"#": r.id + 1,
     "heuristic": bracketed(r.target_tokens, [s for s, _, _ in r.heuristic]),
     "matching": bracketed(r.target_tokens, [s for s, _, _ in r.matching]),
     "source": bracketed(r.source_tokens, r.source_spans)}
    for r in records if r.disagree
]
if rows:
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="diff-table")
    pick = st.selectbox("Review sentence", [row["#"] for row in rows], key="compare-pick")
    if st.button("Open it in Review", key="compare-open"):
        st.session_state[f"sid:{project.folder.name}"] = int(pick) - 1
        st.switch_page("pages/1_Review.py")
else:
    st.success("Both methods agree on every sentence.")
