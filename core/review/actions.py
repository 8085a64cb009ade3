"""What one reviewer action (a key press or a click on the Review screen) does to the store,
independent of the user interface, so it can be tested and reused.

Nothing the browser sends is trusted: :func:`parse_action` checks an action's shape (type from a
fixed list, integers that are integers, bounded strings and sizes) and :func:`check_action` checks
it against the sentence it names (the item exists there, the span fits the target tokens, the
label is the project's). Both are pure functions; a refused action is reported on screen and
nothing is stored.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import overload

from core.datamodel import Span
from core.review.model import MAX_SECONDS, Decision, SentenceRecord, owner_of
from core.review.store import Conflict, Refused, ReviewStore

DECISION_TYPES = ("accept", "reject", "fix", "edit_added")
STATEFUL_TYPES = DECISION_TYPES + ("add", "undo", "done")
NAVIGATION_TYPES = ("next", "prev", "goto")
ACTION_TYPES = STATEFUL_TYPES + NAVIGATION_TYPES
MAX_ACTION_CHARS = 2_000  # one action as JSON
MAX_ITEM_CHARS = 80
MAX_VERSION = 2**31
MAX_NONCE = 2**53  # a JavaScript number stays exact below this
SESSION_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
ITEM_PATTERN = re.compile(r"(\d+:\d+:[^\s]{1,40}|add:[0-9a-f]{1,32}(@\d{1,6})?)")


class ActionRefused(ValueError):
    """An action the server does not apply; the message says why, for the status line."""


@dataclass(frozen=True)
class Action:
    """One checked action. ``session`` is the tab that sent it; ``nonce`` its number there
    (together the action id that makes re-sending it harmless); ``source`` is the source
    entity an added span stands for."""

    type: str
    sid: int
    session: str | None = None
    nonce: int | None = None
    item: str | None = None
    span: Span | None = None
    version: int = 0
    seconds: float = 0.0
    to: int | None = None
    source: int | None = None

    @property
    def action_id(self) -> str | None:
        if self.session is None or self.nonce is None:
            return None
        return f"{self.session}:{self.nonce}"


@dataclass(frozen=True)
class Outcome:
    """``sentence``: the sentence to show next; ``message``: what happened, for the status
    line; ``conflict``: set when the action was refused (nothing was written)."""

    sentence: int
    message: str = ""
    conflict: str = ""
    select_item: str | None = None


def neighbour(ids: Sequence[int], current: int, step: int) -> int:
    """The next (step=+1) or previous (-1) id in ``ids`` from ``current`` (which may have
    left the filtered list); stays put at either end. ``ids`` may be a
    :class:`core.review.store.FilteredIds`, which asks the database."""
    if hasattr(ids, "neighbour"):
        return ids.neighbour(current, step)
    if not ids:
        return current
    if step > 0:
        later = [i for i in ids if i > current]
        return later[0] if later else current
    earlier = [i for i in ids if i < current]
    return earlier[-1] if earlier else current


@overload
def _int(raw: Mapping, key: str, low: int, high: int, what: str, default: int) -> int: ...
@overload
def _int(raw: Mapping, key: str, low: int, high: int, what: str, default: None = None) -> int | None: ...
def _int(raw: Mapping, key: str, low: int, high: int, what: str, default: int | None = None) -> int | None:
    value = raw.get(key, default)
    if value is None and default is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ActionRefused(f"{what} must be a whole number from {low} to {high}")
    return value


def parse_action(raw: object, n_sentences: int, default_session: str | None = None) -> Action:
    """Check an action's shape and bounds (not yet against its sentence)."""
    if not isinstance(raw, Mapping):
        raise ActionRefused("an action must be an object")
    try:
        size = len(json.dumps(raw))
    except (TypeError, ValueError):
        raise ActionRefused("an action must be plain JSON") from None
    if size > MAX_ACTION_CHARS:
        raise ActionRefused(f"an action may be at most {MAX_ACTION_CHARS} characters")
    kind = raw.get("type")
    if kind not in ACTION_TYPES:
        raise ActionRefused(f"unknown action {str(kind)[:20]!r}")
    if n_sentences < 1:
        raise ActionRefused("the project has no sentences")
    sid = _int(raw, "sid", 0, n_sentences - 1, "the sentence number")
    if sid is None:
        raise ActionRefused("an action needs a sentence number")
    session = raw.get("session", default_session)
    if session is not None and not (isinstance(session, str) and SESSION_PATTERN.fullmatch(session)):
        raise ActionRefused("the tab id must be 1 to 64 letters, digits, '-' or '_'")
    nonce = _int(raw, "nonce", 1, MAX_NONCE, "the action number")
    action = Action(kind, sid, session, nonce)
    if kind in DECISION_TYPES:
        item = raw.get("item")
        if not (isinstance(item, str) and len(item) <= MAX_ITEM_CHARS and ITEM_PATTERN.fullmatch(item)):
            raise ActionRefused("the span's id is not one this screen sends")
        action = replace(action, item=item, version=_int(raw, "version", 0, MAX_VERSION, "the version", default=0))
    if kind in ("fix", "edit_added", "add") or (kind == "accept" and raw.get("span") is not None):
        action = replace(action, span=_span(raw.get("span")))
    if kind == "add" and raw.get("source") is not None:
        action = replace(action, source=_int(raw, "source", 0, 10_000, "the source entity"))
    if kind == "done":
        seconds = raw.get("seconds", 0.0)
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise ActionRefused("the time on a sentence must be a number of seconds")
        seconds = float(seconds)
        action = replace(action, seconds=0.0 if math.isnan(seconds) else min(max(seconds, 0.0), MAX_SECONDS))
    if kind == "goto":
        action = replace(action, to=_int(raw, "to", 0, n_sentences - 1, "the sentence to go to"))
        if action.to is None:
            raise ActionRefused("goto needs a sentence number")
    return action


def _span(value: object) -> Span:
    if not (isinstance(value, (list, tuple)) and len(value) == 3):
        raise ActionRefused("a span must be [start, end, label]")
    start, end, label = value
    for number in (start, end):
        if isinstance(number, bool) or not isinstance(number, int):
            raise ActionRefused("a span's start and end must be whole numbers")
    if not (isinstance(label, str) and 0 < len(label) <= 40):
        raise ActionRefused("a span's label must be a short text")
    if not 0 <= start < end:
        raise ActionRefused(f"a span needs 0 <= start < end, got [{start}, {end})")
    return Span(start, end, label)


def check_action(
    action: Action, record: SentenceRecord, decisions: Mapping[str, Decision], labels: Sequence[str]
) -> Action:
    """Check ``action`` against its sentence; returns it normalised (an accepted proposal keeps
    its projected span whatever the browser sent; a ``fix`` that changes nothing is an accept)."""
    n = len(record.target_tokens)
    where = f"sentence {record.id + 1}"
    if action.span is not None:
        span = action.span
        if span.end > n:
            raise ActionRefused(f"{where} has {n} words; a span from word {span.start + 1} to {span.end} does not fit")
        if span.label not in labels:
            shown = span.label if span.label.isprintable() else repr(span.label)
            raise ActionRefused(f"{shown[:40]!s} is not a label of this project ({', '.join(labels)})")
    if action.type == "add" and action.source is not None and action.source >= len(record.source_spans):
        raise ActionRefused(f"{where} has {len(record.source_spans)} source entities")
    if action.type not in DECISION_TYPES:
        return action
    proposals = {p.item: p for p in record.proposals()}
    item = action.item
    if item is None:  # parse_action always sets it for these types; an Action built in code may not
        raise ActionRefused(f"{where}: a {action.type} needs the span's id")
    added = item.startswith("add:") and item in decisions
    if item not in proposals and not added:
        raise ActionRefused(f"{where} has no span {item!r}")
    if action.type == "edit_added" and not added:
        raise ActionRefused(f"{where}: {item!r} is not a span a reviewer added")
    if action.type == "fix" and added:
        return replace(action, type="edit_added")
    if action.type == "accept":
        if item in proposals:
            return replace(action, span=proposals[item].span)
        current = decisions[item].span
        if current is None:
            raise ActionRefused(f"{where}: the added span {item!r} has no span to accept")
        return replace(action, span=current)
    if action.type == "fix" and action.span == proposals[item].span:
        return replace(action, type="accept")
    return action


def apply_action(
    store: ReviewStore,
    session: str,
    action: dict | Action,
    ids: Sequence[int],
    primary_method: str = "matching",
    reviewer: str = "",
    owner: str | None = None,
) -> Outcome:
    """Check ``action`` (what the browser sent: a dict with ``type``, ``sid`` and the fields its
    type needs, ``session`` and ``nonce`` for its action id) and apply it to the store.
    ``session`` is the tab when the action names none. A refused action writes nothing (and,
    when it has an id, is remembered as refused so a resend gets the same answer). The action
    changes ``owner``'s review (default: the reviewer's own; a lead's adjudication otherwise)."""
    owner = owner_of(reviewer) if owner is None else owner
    raw_sid = action.get("sid") if isinstance(action, Mapping) else getattr(action, "sid", None)
    fallback = (
        raw_sid
        if isinstance(raw_sid, int) and not isinstance(raw_sid, bool) and 0 <= raw_sid < store.count()
        else (ids[0] if ids else 0)
    )
    try:
        parsed = action if isinstance(action, Action) else parse_action(action, store.count(), session)
    except ActionRefused as err:
        return Outcome(fallback, conflict=f"not saved: {err}")
    sid = parsed.sid
    if parsed.type in NAVIGATION_TYPES:
        if parsed.type != "goto":
            return Outcome(neighbour(ids, sid, +1 if parsed.type == "next" else -1))
        if parsed.to is None:  # parse_action refuses this; an Action built in code may not
            return Outcome(sid, conflict="not saved: goto needs a sentence number")
        return Outcome(parsed.to)
    tab = parsed.session or session
    action_id = parsed.action_id
    if action_id is not None:
        prior = store.applied(action_id)
        if prior is not None and "refused" in prior:
            return Outcome(sid, conflict=prior["refused"], select_item=parsed.item)
    try:
        if action_id is None or store.applied(action_id) is None:  # a replay is answered by the store
            parsed = check_action(parsed, store.sentence(sid), store.decisions(sid, owner), store.labels())
        if parsed.type in DECISION_TYPES:
            if parsed.item is None:  # only an Action built in code (check_action refuses it too)
                raise ActionRefused(f"a {parsed.type} needs the span's id")
            decision = {"edit_added": "add"}.get(parsed.type, parsed.type)
            span = None if decision == "reject" else parsed.span
            saved = store.decide(sid, parsed.item, decision, span, parsed.version, tab, reviewer, action_id, owner)
            return Outcome(sid, f"{saved.action} saved")
        if parsed.type == "add":
            if parsed.span is None:  # only an Action built in code (parse_action requires the span)
                raise ActionRefused("an added span needs [start, end, label]")
            saved = store.add_span(sid, parsed.span, tab, reviewer, action_id, source=parsed.source, owner=owner)
            return Outcome(sid, "added span saved", select_item=saved.item)
        if parsed.type == "undo":
            touched = store.undo(tab, reviewer, action_id)
            if touched is None:
                return Outcome(sid, "nothing to undo")
            return Outcome(touched, "undone")
        if parsed.type == "done":
            settled = store.set_done(sid, tab, parsed.seconds, primary_method, reviewer, action_id, owner)
            return Outcome(neighbour(ids, sid, +1), f"sentence {sid + 1} done ({settled} span(s) settled)")
    except Conflict as err:  # keep the span selected, so the reviewer sees the newer decision
        message = str(err)
    except (ActionRefused, Refused) as err:
        message = f"not saved: {err}"
    else:  # pragma: no cover - every stateful type returns above
        return Outcome(sid)
    if action_id is not None:
        store.record_refusal(action_id, sid, parsed.type, message)
    return Outcome(sid, conflict=message, select_item=parsed.item)
