"""What one reviewer action (a key press or a click on the Review screen) does to the store,
independent of the user interface, so it can be tested and reused."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from core.datamodel import Span
from core.review.store import Conflict, ReviewStore

DECISION_ACTIONS = ("accept", "reject", "fix", "edit_added", "undecided")


@dataclass(frozen=True)
class Outcome:
    """``sentence``: the sentence to show next; ``message``: what happened, for the status
    line; ``conflict``: set when another tab got there first (nothing was written)."""

    sentence: int
    message: str = ""
    conflict: str = ""
    select_item: str | None = None


def neighbour(ids: Sequence[int], current: int, step: int) -> int:
    """The next (step=+1) or previous (-1) id in ``ids`` from ``current`` (which may have
    left the filtered list); stays put at either end."""
    if not ids:
        return current
    if step > 0:
        later = [i for i in ids if i > current]
        return later[0] if later else current
    earlier = [i for i in ids if i < current]
    return earlier[-1] if earlier else current


def apply_action(
    store: ReviewStore,
    session: str,
    action: dict,
    ids: Sequence[int],
    primary_method: str = "matching",
) -> Outcome:
    """Apply ``action`` (a dict with ``type``, ``sid`` and the fields its type needs)."""
    kind = action.get("type")
    sid = int(action["sid"])
    try:
        if kind in ("accept", "reject", "fix", "edit_added"):
            span = Span(*action["span"]) if action.get("span") else None
            decision = "add" if kind == "edit_added" else kind
            store.decide(sid, action["item"], decision, span, int(action.get("version", 0)), session)
            return Outcome(sid, f"{decision} saved")
        if kind == "add":
            decision = store.add_span(sid, Span(*action["span"]), session)
            return Outcome(sid, "added span saved", select_item=decision.item)
        if kind == "undo":
            touched = store.undo(session)
            if touched is None:
                return Outcome(sid, "nothing to undo")
            return Outcome(touched, "undone")
        if kind == "done":
            settled = store.set_done(sid, session, float(action.get("seconds", 0.0)), primary_method)
            return Outcome(neighbour(ids, sid, +1), f"sentence {sid + 1} done ({settled} span(s) settled)")
        if kind == "next":
            return Outcome(neighbour(ids, sid, +1))
        if kind == "prev":
            return Outcome(neighbour(ids, sid, -1))
        if kind == "goto":
            return Outcome(int(action["to"]))
    except Conflict as err:  # keep the span selected, so the reviewer sees the newer decision
        return Outcome(sid, conflict=str(err), select_item=action.get("item"))
    except ValueError as err:
        return Outcome(sid, conflict=f"not saved: {err}")
    return Outcome(sid)
