"""Review: one sentence at a time, every decision saved the moment it is made."""
from __future__ import annotations

import uuid

import streamlit as st

from core.review.actions import apply_action, neighbour
from ui.common import open_page
from ui.review import ordered_labels, payload, review_view

project = open_page("Review")
store = project.store
ss = st.session_state
ss.setdefault("session_id", uuid.uuid4().hex)
ss.setdefault("ack", 0)
sid_key = f"sid:{project.folder.name}"

st.sidebar.markdown("**Filters**")
labels = store.labels()
f_unreviewed = st.sidebar.checkbox("Unreviewed only", key="f_unreviewed")
f_disagree = st.sidebar.checkbox("Methods disagree", key="f_disagree")
f_low = st.sidebar.checkbox("Low score", key="f_low")
threshold = st.sidebar.slider("…any span scoring below", 0.0, 1.0, 0.6, 0.05, key="f_threshold", disabled=not f_low)
f_label = st.sidebar.selectbox("Label", ["any"] + labels, key="f_label")
f_text = st.sidebar.text_input("Text search (source or target)", key="f_text")
ids = store.filter_ids(
    unreviewed=f_unreviewed, disagree=f_disagree, max_score=threshold if f_low else None,
    label=None if f_label == "any" else f_label, text=f_text.strip() or None,
)

sid = ss.get(sid_key)
if sid is None:
    sid = store.position() or 0
message, conflict, select_item = "", "", None
value = ss.get("review")
if isinstance(value, dict):
    for action in value.get("actions", []):
        if int(action.get("nonce", 0)) <= ss["ack"]:
            continue
        ss["ack"] = int(action["nonce"])
        outcome = apply_action(store, ss["session_id"], action, ids, project.settings.primary_method)
        sid, message, conflict, select_item = outcome.sentence, outcome.message, outcome.conflict, outcome.select_item
if ids and sid not in ids:
    later = [i for i in ids if i >= sid]
    sid = later[0] if later else ids[-1]
if sid != ss.get(sid_key):
    ss[sid_key] = sid
    store.set_position("default", sid)

done, total = store.progress()
st.progress(done / total if total else 0.0, text=f"{done} of {total} sentences done · {len(ids)} match the filters")
if not ids:
    st.info("No sentence matches the filters. Clear a filter in the sidebar to see more.")
    st.stop()

def sentence_payload(sentence_id: int, **extra) -> dict:
    return payload(store.sentence(sentence_id), store.decisions(sentence_id), done=store.state(sentence_id)[0], **extra)


# the neighbours travel along, so next/previous draw at once while Python catches up
neighbours = {}
for step, name in ((+1, "next"), (-1, "prev")):
    other = neighbour(ids, sid, step)
    if other != sid:
        neighbours[name] = sentence_payload(other)
data = sentence_payload(
    sid,
    labels=ordered_labels(labels), ack=ss["ack"], session=ss["session_id"], **neighbours,
    position=ids.index(sid), filtered=len(ids), total=total, message=message, conflict=conflict,
    select_item=select_item, primary=project.settings.primary_method,
)
review_view(data)
if conflict:
    st.warning(conflict + " — the screen shows the newer decision.")
