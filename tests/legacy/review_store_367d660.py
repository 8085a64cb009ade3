# The review store as of commit 367d660 (before schema versions), kept verbatim so the
# migration test can write a database exactly as that version did. Not imported by the app.
"""The review store: one SQLite database per project holding the projected sentences, every
reviewer decision as an append-only event, and the current state derived from them.

Durability. The database runs in WAL mode with ``synchronous=FULL``: every decision is its
own transaction and is fsynced before :meth:`ReviewStore.decide` returns, so once the app
shows "saved" the decision survives a killed server and a power cut. (``NORMAL`` under WAL
would survive a killed process but could drop the last commits on power loss; a decision
costs one fsync, which is cheap next to a human keystroke.)

Concurrency. Decisions are keyed by ``(sentence, item)``: an *item* is one projected span
(``"start:end:LABEL"`` of the span as projected, shared by both methods when they agree) or a
span a reviewer added (``"add:<id>"``). Two tabs deciding different spans touch different
rows and never clobber each other. A decision on the same span uses optimistic concurrency:
the caller passes the version it saw; if another tab decided in between, :class:`Conflict` is
raised, nothing is written, and the caller reloads and shows the newer decision. A tab's own
successive edits of one span (several boundary moves sent before the screen refreshed) do not
conflict with each other: the check only fails when the latest change came from another session.

Undo reverts the latest batch of events of one session (a tab), provided nothing else changed
those rows since; the undo itself is logged as events too, so the log is never rewritten.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .datamodel import Span

ACTIONS = ("accept", "reject", "fix", "add", "undecided")
KEPT_ACTIONS = frozenset({"accept", "fix", "add"})

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sentences (
    id INTEGER PRIMARY KEY,
    source_tokens TEXT NOT NULL,
    source_spans TEXT NOT NULL,
    target_tokens TEXT NOT NULL,
    gold_spans TEXT,
    alignment TEXT NOT NULL,
    heuristic TEXT NOT NULL,
    matching TEXT NOT NULL,
    candidates TEXT NOT NULL,
    disagree INTEGER NOT NULL,
    min_score REAL NOT NULL,
    labels TEXT NOT NULL,
    search TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_disagree ON sentences (disagree, id);
CREATE INDEX IF NOT EXISTS sentences_min_score ON sentences (min_score, id);
CREATE TABLE IF NOT EXISTS sentence_state (
    sentence_id INTEGER PRIMARY KEY REFERENCES sentences (id),
    done INTEGER NOT NULL DEFAULT 0,
    done_at REAL,
    seconds REAL NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sentence_state_done ON sentence_state (done, sentence_id);
CREATE TABLE IF NOT EXISTS decisions (
    sentence_id INTEGER NOT NULL REFERENCES sentences (id),
    item TEXT NOT NULL,
    action TEXT NOT NULL,
    start INTEGER,
    end INTEGER,
    label TEXT,
    version INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (sentence_id, item)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    session TEXT NOT NULL,
    batch TEXT NOT NULL,
    sentence_id INTEGER NOT NULL,
    item TEXT,
    kind TEXT NOT NULL,
    before TEXT,
    after TEXT,
    undone INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS events_session ON events (session, id);
CREATE INDEX IF NOT EXISTS events_sentence ON events (sentence_id, id);
CREATE TABLE IF NOT EXISTS position (reviewer TEXT PRIMARY KEY, sentence_id INTEGER NOT NULL, ts REAL NOT NULL);
"""


class Conflict(Exception):
    """Another tab changed the same span (or sentence) since this one loaded it."""


@dataclass(frozen=True)
class Proposal:
    """A projected span (an item to review): where it is and which methods proposed it.

    ``source`` is the index of the source entity it came from (of the first method that
    proposed it); ``scores`` maps method -> score.
    """

    item: str
    span: Span
    methods: tuple[str, ...]
    source: int
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """The current decision on one item; ``span`` is the kept span (None when rejected)."""

    item: str
    action: str
    span: Span | None
    version: int
    event_id: int
    updated_at: float


@dataclass(frozen=True)
class SentenceRecord:
    """Everything the review screen needs about one sentence pair."""

    id: int
    source_tokens: tuple[str, ...]
    source_spans: tuple[Span, ...]
    target_tokens: tuple[str, ...]
    gold_spans: tuple[Span, ...] | None
    alignment: tuple[tuple[int, int, float], ...]
    heuristic: tuple[tuple[Span, int, float], ...]
    matching: tuple[tuple[Span, int, float], ...]
    candidates: dict[int, list[tuple[int, int, float]]]
    disagree: bool
    min_score: float

    def proposals(self) -> list[Proposal]:
        return proposals_of(self.heuristic, self.matching)


def item_key(span: Span) -> str:
    return f"{span.start}:{span.end}:{span.label}"


def proposals_of(
    heuristic: Sequence[tuple[Span, int, float]],
    matching: Sequence[tuple[Span, int, float]],
) -> list[Proposal]:
    """The union of both methods' spans, one proposal per distinct (start, end, label)."""
    table: dict[str, dict] = {}
    for method, projections in (("heuristic", heuristic), ("matching", matching)):
        for span, source, score in projections:
            key = item_key(span)
            entry = table.setdefault(key, {"span": Span(span.start, span.end, span.label), "methods": [], "source": source, "scores": {}})
            entry["methods"].append(method)
            entry["scores"][method] = score
    proposals = [Proposal(k, v["span"], tuple(v["methods"]), v["source"], v["scores"]) for k, v in table.items()]
    return sorted(proposals, key=lambda p: (p.span.start, p.span.end, p.item))


def spans_differ(heuristic: Iterable[Span], matching: Iterable[Span]) -> bool:
    key = lambda spans: sorted((s.start, s.end, s.label) for s in spans)  # noqa: E731
    return key(heuristic) != key(matching)


def final_spans(
    proposals: Sequence[Proposal],
    decisions: dict[str, Decision],
    fallback_method: str | None = None,
    dropped_labels: frozenset[str] = frozenset(),
) -> list[tuple[Span, str, Proposal | None, Decision | None]]:
    """The cleaned spans of one sentence: ``(span, how, proposal, decision)``.

    Decided items keep their decision (accept -> the proposed span, fix -> the corrected
    span, add -> the added span, reject -> nothing). Undecided items are kept only when
    ``fallback_method`` proposed them (``how == "auto"``). Overlaps are resolved so the
    result is a valid IOB2 sentence: decided spans beat undecided ones, and among decided
    ones the most recent decision wins.
    """
    by_item = {p.item: p for p in proposals}
    chosen: list[tuple[tuple, Span, str, Proposal | None, Decision | None]] = []
    for item, decision in decisions.items():
        if decision.action in KEPT_ACTIONS and decision.span is not None:
            chosen.append(((0, -decision.event_id), decision.span, decision.action, by_item.get(item), decision))
    for proposal in proposals:
        if proposal.item in decisions and decisions[proposal.item].action != "undecided":
            continue
        if fallback_method is not None and fallback_method in proposal.methods:
            chosen.append(((1, proposal.span.start), proposal.span, "auto", proposal, None))
    kept: list[tuple[Span, str, Proposal | None, Decision | None]] = []
    for _, span, how, proposal, decision in sorted(chosen, key=lambda row: row[0]):
        if span.label in dropped_labels:
            continue
        if any(span.overlaps(other) for other, *_ in kept):
            continue
        kept.append((span, how, proposal, decision))
    return sorted(kept, key=lambda row: row[0].start)


def _spans_json(spans: Iterable[Span]) -> str:
    return json.dumps([[s.start, s.end, s.label] for s in spans])


def _spans_from(text: str | None) -> tuple[Span, ...] | None:
    if text is None:
        return None
    return tuple(Span(s, e, label) for s, e, label in json.loads(text))


def _projections_from(text: str) -> tuple[tuple[Span, int, float], ...]:
    return tuple((Span(s, e, label, score), source, score) for s, e, label, source, score in json.loads(text))


@dataclass(frozen=True)
class NewSentence:
    """A sentence pair as the project writes it into the store."""

    source_tokens: Sequence[str]
    source_spans: Sequence[Span]
    target_tokens: Sequence[str]
    gold_spans: Sequence[Span] | None
    alignment: Sequence[tuple[int, int, float]]
    heuristic: Sequence[tuple[Span, int, float]]
    matching: Sequence[tuple[Span, int, float]]
    candidates: dict[int, list[tuple[int, int, float]]]


class ReviewStore:
    """The project's SQLite database. Safe to use from several threads (one connection
    per thread) and from several processes (SQLite's locking)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._local = threading.local()
        self._db().executescript(SCHEMA)

    # -- connection ---------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db = db
        return db

    class _Tx:
        def __init__(self, db: sqlite3.Connection):
            self.db = db

        def __enter__(self) -> sqlite3.Connection:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, kind, value, tb) -> None:
            self.db.execute("COMMIT" if kind is None else "ROLLBACK")

    def _transaction(self) -> ReviewStore._Tx:
        return ReviewStore._Tx(self._db())

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- meta and sentences ---------------------------------------------------------
    def set_meta(self, key: str, value) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def meta(self, key: str, default=None):
        row = self._db().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def add_sentences(self, sentences: Iterable[NewSentence], start_id: int = 0) -> int:
        """Write sentence pairs (ids from ``start_id``) in one transaction; returns the count."""
        rows = []
        for k, s in enumerate(sentences, start=start_id):
            heuristic_spans = [span for span, _, _ in s.heuristic]
            matching_spans = [span for span, _, _ in s.matching]
            scores = [score for _, _, score in list(s.heuristic) + list(s.matching)]
            labels = sorted({span.label for span in list(s.source_spans) + heuristic_spans + matching_spans})
            rows.append((
                k,
                json.dumps(list(s.source_tokens)),
                _spans_json(s.source_spans),
                json.dumps(list(s.target_tokens)),
                None if s.gold_spans is None else _spans_json(s.gold_spans),
                json.dumps([[i, j, round(w, 3)] for i, j, w in s.alignment]),
                json.dumps([[p.start, p.end, p.label, src, round(sc, 4)] for p, src, sc in s.heuristic]),
                json.dumps([[p.start, p.end, p.label, src, round(sc, 4)] for p, src, sc in s.matching]),
                json.dumps({str(e): [[a, b, round(c, 4)] for a, b, c in cands] for e, cands in s.candidates.items()}),
                int(spans_differ(heuristic_spans, matching_spans)),
                min(scores) if scores else 1.0,
                " " + " ".join(labels) + " ",
                (" ".join(s.source_tokens) + "\n" + " ".join(s.target_tokens)).lower(),
            ))
        with self._transaction() as db:
            db.executemany("INSERT INTO sentences VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            db.executemany("INSERT OR IGNORE INTO sentence_state (sentence_id) VALUES (?)", [(r[0],) for r in rows])
        return len(rows)

    def count(self) -> int:
        return self._db().execute("SELECT COUNT(*) FROM sentences").fetchone()[0]

    def sentence(self, sentence_id: int) -> SentenceRecord:
        row = self._db().execute("SELECT * FROM sentences WHERE id = ?", (sentence_id,)).fetchone()
        if row is None:
            raise KeyError(f"no sentence {sentence_id}")
        return self._record(row)

    def sentences(self) -> Iterator[SentenceRecord]:
        for row in self._db().execute("SELECT * FROM sentences ORDER BY id"):
            yield self._record(row)

    @staticmethod
    def _record(row) -> SentenceRecord:
        return SentenceRecord(
            id=row[0],
            source_tokens=tuple(json.loads(row[1])),
            source_spans=_spans_from(row[2]),
            target_tokens=tuple(json.loads(row[3])),
            gold_spans=_spans_from(row[4]),
            alignment=tuple((i, j, w) for i, j, w in json.loads(row[5])),
            heuristic=_projections_from(row[6]),
            matching=_projections_from(row[7]),
            candidates={int(e): [tuple(c) for c in cands] for e, cands in json.loads(row[8]).items()},
            disagree=bool(row[9]),
            min_score=row[10],
        )

    def filter_ids(
        self,
        unreviewed: bool = False,
        disagree: bool = False,
        max_score: float | None = None,
        label: str | None = None,
        text: str | None = None,
    ) -> list[int]:
        """Ids of the sentences passing every filter given, in corpus order."""
        clauses, args = [], []
        if unreviewed:
            clauses.append("st.done = 0")
        if disagree:
            clauses.append("s.disagree = 1")
        if max_score is not None:
            clauses.append("s.min_score < ?")
            args.append(max_score)
        if label:
            clauses.append("s.labels LIKE ?")
            args.append(f"% {label} %")
        if text:
            clauses.append("instr(s.search, ?) > 0")
            args.append(text.lower())
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        sql = f"SELECT s.id FROM sentences s JOIN sentence_state st ON st.sentence_id = s.id{where} ORDER BY s.id"
        return [r[0] for r in self._db().execute(sql, args)]

    def labels(self) -> list[str]:
        found: set[str] = set()
        for (labels,) in self._db().execute("SELECT DISTINCT labels FROM sentences"):
            found.update(labels.split())
        return sorted(found)

    # -- decisions ------------------------------------------------------------------
    def decisions(self, sentence_id: int) -> dict[str, Decision]:
        rows = self._db().execute(
            "SELECT item, action, start, end, label, version, event_id, updated_at FROM decisions WHERE sentence_id = ?",
            (sentence_id,),
        )
        return {r[0]: _decision(r) for r in rows}

    def all_decisions(self) -> dict[int, dict[str, Decision]]:
        table: dict[int, dict[str, Decision]] = {}
        rows = self._db().execute("SELECT sentence_id, item, action, start, end, label, version, event_id, updated_at FROM decisions")
        for r in rows:
            table.setdefault(r[0], {})[r[1]] = _decision(r[1:])
        return table

    def state(self, sentence_id: int) -> tuple[bool, int]:
        """(done, version) of a sentence."""
        row = self._db().execute("SELECT done, version FROM sentence_state WHERE sentence_id = ?", (sentence_id,)).fetchone()
        return bool(row[0]), row[1]

    def decide(
        self,
        sentence_id: int,
        item: str,
        action: str,
        span: Span | None,
        expected_version: int,
        session: str,
    ) -> Decision:
        """Record one decision on one item, checking it is still at ``expected_version``."""
        batch = uuid.uuid4().hex
        with self._transaction() as db:
            return self._decide(db, sentence_id, item, action, span, expected_version, session, batch)

    def add_span(self, sentence_id: int, span: Span, session: str) -> Decision:
        """A span the projection missed; it gets a fresh item id."""
        return self.decide(sentence_id, f"add:{uuid.uuid4().hex[:10]}", "add", span, 0, session)

    def _decide(self, db, sentence_id, item, action, span, expected_version, session, batch, kind=None) -> Decision:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if action in KEPT_ACTIONS and span is None:
            raise ValueError(f"action {action!r} needs a span")
        row = db.execute(
            "SELECT item, action, start, end, label, version, event_id, updated_at FROM decisions WHERE sentence_id = ? AND item = ?",
            (sentence_id, item),
        ).fetchone()
        current = _decision(row) if row else None
        version = current.version if current else 0
        if version != expected_version and not self._last_writer_is(db, current, session):
            raise Conflict(f"sentence {sentence_id + 1}: this span was changed in another tab (version {version}, expected {expected_version})")
        now = time.time()
        after = {"action": action, "span": None if span is None else [span.start, span.end, span.label]}
        before = None if current is None else {"action": current.action, "span": None if current.span is None else [current.span.start, current.span.end, current.span.label], "version": current.version}
        cursor = db.execute(
            "INSERT INTO events (ts, session, batch, sentence_id, item, kind, before, after) VALUES (?,?,?,?,?,?,?,?)",
            (now, session, batch, sentence_id, item, kind or action, json.dumps(before), json.dumps(after)),
        )
        event_id = cursor.lastrowid
        start, end, label = (span.start, span.end, span.label) if span is not None else (None, None, None)
        db.execute(
            "INSERT OR REPLACE INTO decisions (sentence_id, item, action, start, end, label, version, event_id, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (sentence_id, item, action, start, end, label, version + 1, event_id, now),
        )
        return Decision(item, action, span, version + 1, event_id, now)

    @staticmethod
    def _last_writer_is(db, current: Decision | None, session: str) -> bool:
        """True when the row's latest change came from ``session`` itself (a tab's own
        quick successive edits never conflict with each other)."""
        if current is None:
            return False
        row = db.execute("SELECT session FROM events WHERE id = ?", (current.event_id,)).fetchone()
        return row is not None and row[0] == session

    def set_done(
        self,
        sentence_id: int,
        session: str,
        seconds: float = 0.0,
        accept_method: str | None = "matching",
    ) -> int:
        """Mark a sentence done. Undecided items are settled in the same batch: accepted
        when ``accept_method`` proposed them and they overlap no kept span, else rejected.
        Returns the number of items settled."""
        batch = uuid.uuid4().hex
        record = self.sentence(sentence_id)
        with self._transaction() as db:
            decisions = {r[0]: _decision(r) for r in db.execute(
                "SELECT item, action, start, end, label, version, event_id, updated_at FROM decisions WHERE sentence_id = ?", (sentence_id,))}
            kept = [d.span for d in decisions.values() if d.action in KEPT_ACTIONS and d.span is not None]
            settled = 0
            for proposal in record.proposals():
                current = decisions.get(proposal.item)
                if current is not None and current.action != "undecided":
                    continue
                version = current.version if current else 0
                if accept_method in proposal.methods and not any(proposal.span.overlaps(k) for k in kept):
                    self._decide(db, sentence_id, proposal.item, "accept", proposal.span, version, session, batch, kind="auto-accept")
                    kept.append(proposal.span)
                else:
                    self._decide(db, sentence_id, proposal.item, "reject", None, version, session, batch, kind="auto-reject")
                settled += 1
            self._set_done(db, sentence_id, True, seconds, session, batch)
        return settled

    def _set_done(self, db, sentence_id: int, done: bool, seconds: float, session: str, batch: str) -> None:
        row = db.execute("SELECT done, seconds, version FROM sentence_state WHERE sentence_id = ?", (sentence_id,)).fetchone()
        now = time.time()
        db.execute(
            "INSERT INTO events (ts, session, batch, sentence_id, item, kind, before, after) VALUES (?,?,?,?,?,?,?,?)",
            (now, session, batch, sentence_id, None, "done" if done else "reopen", json.dumps({"done": bool(row[0])}), json.dumps({"done": done, "seconds": seconds})),
        )
        db.execute(
            "UPDATE sentence_state SET done = ?, done_at = ?, seconds = ?, version = ? WHERE sentence_id = ?",
            (int(done), now if done else None, row[1] + seconds, row[2] + 1, sentence_id),
        )

    def reopen(self, sentence_id: int, session: str) -> None:
        with self._transaction() as db:
            self._set_done(db, sentence_id, False, 0.0, session, uuid.uuid4().hex)

    def undo(self, session: str) -> int | None:
        """Revert this session's latest batch of events that is not undone yet.

        Returns the sentence id it touched (None when there is nothing to undo). Raises
        :class:`Conflict` when another tab changed one of those rows since.
        """
        with self._transaction() as db:
            row = db.execute(
                "SELECT batch FROM events WHERE session = ? AND undone = 0 AND kind NOT LIKE 'undo%' ORDER BY id DESC LIMIT 1",
                (session,),
            ).fetchone()
            if row is None:
                return None
            batch = row[0]
            events = db.execute(
                "SELECT id, sentence_id, item, kind, before, after FROM events WHERE batch = ? ORDER BY id DESC", (batch,)
            ).fetchall()
            undo_batch = uuid.uuid4().hex
            sentence_id = events[0][1]
            for event_id, sid, item, kind, before, after in events:
                before = json.loads(before) if before else None
                if item is None:  # done / reopen
                    state = db.execute("SELECT done, version FROM sentence_state WHERE sentence_id = ?", (sid,)).fetchone()
                    was_done = bool(before["done"])
                    db.execute(
                        "INSERT INTO events (ts, session, batch, sentence_id, item, kind, before, after) VALUES (?,?,?,?,?,?,?,?)",
                        (time.time(), session, undo_batch, sid, None, "undo-" + kind, json.dumps({"done": bool(state[0])}), json.dumps({"done": was_done})),
                    )
                    db.execute("UPDATE sentence_state SET done = ?, done_at = CASE WHEN ? THEN done_at ELSE NULL END, version = version + 1 WHERE sentence_id = ?",
                               (int(was_done), int(was_done), sid))
                    continue
                current = db.execute("SELECT event_id, version FROM decisions WHERE sentence_id = ? AND item = ?", (sid, item)).fetchone()
                if current is None or current[0] != event_id:
                    raise Conflict(f"sentence {sid + 1}: cannot undo, the span was changed since (in another tab)")
                if before is None:
                    self._decide(db, sid, item, "undecided", None, current[1], session, undo_batch, kind="undo-" + kind)
                else:
                    span = Span(*before["span"]) if before["span"] else None
                    self._decide(db, sid, item, before["action"], span, current[1], session, undo_batch, kind="undo-" + kind)
            db.execute("UPDATE events SET undone = 1 WHERE batch = ?", (batch,))
            return sentence_id

    # -- position and statistics -------------------------------------------------------
    def set_position(self, reviewer: str, sentence_id: int) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO position (reviewer, sentence_id, ts) VALUES (?,?,?)", (reviewer, sentence_id, time.time()))

    def position(self, reviewer: str = "default") -> int | None:
        row = self._db().execute("SELECT sentence_id FROM position WHERE reviewer = ?", (reviewer,)).fetchone()
        return row[0] if row else None

    def progress(self) -> tuple[int, int]:
        """(done, total) sentences."""
        done, total = self._db().execute("SELECT COALESCE(SUM(done), 0), COUNT(*) FROM sentence_state").fetchone()
        return int(done), int(total)

    def done_ids(self) -> set[int]:
        return {r[0] for r in self._db().execute("SELECT sentence_id FROM sentence_state WHERE done = 1")}

    def done_times(self) -> list[tuple[int, float, float]]:
        """(sentence id, done at, seconds spent) of every done sentence."""
        return [tuple(r) for r in self._db().execute("SELECT sentence_id, done_at, seconds FROM sentence_state WHERE done = 1 ORDER BY done_at")]

    def events(self) -> list[dict]:
        rows = self._db().execute("SELECT id, ts, session, batch, sentence_id, item, kind, before, after, undone FROM events ORDER BY id")
        keys = ("id", "ts", "session", "batch", "sentence_id", "item", "kind", "before", "after", "undone")
        return [dict(zip(keys, r)) for r in rows]


def _decision(row) -> Decision:
    item, action, start, end, label, version, event_id, updated_at = row
    span = Span(start, end, label) if start is not None else None
    return Decision(item, action, span, version, event_id, updated_at)
