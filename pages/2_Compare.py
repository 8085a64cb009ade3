"""Compare: where the heuristic and the matching projection differ, with F1 against gold.

The counts and F1 come from the store's SQL aggregates (cached until the next decision); the
differing sentences are shown a page at a time, so the page opens as fast on 100,000 sentences
as on 100."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from core.review.stats import bracketed
from ui.common import open_page
from ui.numbers import compare_numbers

PAGE_SIZE = 50

project = open_page("Compare")
store = project.store
numbers = compare_numbers(project)
counts = numbers.counts
st.header("Heuristic vs matching")
cand = "NER candidates (spaCy trained on this project)" if project.settings.candidates == "ner" else "n-gram candidates"
st.caption(f"Matching uses {cand}.")
cols = st.columns(5)
cols[0].metric("Sentences", counts.sentences)
cols[1].metric("Methods differ", counts.disagreeing)
cols[2].metric("Spans both propose", counts.both)
cols[3].metric("Heuristic only", counts.heuristic_only)
cols[4].metric("Matching only", counts.matching_only)

scores = numbers.f1
if scores:
    st.subheader("F1 against target gold")
    table = pd.DataFrame(
        [
            {
                "method": name,
                "precision": round(100 * e.overall.precision, 1),
                "recall": round(100 * e.overall.recall, 1),
                "F1": round(100 * e.overall.f1, 1),
                "entities": e.overall.support,
            }
            for name, e in scores.items()
        ]
    )
    st.dataframe(table, hide_index=True, key="f1-table")
    per_label = pd.DataFrame(
        [
            {"method": name, "label": label, "F1": round(100 * s.f1, 1), "support": s.support}
            for name, e in scores.items()
            for label, s in e.per_label.items()
        ]
    )
    if not per_label.empty:
        st.bar_chart(per_label, x="label", y="F1", color="method", stack=False)
else:
    st.info("This project has no target gold, so there is no F1 to show.")

st.subheader("Sentences where the methods differ")
if counts.disagreeing:
    pages = math.ceil(counts.disagreeing / PAGE_SIZE)
    page = 1
    if pages > 1:
        page = int(
            st.number_input(f"Page (of {pages})", min_value=1, max_value=pages, value=1, step=1, key="compare-page")
        )
    first = (page - 1) * PAGE_SIZE
    records = store.disagreeing(first, PAGE_SIZE)
    st.caption(f"Sentences {first + 1}–{first + len(records)} of the {counts.disagreeing} where the methods differ.")
    rows = [
        {
            "#": r.id + 1,
            "heuristic": bracketed(r.target_tokens, [s for s, _, _ in r.heuristic]),
            "matching": bracketed(r.target_tokens, [s for s, _, _ in r.matching]),
            "source": bracketed(r.source_tokens, r.source_spans),
        }
        for r in records
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="diff-table")
    pick = st.selectbox("Review sentence", [row["#"] for row in rows], key=f"compare-pick-{page}")
    if st.button("Open it in Review", key="compare-open"):
        st.session_state[f"sid:{project.folder.name}"] = int(pick) - 1
        st.switch_page("pages/1_Review.py")
else:
    st.success("Both methods agree on every sentence.")
