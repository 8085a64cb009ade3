"""Statistics: progress, decisions per method and label, acceptance rates, time per sentence.

Every number is counted in SQL (cached until the next decision); the charts get counts, bins
and at most a few hundred points, never a row per decision or per sentence."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from core.review.stats import acceptance, acceptance_rate
from ui.common import open_page
from ui.numbers import statistics_numbers

project = open_page("Statistics")
store = project.store
done, total = store.progress()
numbers = statistics_numbers(project)
rows = numbers.decisions
st.header("Statistics")
st.progress(done / total if total else 0.0, text=f"{done} of {total} sentences done")
cols = st.columns(4)
cols[0].metric("Sentences done", done)
cols[1].metric("Span decisions", sum(r["count"] for r in rows))
rate = acceptance_rate(rows)
cols[2].metric("Accepted as projected", "–" if rate is None else f"{100 * rate:.0f}%")
middle = numbers.median_seconds
cols[3].metric("Median time per sentence", "–" if middle is None else f"{middle:.1f} s")

if not rows:
    st.info("No decisions yet. Review a few sentences and come back.")
    st.stop()
frame = pd.DataFrame(rows)
left, right = st.columns(2)
with left:
    st.subheader("Decisions per method")
    st.altair_chart(
        alt.Chart(frame)
        .mark_bar()
        .encode(x=alt.X("sum(count):Q", title="decisions"), y="proposed by:N", color="decision:N"),
        width="stretch",
    )
    st.dataframe(pd.DataFrame(acceptance(rows, "proposed by")), hide_index=True, key="by-method")
with right:
    st.subheader("Decisions per label")
    st.altair_chart(
        alt.Chart(frame).mark_bar().encode(x=alt.X("sum(count):Q", title="decisions"), y="label:N", color="decision:N"),
        width="stretch",
    )
    st.dataframe(pd.DataFrame(acceptance(rows, "label")), hide_index=True, key="by-label")
if numbers.curve:
    st.subheader("Progress over time")
    progress = pd.DataFrame(
        {
            "time": [dt.datetime.fromtimestamp(t) for t, _ in numbers.curve],
            "sentences done": [k for _, k in numbers.curve],
        }
    )
    st.altair_chart(
        alt.Chart(progress).mark_line(point=len(progress) <= 50).encode(x="time:T", y="sentences done:Q"),
        width="stretch",
    )
    if numbers.seconds_bins:
        st.subheader("Time per sentence")
        bins = pd.DataFrame(numbers.seconds_bins)
        st.altair_chart(
            alt.Chart(bins)
            .mark_bar()
            .encode(
                alt.X("from:Q", bin="binned", title="seconds"),
                alt.X2("to:Q"),
                y=alt.Y("sentences:Q", title="sentences"),
            ),
            width="stretch",
        )
