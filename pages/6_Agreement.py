"""Agreement: how far the reviewers agree on the overlap sentences, with each other and with the
two projection methods, and what each reviewer did."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from core.review.agreement import ALL_LABELS, agreement_frame
from core.review.team import METHODS, overlap_reviews, reviewer_statistics, reviewers, team_agreement
from ui.common import open_page

project = open_page("Agreement")
store = project.store
st.header("Agreement")
reviews = overlap_reviews(store)
names = [n for n in reviewers(store) if any(n in r.spans for r in reviews)]
rows = team_agreement(store, reviews)
fleiss = next((r for r in rows if r.measure == "fleiss_kappa"), None)
cols = st.columns(4)
cols[0].metric("Overlap sentences compared", len(reviews))
cols[1].metric("Reviewers on the overlap", len(names))
cols[2].metric("Fleiss' κ (token labels)", "–" if fleiss is None or fleiss.value is None else f"{fleiss.value:.3f}")
pairs = [
    r for r in rows if r.label == ALL_LABELS and r.measure == "f1_exact" and r.first in names and r.second in names
]
mean_f1 = [r.value for r in pairs if r.value is not None]
cols[3].metric("Mean pairwise span F1", "–" if not mean_f1 else f"{sum(mean_f1) / len(mean_f1):.3f}")
st.caption(
    "Only sentences two or more reviewers marked done count (with an assignment: its overlap). Span F1 is "
    "exact (same start, end and label) or partial (overlapping, same label); κ compares each token's label (O included)."
)

if not reviews:
    st.info("No overlap sentence has been reviewed by two reviewers yet.")
else:
    frame = agreement_frame(rows)
    overall = frame[(frame.label == ALL_LABELS) & (frame.second != "")]
    wide = overall.pivot_table(
        index=["first", "second"], columns="measure", values="value", aggfunc="first"
    ).reset_index()
    wide = wide.merge(overall[overall.measure == "f1_exact"][["first", "second", "sentences"]], on=["first", "second"])
    order = [*names, *METHODS]
    heat = pd.concat(
        [
            overall[overall.measure == "f1_exact"],
            overall[overall.measure == "f1_exact"].rename(columns={"first": "second", "second": "first"}),
        ]
    )
    left, right = st.columns([1, 1], gap="large")
    number = st.column_config.NumberColumn(format="%.3f")
    with left:
        st.subheader("Pairwise span F1 (exact)")
        base = alt.Chart(heat).encode(
            x=alt.X("first:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("second:N", sort=order, title=None),
        )
        chart = base.mark_rect(stroke="white", strokeWidth=2).encode(
            color=alt.Color("value:Q", scale=alt.Scale(domain=[0, 1], scheme="blues"), title="F1"),
            tooltip=["first", "second", alt.Tooltip("value:Q", format=".3f"), "sentences", "support"],
        )
        text = base.mark_text(fontSize=14).encode(
            text=alt.Text("value:Q", format=".2f"),
            color=alt.condition("datum.value > 0.6", alt.value("white"), alt.value("#1f2937")),
        )
        st.altair_chart((chart + text).properties(height=60 * len(order) + 20), width="stretch")
    with right:
        st.subheader("Each pair")
        shown = wide.rename(columns={"f1_exact": "F1 exact", "f1_partial": "F1 partial", "cohen_kappa": "Cohen's κ"})
        st.dataframe(
            shown[["first", "second", "F1 exact", "F1 partial", "Cohen's κ", "sentences"]],
            hide_index=True,
            key="agreement-pairs",
            width="stretch",
            column_config={"F1 exact": number, "F1 partial": number, "Cohen's κ": number},
        )
    st.subheader("Span F1 per label")
    labels = frame[(frame.label != ALL_LABELS) & frame.measure.str.startswith("f1")]
    per_label = (
        labels.pivot_table(index=["first", "second", "label"], columns="measure", values="value", aggfunc="first")
        .reset_index()
        .rename(columns={"f1_exact": "F1 exact", "f1_partial": "F1 partial"})
    )
    st.dataframe(
        per_label, hide_index=True, key="agreement-labels", column_config={"F1 exact": number, "F1 partial": number}
    )
    st.download_button(
        "Download the agreement table (CSV)",
        frame.to_csv(index=False),
        file_name=f"{project.name}-agreement.csv",
        mime="text/csv",
        key="dl-agreement",
        on_click="ignore",
    )

st.subheader("Each reviewer")
stats = reviewer_statistics(store)
if not stats:
    st.info("No decisions yet.")
    st.stop()
st.dataframe(
    pd.DataFrame(
        [
            {
                "reviewer": s.reviewer,
                "sentences done": s.sentences,
                "span decisions": s.decisions,
                "accepted as projected": None if s.acceptance_rate is None else round(s.acceptance_rate, 3),
                "median s per sentence": None if s.median_seconds is None else round(s.median_seconds, 1),
            }
            for s in stats
        ]
    ),
    hide_index=True,
    key="reviewer-stats",
)
by_method, by_label = st.columns(2)
by_method.caption("Acceptance per method")
by_method.dataframe(
    pd.DataFrame([{"reviewer": s.reviewer, **row} for s in stats for row in s.by_method]),
    hide_index=True,
    key="reviewer-methods",
)
by_label.caption("Acceptance per label")
by_label.dataframe(
    pd.DataFrame([{"reviewer": s.reviewer, **row} for s in stats for row in s.by_label]),
    hide_index=True,
    key="reviewer-labels",
)
