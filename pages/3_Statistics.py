"""Statistics: progress, decisions per method and label, acceptance rates, time per sentence."""
from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from core.review.stats import (
    acceptance,
    acceptance_rate,
    decision_table,
    median,
    seconds_per_sentence,
)
from ui.common import open_page

project = open_page("Statistics")
store = project.store
done, total = store.progress()
st.header("Statistics")
st.progress(done / total if total else 0.0, text=f"{done} of {total} sentences done")
rows = decision_table(store)
times = store.done_times()
cols = st.columns(4)
cols[0].metric("Sentences done", done)
cols[1].metric("Span decisions", len(rows))
rate = acceptance_rate(rows)
cols[2].metric("Accepted as projected", "–" if rate is None else f"{100 * rate:.0f}%")
seconds = seconds_per_sentence(times)
middle = median(seconds)
cols[3].metric("Median time per sentence", "–" if middle is None else f"{middle:.1f} s")

if not rows:
    st.info("No decisions yet. Review a few sentences and come back.")
    st.stop()
frame = pd.DataFrame(rows)
left, right = st.columns(2)
with left:
    st.subheader("Decisions per method")
    st.altair_chart(alt.Chart(frame).mark_bar().encode(x="count()", y="proposed by:N", color="decision:N"), width="stretch")
    st.dataframe(pd.DataFrame(acceptance(rows, "proposed by")), hide_index=True, key="by-method")
with right:
    st.subheader("Decisions per label")
    st.altair_chart(alt.Chart(frame).mark_bar().encode(x="count()", y="label:N", color="decision:N"), width="stretch")
    st.dataframe(pd.DataFrame(acceptance(rows, "label")), hide_index=True, key="by-label")
if times:
    st.subheader("Progress over time")
    progress = pd.DataFrame({"time": [dt.datetime.fromtimestamp(t) for _, t, _ in times], "sentences done": range(1, len(times) + 1)})
    st.altair_chart(alt.Chart(progress).mark_line(point=True).encode(x="time:T", y="sentences done:Q"), width="stretch")
    if seconds:
        st.subheader("Time per sentence")
        st.altair_chart(alt.Chart(pd.DataFrame({"seconds": seconds})).mark_bar().encode(alt.X("seconds:Q", bin=alt.Bin(maxbins=20)), y="count()"), width="stretch")
