"""Review: one sentence at a time, every decision saved the moment it is made.

The component sends its queue of numbered actions (``{"client": tab id, "actions": [...]}``);
each action is checked and applied once (the store remembers action ids), and the screen is
drawn with ``ack``, the number of the last action handled, so the tab knows what is saved.
"""
from __future__ import annotations

import sqlite3
import uuid

import streamlit as st

from core.review.actions import SESSION_PATTERN, apply_action, neighbour
from core.review.store import FilteredIds, Filters
from ui.auth import current_reviewer
from ui.common import open_page, sidebar_project
from ui.review import ordered_labels, payload, review_view

MAX_ACTIONS_PER_RUN = 200  # the rest of a long queue is handled on the next run
MAX_CLIENTS = 20           # acknowledgements kept per browser session (a tab reloading its frame)

project = open_page("Review", sidebar=False)
store = project.store
ss = st.session_state
ss.setdefault("session_id", uuid.uuid4().hex)
ss.setdefault("acks", {})
sid_key = f"sid:{project.folder.name}"
project_box = st.sidebar.container()  # filled after the actions are applied, so its count is current

st.sidebar.markdown("**Filters**")
labels = store.labels()
f_unreviewed = st.sidebar.checkbox("Unreviewed only", key="f_unreviewed")
f_disagree = st.sidebar.checkbox("Methods disagree", key="f_disagree")
f_low = st.sidebar.checkbox("Low score", key="f_low")
threshold = st.sidebar.slider("…any span scoring below", 0.0, 1.0, 0.6, 0.05, key="f_threshold", disabled=not f_low)
f_label = st.sidebar.selectbox("Label", ["any"] + labels, key="f_label")
f_text = st.sidebar.text_input("Text search (source or target)", key="f_text")
# the filtered ids stay in the database: next/previous, the count and the position are queries
ids = FilteredIds(store, Filters(
    unreviewed=f_unreviewed, disagree=f_disagree, max_score=threshold if f_low else None,
    label=None if f_label == "any" else f_label, text=f_text.strip() or None,
))

sid = ss.get(sid_key)
if sid is None:
    sid = store.position() or 0
message, conflict, select_item = "", "", None
value = ss.get("review")
client = ss["session_id"]
actions = []
if isinstance(value, dict):
    if isinstance(value.get("client"), str) and SESSION_PATTERN.fullmatch(value["client"]):
        client = value["client"]
    if isinstance(value.get("actions"), list):
        actions = value["actions"]
acks: dict = ss["acks"]
ack = acks.get(client, 0)
fresh = [a for a in actions if isinstance(a, dict) and isinstance(a.get("nonce"), int)
         and not isinstance(a.get("nonce"), bool) and a["nonce"] > ack]  # the rest: handled before (a resend)
more = len(fresh) > MAX_ACTIONS_PER_RUN  # the tab sends the rest at once


def shown(sid: int) -> int:
    """The sentence to show: ``sid``, or the nearest one that passes the filters."""
    return ids.nearest(sid)


if fresh:
    # the actions sent together are one transaction: one fsync, and "saved" once it commits
    handled, outcomes = ack, []
    try:
        with store.batch():
            for action in fresh[:MAX_ACTIONS_PER_RUN]:
                outcomes.append(apply_action(store, client, {**action, "session": client}, ids,
                                             project.settings.primary_method, reviewer=current_reviewer()))
                handled = action["nonce"]
            new_sid = shown(outcomes[-1].sentence)
            if new_sid != ss.get(sid_key):
                store.set_position("default", new_sid)
        sid, ack = new_sid, handled
        message = outcomes[-1].message
        conflict = next((o.conflict for o in reversed(outcomes) if o.conflict), "")
        select_item = next((o.select_item for o in reversed(outcomes) if o.select_item), None)
    except sqlite3.OperationalError:  # the database stayed locked: nothing saved, the tab sends it again
        more = True
        conflict = "not saved yet: the database is busy; the actions are sent again"
        sid = shown(sid)
else:
    sid = shown(sid)
    if sid != ss.get(sid_key):
        store.set_position("default", sid)
ss[sid_key] = sid
acks.pop(client, None)
acks[client] = ack
while len(acks) > MAX_CLIENTS:
    acks.pop(next(iter(acks)))

sidebar_project(project, project_box)
done, total = store.progress()
st.progress(done / total if total else 0.0, text=f"{done} of {total} sentences done · {len(ids)} match the filters")
if not ids:
    st.info("No sentence matches the filters. Clear a filter in the sidebar to see more.")
    st.stop()


def sentence_payload(sentence_id: int, **extra) -> dict:
    return payload(store.sentence(sentence_id), store.decisions(sentence_id), done=store.state(sentence_id)[0], **extra)


# the neighbours travel along, so next/previous draw at once while Python catches up; the next
# one brings its own next, so two quick Enters in a row both draw at once
neighbours = {}
for step, name in ((+1, "next"), (-1, "prev")):
    other = neighbour(ids, sid, step)
    if other != sid:
        neighbours[name] = sentence_payload(other)
        after = neighbour(ids, other, step)
        if step > 0 and after != other:
            neighbours[name]["next"] = sentence_payload(after)
data = sentence_payload(
    sid,
    labels=ordered_labels(labels), ack=ack, more=more, client=client, session=client, **neighbours,
    position=store.filtered_count(ids.filters, before=sid), filtered=len(ids), total=total, message=message, conflict=conflict,
    select_item=select_item, primary=project.settings.primary_method,
)
review_view(data)
if conflict:
    st.warning(conflict + (" — the screen shows the newer decision." if "another tab" in conflict else ""))
