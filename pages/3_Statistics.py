"""Statistics: progress, decisions per method and label, acceptance rates, time per sentence."""
from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from core.review_stats import acceptance, decision_table
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
judged = [r for r in rows if r["decision"] in ("accept", "fix", "reject")]
rate = sum(r["decision"] == "accept" for r in judged) / len(judged) if judged else None
cols[2].metric("Accepted as projected", "–" if rate is None else f"{100 * rate:.0f}%")
seconds = [s for _, _, s in times if s > 0]
cols[3].metric("Median time per sentence", "–" if not seconds else f"{sorted(seconds)[len(seconds) // 2]:.1f} s")

if not rows:
    st.info("No decisions yet. Review a few sentences and come back.")
    st.stop()
frame = pd.DataFrame(rows)
left, right = st.columns(2)
with left:
    st.subheader("Decisions per method")
    st.altair_chart(alt.Chart(frame).mark_bar().encode(x="count()", y="proposed by:N", color="decision:N"), use_container_width=True)
    st.dataframe(pd.DataFrame(acceptance(rows, "proposed by")), hide_index=True, key="by-method")
with right:
    st.subheader("Decisions per label")
    st.altair_chart(alt.Chart(frame).mark_bar().encode(x="count()", y="label:N", color="decision:N"), use_container_width=True)
    st.dataframe(pd.DataFrame(acceptance(rows, "label")), hide_index=True, key="by-label")
if times:
    st.subheader("Progress over time")
    progress = pd.DataFrame({"time": [dt.datetime.fromtimestamp(t) for _, t, _ in times], "sentences done": range(1, len(times) + 1)})
    st.altair_chart(alt.Chart(progress).mark_line(point=True).encode(x="time:T", y="sentences done:Q"), use_container_width=True)
    if seconds:
        st.subheader("Time per sentence")
        st.altair_chart(alt.Chart(pd.DataFrame({"seconds": seconds})).mark_bar().encode(alt.X("seconds:Q", bin=alt.Bin(maxbins=20)), y="count()"), use_container_width=True)
