"""Team: split the project among reviewers (leads only), with an overlap sample every reviewer
gets; agreement is measured on that overlap (Agreement page)."""

from __future__ import annotations

import os
import time

import pandas as pd
import streamlit as st

from core.review.assignment import STRATEGIES, AssignmentError, assign
from core.review.model import ADJUDICATION, owner_of
from ui.auth import ENV_USERS, AuthError, auth_mode, current_reviewer, read_users
from ui.common import open_page, plain, show_error
from ui.team import ENV_LEADS, is_lead

project = open_page("Team")
store = project.store
user = current_reviewer()
st.header("Team")
if st.session_state.get("team-message"):
    st.success(plain(st.session_state.pop("team-message")))
assignment = store.assignment()
settings = store.meta("assignment") or {}

if assignment is None:
    st.info("No assignment: every reviewer sees every sentence. A lead can split the project below.")
else:
    done = {name: store.done_ids(name) for name in assignment.queues}
    overlap = set(assignment.overlap)
    st.write(
        plain(
            f"Assigned by {settings.get('lead', '?')}: {len(assignment.overlap)} overlap sentences every reviewer "
            f"gets ({settings.get('strategy', '?')} split)."
        )
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "reviewer": name,
                    "sentences": len(queue),
                    "overlap": len(overlap & set(queue)),
                    "done": len(done[name] & set(queue)),
                    "share done": round(len(done[name] & set(queue)) / len(queue), 3) if queue else None,
                }
                for name, queue in assignment.queues.items()
            ]
        ),
        hide_index=True,
        key="team-queues",
    )

if not is_lead(user):
    st.caption(f"Only a lead can change the assignment (the operator names leads in {ENV_LEADS}).")
    st.stop()

st.subheader("Assign")
known: list[str] = []
if auth_mode() == "password":
    try:
        known = sorted(read_users(os.environ[ENV_USERS]))
    except AuthError:
        known = []
default = "\n".join(settings.get("reviewers") or known)
with st.form("assign"):
    names_text = st.text_area(
        "Reviewers, one a line",
        value=default,
        height=120,
        max_chars=5_000,
        key="team-reviewers",
        help="The names they sign in with.",
    )
    left, middle, right = st.columns(3)
    strategy = left.radio(
        "Split",
        STRATEGIES,
        key="team-strategy",
        format_func={"contiguous": "ranges of the corpus", "random": "random"}.get,
    )
    share = middle.slider("Overlap every reviewer gets (%)", 0, 50, 10, 1, key="team-overlap")
    seed = right.number_input("Random seed", 0, 2**31 - 1, 0, key="team-seed")
    submitted = st.form_submit_button("Assign", type="primary")
if submitted:
    names = [line.strip() for line in names_text.replace(",", "\n").splitlines() if line.strip()]
    try:
        for name in names:
            if len(name) > 128 or not name.isprintable():
                raise AssignmentError(
                    f"{name[:40]!r} is not a reviewer name: one line of at most 128 characters, as they sign in"
                )
            if name.startswith(ADJUDICATION):
                raise AssignmentError(
                    f"{name!r} is not a reviewer name (names starting with {ADJUDICATION!r} are reserved)"
                )
        made = assign(
            range(store.count()), [owner_of(n) for n in names], overlap=share / 100, strategy=strategy, seed=int(seed)
        )
    except AssignmentError as err:
        show_error("Not assigned: ", err)
    else:
        store.set_assignment(
            made,
            {"lead": user, "strategy": strategy, "overlap": share / 100, "seed": int(seed), "assigned_at": time.time()},
        )
        st.session_state["team-message"] = (
            f"Assigned {store.count()} sentences to {len(made.queues)} reviewers, "
            f"{len(made.overlap)} of them to everyone."
        )
        st.rerun()
if assignment is not None and st.button("Remove the assignment (everyone sees everything)", key="team-clear"):
    store.clear_assignment()
    st.rerun()
st.caption("Reassigning keeps every decision; a reviewer's queue changes, their done sentences stay done.")
