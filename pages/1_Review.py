"""Review: one sentence at a time, every decision saved the moment it is made.

The component sends its queue of numbered actions (``{"client": tab id, "actions": [...]}``);
each action is checked and applied once (the store remembers action ids), and the screen is
drawn with ``ack``, the number of the last action handled, so the tab knows what is saved.

Team review: each reviewer's decisions and done marks are their own. With an assignment (Team
page) a reviewer walks their own queue and the filters apply within it; a lead can switch to
"Adjudicate disagreements": the overlap sentences whose reviewers differ, each reviewer's spans
as a band, and the lead's decisions there stored as the adjudication.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from dataclasses import replace

import streamlit as st

from core.review.actions import SESSION_PATTERN, apply_action, neighbour
from core.review.model import LOCAL_OWNER, Filters, adjudication_owner, is_adjudication, owner_of
from core.review.store import FilteredIds
from core.review.team import team_disagreements
from ui.auth import current_reviewer
from ui.common import open_page, plain, sidebar_project
from ui.review import ordered_labels, payload, review_view
from ui.team import is_lead

MAX_ACTIONS_PER_RUN = 200  # the rest of a long queue is handled on the next run
MAX_CLIENTS = 20  # acknowledgements kept per browser session (a tab reloading its frame)
DISAGREEMENTS_TTL = 30.0  # seconds the adjudication list is reused

project = open_page("Review", sidebar=False)
store = project.store
ss = st.session_state
ss.setdefault("session_id", uuid.uuid4().hex)
ss.setdefault("acks", {})
sid_key = f"sid:{project.folder.name}"
project_box = st.sidebar.container()  # filled after the actions are applied, so its count is current
reviewer = current_reviewer()
owner = owner_of(reviewer)
if is_adjudication(owner):  # such a name would pass a review off as an adjudication
    st.error(plain(f"The reviewer name {reviewer!r} is reserved for adjudications; sign in under another name."))
    st.stop()
assignment = store.assignment()
lead = is_lead(reviewer)
adjudicating = lead and st.sidebar.toggle(
    "Adjudicate disagreements",
    key="f_adjudicate",
    help="Overlap sentences where reviewers kept different spans; your decisions "
    "there are the adjudication the export uses.",
)
disagreeing = {}
if adjudicating:
    # the list costs about 0.5 s on 10,000 sentences (1,000 overlap, three reviewers): worked out
    # again every 30 s, not on every key press
    cached = ss.get("disagreements")
    if not cached or cached[0] != project.folder.name or time.monotonic() - cached[1] > DISAGREEMENTS_TTL:
        cached = (project.folder.name, time.monotonic(), {d.sentence_id: d for d in team_disagreements(store)})
        ss["disagreements"] = cached
    disagreeing = cached[2]
    owner = adjudication_owner(reviewer)
queue = None
if adjudicating:
    queue = set(disagreeing)
elif assignment is not None and owner in assignment.queues:
    queue = set(assignment.queues[owner])
elif assignment is not None and not lead:
    sidebar_project(project, project_box)
    st.info(
        plain(
            f"No sentences of this project are assigned to you ({reviewer}). Ask the lead to add you on the Team page."
        )
    )
    st.stop()

st.sidebar.markdown("**Filters**" + (" (within your queue)" if queue is not None and not adjudicating else ""))
labels = store.labels()
f_unreviewed = st.sidebar.checkbox("Unreviewed only", key="f_unreviewed")
f_disagree = st.sidebar.checkbox("Methods disagree", key="f_disagree")
f_low = st.sidebar.checkbox("Low score", key="f_low")
threshold = st.sidebar.slider("…any span scoring below", 0.0, 1.0, 0.6, 0.05, key="f_threshold", disabled=not f_low)
f_label = st.sidebar.selectbox("Label", ["any"] + labels, key="f_label")
f_text = st.sidebar.text_input("Text search (source or target)", key="f_text")
filters = Filters(
    unreviewed=f_unreviewed,
    disagree=f_disagree,
    max_score=threshold if f_low else None,
    label=None if f_label == "any" else f_label,
    text=f_text.strip() or None,
)
if queue is None and (owner == LOCAL_OWNER or not f_unreviewed):
    # the filtered ids stay in the database: next/previous, the count and the position are queries
    ids = FilteredIds(store, filters)
else:  # a reviewer's own queue, or unreviewed by this reviewer (team review): a list
    in_queue = set(queue) if queue is not None else None
    ids = [i for i in FilteredIds(store, replace(filters, unreviewed=False)) if in_queue is None or i in in_queue]
    if f_unreviewed:  # unreviewed by this reviewer (or not yet adjudicated)
        mine = store.done_ids(owner)
        ids = [i for i in ids if i not in mine]
place = "default" if owner == LOCAL_OWNER else owner  # where this reviewer was (one place per reviewer)
sid_key = f"{sid_key}:{owner}" if owner != LOCAL_OWNER else sid_key

sid = ss.get(sid_key)
if sid is None:
    sid = store.position(place) or 0
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
fresh = [
    a
    for a in actions
    if isinstance(a, dict)
    and isinstance(a.get("nonce"), int)
    and not isinstance(a.get("nonce"), bool)
    and a["nonce"] > ack
]  # the rest: handled before (a resend)
more = len(fresh) > MAX_ACTIONS_PER_RUN  # the tab sends the rest at once


def shown(sid: int) -> int:
    """The sentence to show: ``sid``, or the nearest one that passes the filters."""
    if isinstance(ids, FilteredIds):
        return ids.nearest(sid)
    if not ids or sid in ids:
        return sid
    later = [i for i in ids if i >= sid]
    return later[0] if later else ids[-1]


if fresh:
    # the actions sent together are one transaction: one fsync, and "saved" once it commits
    handled, outcomes = ack, []
    try:
        with store.batch():
            for action in fresh[:MAX_ACTIONS_PER_RUN]:
                outcomes.append(
                    apply_action(
                        store,
                        client,
                        {**action, "session": client},
                        ids,
                        project.settings.primary_method,
                        reviewer=reviewer,
                        owner=owner,
                    )
                )
                handled = action["nonce"]
            new_sid = shown(outcomes[-1].sentence)
            if new_sid != ss.get(sid_key):
                store.set_position(place, new_sid)
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
        store.set_position(place, sid)
ss[sid_key] = sid
acks.pop(client, None)
acks[client] = ack
while len(acks) > MAX_CLIENTS:
    acks.pop(next(iter(acks)))

sidebar_project(project, project_box)
if queue is not None:
    mine = store.done_ids(owner)
    done, total = len(queue & mine), len(queue)
    what = "disagreements adjudicated" if adjudicating else "sentences of your queue done"
    st.progress(done / total if total else 0.0, text=f"{done} of {total} {what} · {len(ids)} match the filters")
else:
    done, total = store.progress()
    st.progress(done / total if total else 0.0, text=f"{done} of {total} sentences done · {len(ids)} match the filters")
if not ids:
    st.info(
        "No sentence where reviewers disagree (among the overlap sentences two or more reviewers marked done)."
        if adjudicating and not disagreeing
        else "No sentence matches the filters. Clear a filter in the sidebar to see more."
    )
    st.stop()


def bands(sentence_id: int) -> list[dict]:
    found = disagreeing.get(sentence_id)
    if found is None:
        return []
    return [{"name": name, "spans": [[s.start, s.end, s.label] for s in spans]} for name, spans in found.spans.items()]


def sentence_payload(sentence_id: int, **extra) -> dict:
    more = {"bands": bands(sentence_id), "mode": "adjudicating"} if adjudicating else {}
    return payload(
        store.sentence(sentence_id),
        store.decisions(sentence_id, owner),
        done=store.state(sentence_id, owner)[0],
        **more,
        **extra,
    )


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
    labels=ordered_labels(labels),
    ack=ack,
    more=more,
    client=client,
    session=client,
    **neighbours,
    position=ids.index(sid),
    filtered=len(ids),
    total=store.count(),
    message=message,
    conflict=conflict,
    select_item=select_item,
    primary=project.settings.primary_method,
)
review_view(data)
if conflict:
    st.warning(conflict + (" — the screen shows the newer decision." if "another tab" in conflict else ""))
