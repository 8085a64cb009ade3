"""The review store: one SQLite database per project holding the projected sentences, every
reviewer decision as an append-only event, and the current state derived from them.

Durability. The database runs in WAL mode with ``synchronous=FULL``: every decision is its
own transaction and is fsynced before :meth:`ReviewStore.decide` returns, so once the app
shows "saved" the decision survives a killed server and a power cut. (``NORMAL`` under WAL
would survive a killed process but could drop the last commits on power loss; a decision
costs one fsync, which is cheap next to a human keystroke.)

Concurrency. Decisions are keyed by ``(sentence, item, owner)``: an *item* is one projected span
(``"start:end:LABEL"`` of the span as projected, shared by both methods when they agree) or a
span a reviewer added (``"add:<id>"``); the *owner* is the reviewer whose review it is
(:func:`owner_of` their name; the anonymous reviewer ``""`` of an older project is ``"local"``)
or a lead's adjudication (``"adjudication:<lead>"``). Reviewers never overwrite each other, and
two tabs deciding different spans touch different rows and never clobber each other. A decision on the same span uses optimistic concurrency:
the caller passes the version it saw; if another tab decided in between, :class:`Conflict` is
raised, nothing is written, and the caller reloads and shows the newer decision. A tab's own
successive edits of one span (several boundary moves sent before the screen refreshed) do not
conflict with each other: the check only fails when the latest change came from another session.

Undo reverts the latest batch of events of one session (a tab), provided nothing else changed
those rows since; the undo itself is logged as events too, so the log is never rewritten.

Idempotence. A write may carry an *action id* (the tab's session and the action's number). The
id and the write's result are stored in the same transaction (``applied_actions``), so an action
sent again (a resend, a reconnect, a server restart) changes nothing and returns the same result.

Defence in depth. The store refuses spans outside the target sentence, labels the project does
not have, and a kept span overlapping another kept span of the same sentence (ValueError with a
message for the reviewer); a ``fix`` that changes nothing is stored as ``accept``.

Done-state is kept per owner (``reviewer_state``); ``sentence_state.done`` says whether anyone
has marked the sentence done. The team's assignment of sentences to reviewers lives in
``assignment`` (see :meth:`ReviewStore.set_assignment`).

Schema. ``PRAGMA user_version`` holds :data:`SCHEMA_VERSION`; a database written by an older
version (0: before it existed; 1: one reviewer) is migrated in place on opening, keeping every row.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from core.datamodel import Span
from core.errors import LabelBridgeError
from core.review.assignment import Assignment
from core.review.counts import label_counts
from core.review.model import (
    ACTIONS,
    KEPT_ACTIONS,
    LOCAL_OWNER,
    MAX_SECONDS,
    Decision,
    Filters,
    NewSentence,
    SentenceRecord,
    final_spans,
    item_key,
    owner_of,
    projections_from,
    proposals_of,
    spans_differ,
    spans_from,
    spans_json,
    spans_of,
)

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
    reviewer TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL DEFAULT 'local',
    PRIMARY KEY (sentence_id, item, owner)
);
CREATE INDEX IF NOT EXISTS decisions_owner ON decisions (owner, sentence_id);
CREATE TABLE IF NOT EXISTS reviewer_state (
    sentence_id INTEGER NOT NULL REFERENCES sentences (id),
    owner TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    done_at REAL,
    seconds REAL NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sentence_id, owner)
);
CREATE TABLE IF NOT EXISTS assignment (
    owner TEXT NOT NULL,
    sentence_id INTEGER NOT NULL REFERENCES sentences (id),
    overlap INTEGER NOT NULL,
    PRIMARY KEY (owner, sentence_id)
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
    undone INTEGER NOT NULL DEFAULT 0,
    reviewer TEXT NOT NULL DEFAULT '',
    action_id TEXT,
    owner TEXT
);
CREATE INDEX IF NOT EXISTS events_session ON events (session, id);
CREATE INDEX IF NOT EXISTS events_sentence ON events (sentence_id, id);
CREATE TABLE IF NOT EXISTS position (reviewer TEXT PRIMARY KEY, sentence_id INTEGER NOT NULL, ts REAL NOT NULL);
CREATE TABLE IF NOT EXISTS applied_actions (
    action_id TEXT PRIMARY KEY,
    ts REAL NOT NULL,
    sentence_id INTEGER,
    kind TEXT NOT NULL,
    result TEXT NOT NULL
);
"""

# feature "review_aggregates": narrow per-sentence facts for the filters and the Compare counts,
# entity counts per sentence and label (summed in SQL for F1 and the export's totals), the
# methods behind each proposal (decisions per method in SQL), and the project's label set
REVIEW_AGGREGATES_SCHEMA = """
CREATE TABLE IF NOT EXISTS sentence_facts (
    sentence_id INTEGER PRIMARY KEY,
    has_gold INTEGER NOT NULL,
    disagree INTEGER NOT NULL,
    min_score REAL NOT NULL,
    labels TEXT NOT NULL,
    search TEXT NOT NULL,
    both INTEGER NOT NULL,
    heuristic_only INTEGER NOT NULL,
    matching_only INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sentence_facts_disagree ON sentence_facts (disagree, sentence_id);
CREATE INDEX IF NOT EXISTS sentence_facts_min_score ON sentence_facts (min_score, sentence_id);
CREATE TABLE IF NOT EXISTS span_counts (
    variant TEXT NOT NULL,
    sentence_id INTEGER NOT NULL,
    label TEXT NOT NULL,
    has_gold INTEGER NOT NULL,
    n INTEGER NOT NULL,
    tp INTEGER NOT NULL,
    PRIMARY KEY (variant, sentence_id, label)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS proposal_methods (
    sentence_id INTEGER NOT NULL,
    item TEXT NOT NULL,
    proposed_by TEXT NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (sentence_id, item)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counted_reviews (sentence_id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS aggregate_marks (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS label_set (label TEXT PRIMARY KEY);
"""
SCHEMA += REVIEW_AGGREGATES_SCHEMA

REVIEW_AGGREGATES_STEP = 3  # migration step "review_aggregates", after team review (2)
# re-projection from reviewed decisions (core.review.reproject): each generation of proposals,
# and for every sentence it changed the columns as they were before and the evidence used
REPROJECTION_SCHEMA = """
CREATE TABLE IF NOT EXISTS projection_generations (
    generation INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    reviewer TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL,
    considered INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    undone_at REAL,
    undone_by TEXT
);
CREATE TABLE IF NOT EXISTS projection_history (
    generation INTEGER NOT NULL REFERENCES projection_generations (generation),
    sentence_id INTEGER NOT NULL REFERENCES sentences (id),
    previous TEXT NOT NULL,
    proposals TEXT NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (generation, sentence_id)
);
CREATE INDEX IF NOT EXISTS projection_history_sentence ON projection_history (sentence_id, generation);
"""
SCHEMA += REPROJECTION_SCHEMA
#: the columns of ``sentences`` a re-projection rewrites (and an undo restores)
PROJECTION_COLUMNS = ("alignment", "heuristic", "matching", "candidates", "disagree", "min_score", "labels")

REPROJECTION_STEP = 4  # migration step "reprojection", after review_aggregates (3)
SCHEMA_VERSION = 4

# version 0 (before user_version was set) -> 1: who decided, which action did it, applied action ids
MIGRATIONS = {
    1: """
ALTER TABLE decisions ADD COLUMN reviewer TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN reviewer TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN action_id TEXT;
CREATE TABLE IF NOT EXISTS applied_actions (
    action_id TEXT PRIMARY KEY,
    ts REAL NOT NULL,
    sentence_id INTEGER,
    kind TEXT NOT NULL,
    result TEXT NOT NULL
);
""",
    # team review: decisions keyed by their owner (a reviewer, or a lead's adjudication), done-state
    # per owner, the assignment of sentences to reviewers. Anonymous ('') rows belong to 'local';
    # a sentence done before has the reviewer of its last done/reopen event (else 'local') as owner.
    2: """
CREATE TABLE decisions_team (
    sentence_id INTEGER NOT NULL REFERENCES sentences (id),
    item TEXT NOT NULL,
    action TEXT NOT NULL,
    start INTEGER,
    end INTEGER,
    label TEXT,
    version INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    updated_at REAL NOT NULL,
    reviewer TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL DEFAULT 'local',
    PRIMARY KEY (sentence_id, item, owner)
);
INSERT INTO decisions_team (sentence_id, item, action, start, end, label, version, event_id, updated_at, reviewer, owner)
    SELECT sentence_id, item, action, start, end, label, version, event_id, updated_at, reviewer,
           CASE WHEN trim(reviewer) = '' THEN 'local' ELSE trim(reviewer) END FROM decisions;
DROP TABLE decisions;
ALTER TABLE decisions_team RENAME TO decisions;
CREATE INDEX IF NOT EXISTS decisions_owner ON decisions (owner, sentence_id);
ALTER TABLE events ADD COLUMN owner TEXT;
CREATE TABLE IF NOT EXISTS reviewer_state (
    sentence_id INTEGER NOT NULL REFERENCES sentences (id),
    owner TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    done_at REAL,
    seconds REAL NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sentence_id, owner)
);
INSERT INTO reviewer_state (sentence_id, owner, done, done_at, seconds, version)
    SELECT st.sentence_id,
           COALESCE((SELECT CASE WHEN trim(e.reviewer) = '' THEN 'local' ELSE trim(e.reviewer) END FROM events e
                     WHERE e.sentence_id = st.sentence_id AND e.item IS NULL ORDER BY e.id DESC LIMIT 1), 'local'),
           st.done, st.done_at, st.seconds, st.version
    FROM sentence_state st WHERE st.done = 1 OR st.seconds > 0 OR st.version > 0;
CREATE TABLE IF NOT EXISTS assignment (
    owner TEXT NOT NULL,
    sentence_id INTEGER NOT NULL REFERENCES sentences (id),
    overlap INTEGER NOT NULL,
    PRIMARY KEY (owner, sentence_id)
);
""",
    # the tables are filled from the sentences on first use (ReviewStore._ensure_aggregates)
    REVIEW_AGGREGATES_STEP: REVIEW_AGGREGATES_SCHEMA,
    # "reprojection": generations of proposals re-projected from reviewed decisions
    REPROJECTION_STEP: REPROJECTION_SCHEMA,
}

DECISION_COLUMNS = "item, action, start, end, label, version, event_id, updated_at, reviewer, owner"


class SchemaError(LabelBridgeError):
    """The database was written by a newer LabelBridge."""


class Conflict(Exception):
    """Another tab changed the same span (or sentence) since this one loaded it."""


class Refused(ValueError):
    """A write the store will not make (out-of-range span, unknown label, overlap); the
    message is for the reviewer."""


class ReviewStore:
    """The project's SQLite database. Safe to use from several threads (one connection
    per thread) and from several processes (SQLite's locking)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._local = threading.local()
        self._labels: list[str] | None = None
        self._count: int | None = None
        self._dense: bool | None = None  # the sentence ids are 0 .. count - 1
        self._done_lock = threading.Lock()
        self._migrate(self._db())

    # -- connection and schema ----------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db = db
        return db

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        """Create the schema, or bring a database written by an older version up to date."""
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise SchemaError(
                f"the project's database has schema version {version}; this LabelBridge reads up to "
                f"{SCHEMA_VERSION}. Update LabelBridge to open it."
            )
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
            if version < SCHEMA_VERSION:
                old = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").fetchone()
                if old is None:
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            db.execute(statement)
                else:
                    for step in range(version + 1, SCHEMA_VERSION + 1):
                        for statement in MIGRATIONS[step].split(";"):
                            if statement.strip():
                                db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    class _Tx:
        """A write transaction; inside :meth:`batch` a savepoint, so one action that fails
        leaves the others of the batch in place."""

        def __init__(self, db: sqlite3.Connection):
            self.db = db
            self.nested = False

        def __enter__(self) -> sqlite3.Connection:
            self.nested = self.db.in_transaction
            self.db.execute("SAVEPOINT one_write" if self.nested else "BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, kind, value, tb) -> None:
            if self.nested:
                if kind is not None:
                    self.db.execute("ROLLBACK TO one_write")
                self.db.execute("RELEASE one_write")
            else:
                self.db.execute("COMMIT" if kind is None else "ROLLBACK")

    def _transaction(self) -> ReviewStore._Tx:
        return ReviewStore._Tx(self._db())

    def batch(self) -> ReviewStore._Tx:
        """One transaction (one fsync) around several writes, e.g. the actions a tab sent
        together: ``with store.batch(): ...``. Each write inside stays all-or-nothing on its
        own; nothing is on disk before the batch ends."""
        return self._transaction()

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def schema_version(self) -> int:
        return self._db().execute("PRAGMA user_version").fetchone()[0]

    # -- meta and sentences ---------------------------------------------------------
    def set_meta(self, key: str, value) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def meta(self, key: str, default=None):
        row = self._db().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row["value"]) if row else default

    def add_sentences(self, sentences: Iterable[NewSentence], start_id: int = 0) -> int:
        """Write sentence pairs (ids from ``start_id``) in one transaction; returns the count."""
        rows, written = [], []
        for k, s in enumerate(sentences, start=start_id):
            written.append((k, s))
            heuristic_spans = [span for span, _, _ in s.heuristic]
            matching_spans = [span for span, _, _ in s.matching]
            scores = [score for _, _, score in list(s.heuristic) + list(s.matching)]
            labels = sorted({span.label for span in list(s.source_spans) + heuristic_spans + matching_spans})
            rows.append(
                (
                    k,
                    json.dumps(list(s.source_tokens)),
                    spans_json(s.source_spans),
                    json.dumps(list(s.target_tokens)),
                    None if s.gold_spans is None else spans_json(s.gold_spans),
                    json.dumps([[i, j, round(w, 3)] for i, j, w in s.alignment]),
                    json.dumps([[p.start, p.end, p.label, src, round(sc, 4)] for p, src, sc in s.heuristic]),
                    json.dumps([[p.start, p.end, p.label, src, round(sc, 4)] for p, src, sc in s.matching]),
                    json.dumps(
                        {str(e): [[a, b, round(c, 4)] for a, b, c in cands] for e, cands in s.candidates.items()}
                    ),
                    int(spans_differ(heuristic_spans, matching_spans)),
                    min(scores) if scores else 1.0,
                    " " + " ".join(labels) + " ",
                    (" ".join(s.source_tokens) + "\n" + " ".join(s.target_tokens)).lower(),
                )
            )
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO sentences (id, source_tokens, source_spans, target_tokens, gold_spans, alignment, heuristic, "
                "matching, candidates, disagree, min_score, labels, search) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            db.executemany("INSERT OR IGNORE INTO sentence_state (sentence_id) VALUES (?)", [(r[0],) for r in rows])
            self._write_aggregates(db, written)
        self._labels = self._count = self._dense = None
        return len(rows)

    def count(self) -> int:
        """The number of sentences (fixed once they are written, so it is read once)."""
        if self._count is None:
            self._count = self._db().execute("SELECT COUNT(*) FROM sentences").fetchone()[0]
        return self._count

    def _ids_dense(self) -> bool:
        """Whether the sentence ids are 0 .. count - 1 (as a project writes them), so how many
        lie below an id is arithmetic, not a count over the index; asked once."""
        if self._dense is None:
            low, high = self._db().execute("SELECT MIN(sentence_id), MAX(sentence_id) FROM sentence_state").fetchone()
            n = self.count()
            self._dense = n == 0 or (low == 0 and high == n - 1)
        return self._dense

    def sentence(self, sentence_id: int) -> SentenceRecord:
        row = self._db().execute("SELECT * FROM sentences WHERE id = ?", (sentence_id,)).fetchone()
        if row is None:
            raise KeyError(f"no sentence {sentence_id}")
        return self._record(row)

    def sentences(self, done_only: bool = False, chunk: int = 256, links: bool = True) -> Iterator[SentenceRecord]:
        """Every sentence (``done_only``: the done ones) in corpus order, read ``chunk`` rows at a
        time, so memory does not grow with the project. ``links=False`` leaves out the alignment
        and the candidates (empty in the records), which an export does not need."""
        done = "AND id IN (SELECT sentence_id FROM sentence_state WHERE done = 1) " if done_only else ""
        columns = (
            "*"
            if links
            else (
                "id, source_tokens, source_spans, target_tokens, gold_spans, '[]' AS alignment, heuristic, "
                "matching, '{}' AS candidates, disagree, min_score"
            )
        )
        last = -1
        while True:
            rows = (
                self._db()
                .execute(f"SELECT {columns} FROM sentences WHERE id > ? {done}ORDER BY id LIMIT ?", (last, chunk))
                .fetchall()
            )
            if not rows:
                return
            for row in rows:
                yield self._record(row)
            last = rows[-1]["id"]

    @staticmethod
    def _record(row: sqlite3.Row) -> SentenceRecord:
        return SentenceRecord(
            id=row["id"],
            source_tokens=tuple(json.loads(row["source_tokens"])),
            source_spans=spans_of(row["source_spans"]),  # NOT NULL in the schema
            target_tokens=tuple(json.loads(row["target_tokens"])),
            gold_spans=spans_from(row["gold_spans"]),
            alignment=tuple((i, j, w) for i, j, w in json.loads(row["alignment"])),
            heuristic=projections_from(row["heuristic"]),
            matching=projections_from(row["matching"]),
            candidates={int(e): [tuple(c) for c in cands] for e, cands in json.loads(row["candidates"]).items()},
            disagree=bool(row["disagree"]),
            min_score=row["min_score"],
        )

    def filter_ids(
        self,
        unreviewed: bool = False,
        disagree: bool = False,
        max_score: float | None = None,
        label: str | None = None,
        text: str | None = None,
    ) -> list[int]:
        """Ids of the sentences passing every filter given, in corpus order (all of them: the
        Review screen asks :class:`FilteredIds` instead)."""
        return list(FilteredIds(self, Filters(unreviewed, disagree, max_score, label, text)))

    def labels(self) -> list[str]:
        """The project's label set (every label of a source entity or a projection); fixed once
        the sentences are written, so it is read once."""
        if self._labels is None:
            self._ensure_aggregates()
            self._labels = [r["label"] for r in self._db().execute("SELECT label FROM label_set ORDER BY label")]
        return list(self._labels)

    # -- decisions ------------------------------------------------------------------
    def decisions(self, sentence_id: int, owner: str | None = None) -> dict[str, Decision]:
        """The current decisions of a sentence by item: ``owner``'s, or with ``owner=None`` the
        latest decision on each item by anyone (a single reviewer's project: theirs)."""
        if owner is not None:
            rows = self._db().execute(
                f"SELECT {DECISION_COLUMNS} FROM decisions WHERE sentence_id = ? AND owner = ?", (sentence_id, owner)
            )
        else:
            rows = self._db().execute(
                f"SELECT {DECISION_COLUMNS} FROM decisions WHERE sentence_id = ? ORDER BY event_id", (sentence_id,)
            )
        return {r["item"]: _decision(r) for r in rows}

    def all_decisions(self, owner: str | None = None) -> dict[int, dict[str, Decision]]:
        """:meth:`decisions` of every sentence that has any, by sentence id."""
        table: dict[int, dict[str, Decision]] = {}
        if owner is not None:
            rows = self._db().execute(
                f"SELECT sentence_id, {DECISION_COLUMNS} FROM decisions WHERE owner = ?", (owner,)
            )
        else:
            rows = self._db().execute(f"SELECT sentence_id, {DECISION_COLUMNS} FROM decisions ORDER BY event_id")
        for r in rows:
            table.setdefault(r["sentence_id"], {})[r["item"]] = _decision(r)
        return table

    def decisions_by_owner(
        self, sentence_ids: Iterable[int] | None = None
    ) -> dict[int, dict[str, dict[str, Decision]]]:
        """Every current decision (or those of ``sentence_ids``): sentence id -> owner -> item -> decision."""
        table: dict[int, dict[str, dict[str, Decision]]] = {}
        where = ""
        args: tuple[str, ...] = ()
        if sentence_ids is not None:
            where, args = (
                "WHERE sentence_id IN (SELECT value FROM json_each(?)) ",
                (json.dumps([int(i) for i in sentence_ids]),),
            )
        for r in self._db().execute(
            f"SELECT sentence_id, {DECISION_COLUMNS} FROM decisions {where}ORDER BY sentence_id, event_id", args
        ):
            table.setdefault(r["sentence_id"], {}).setdefault(r["owner"], {})[r["item"]] = _decision(r)
        return table

    def owners(self) -> list[str]:
        """Everyone with a decision or a done-state in the project (reviewers and adjudications)."""
        rows = self._db().execute("SELECT owner FROM decisions UNION SELECT owner FROM reviewer_state ORDER BY owner")
        return [r["owner"] for r in rows]

    def state(self, sentence_id: int, owner: str | None = None) -> tuple[bool, int]:
        """(done, version) of a sentence: for ``owner``, or for anyone (``None``)."""
        if owner is not None:
            row = (
                self._db()
                .execute(
                    "SELECT done, version FROM reviewer_state WHERE sentence_id = ? AND owner = ?", (sentence_id, owner)
                )
                .fetchone()
            )
            return (False, 0) if row is None else (bool(row["done"]), row["version"])
        row = (
            self._db()
            .execute("SELECT done, version FROM sentence_state WHERE sentence_id = ?", (sentence_id,))
            .fetchone()
        )
        return bool(row["done"]), row["version"]

    def done_by_owner(self) -> dict[int, dict[str, tuple[float | None, float]]]:
        """Sentence id -> owner -> (done at, seconds) of every owner who marked it done."""
        table: dict[int, dict[str, tuple[float | None, float]]] = {}
        for r in self._db().execute(
            "SELECT sentence_id, owner, done_at, seconds FROM reviewer_state WHERE done = 1 ORDER BY done_at"
        ):
            table.setdefault(r["sentence_id"], {})[r["owner"]] = (r["done_at"], r["seconds"])
        return table

    # -- idempotence ----------------------------------------------------------------------
    def applied(self, action_id: str) -> dict | None:
        """The stored result of an action id applied before (None when it never was)."""
        row = self._db().execute("SELECT result FROM applied_actions WHERE action_id = ?", (action_id,)).fetchone()
        return json.loads(row["result"]) if row else None

    def applied_actions(self) -> list[dict]:
        rows = self._db().execute("SELECT action_id, ts, sentence_id, kind, result FROM applied_actions ORDER BY ts")
        return [{**dict(r), "result": json.loads(r["result"])} for r in rows]

    def record_refusal(self, action_id: str, sentence_id: int | None, kind: str, message: str) -> None:
        """Remember that ``action_id`` was refused, so sending it again gives the same answer."""
        with self._transaction() as db:
            self._remember(db, action_id, sentence_id, kind, {"refused": message})

    @staticmethod
    def _prior(db, action_id: str | None) -> dict | None:
        if action_id is None:
            return None
        row = db.execute("SELECT result FROM applied_actions WHERE action_id = ?", (action_id,)).fetchone()
        return json.loads(row["result"]) if row else None

    @staticmethod
    def _remember(db, action_id: str | None, sentence_id: int | None, kind: str, result: dict) -> None:
        if action_id is not None:
            db.execute(
                "INSERT OR IGNORE INTO applied_actions (action_id, ts, sentence_id, kind, result) VALUES (?,?,?,?,?)",
                (action_id, time.time(), sentence_id, kind, json.dumps(result)),
            )

    @staticmethod
    def _replayed(prior: dict) -> Decision:
        if "refused" in prior:
            raise Refused(prior["refused"])
        d = prior["decision"]
        span = Span(*d["span"]) if d["span"] else None
        return Decision(
            d["item"],
            d["action"],
            span,
            d["version"],
            d["event_id"],
            d["updated_at"],
            d.get("reviewer", ""),
            d.get("owner", owner_of(d.get("reviewer", ""))),
        )

    # -- decisions ------------------------------------------------------------------------
    def decide(
        self,
        sentence_id: int,
        item: str,
        action: str,
        span: Span | None,
        expected_version: int,
        session: str,
        reviewer: str = "",
        action_id: str | None = None,
        owner: str | None = None,
    ) -> Decision:
        """Record one decision on one item of ``owner``'s review (default: ``reviewer``'s own),
        checking it is still at ``expected_version``. With an ``action_id`` seen before, nothing
        changes and the same decision is returned."""
        batch = uuid.uuid4().hex
        with self._transaction() as db:
            prior = self._prior(db, action_id)
            if prior is not None:
                return self._replayed(prior)
            decision = self._decide(
                db,
                sentence_id,
                item,
                action,
                span,
                expected_version,
                session,
                batch,
                reviewer=reviewer,
                action_id=action_id,
                owner=owner,
            )
            self._remember(db, action_id, sentence_id, action, {"decision": _decision_json(decision)})
            return decision

    def add_span(
        self,
        sentence_id: int,
        span: Span,
        session: str,
        reviewer: str = "",
        action_id: str | None = None,
        source: int | None = None,
        owner: str | None = None,
    ) -> Decision:
        """A span the projection missed; it gets a fresh item id (``add:<hex>``, or
        ``add:<hex>@<e>`` when it stands for source entity ``e``)."""
        item = f"add:{uuid.uuid4().hex[:10]}" + (f"@{source}" if source is not None else "")
        return self.decide(sentence_id, item, "add", span, 0, session, reviewer, action_id, owner)

    def _check_span(self, db, sentence_id: int, item: str, span: Span, kept: bool, owner: str = LOCAL_OWNER) -> None:
        """Refuse a span outside the sentence, an unknown label, or a kept span overlapping
        another kept span of the sentence."""
        row = db.execute("SELECT target_tokens FROM sentences WHERE id = ?", (sentence_id,)).fetchone()
        if row is None:
            raise Refused(f"there is no sentence {sentence_id + 1}")
        tokens = json.loads(row["target_tokens"])
        if not (0 <= span.start < span.end <= len(tokens)):
            raise Refused(
                f"sentence {sentence_id + 1} has {len(tokens)} words; a span from word {span.start + 1} "
                f"to {span.end} does not fit"
            )
        if span.label not in self.labels():
            raise Refused(f"{span.label!r} is not a label of this project ({', '.join(self.labels())})")
        if not kept:
            return
        clash = db.execute(
            "SELECT start, end, label FROM decisions WHERE sentence_id = ? AND owner = ? AND item != ? "
            "AND action IN ('accept', 'fix', 'add') AND start < ? AND end > ? ORDER BY start LIMIT 1",
            (sentence_id, owner, item, span.end, span.start),
        ).fetchone()
        if clash is not None:
            other = Span(clash["start"], clash["end"], clash["label"])
            raise Refused(
                f"{_quote(tokens, span)} overlaps {_quote(tokens, other)}, which is kept: "
                f"reject or shorten one of them first"
            )

    def _decide(
        self,
        db,
        sentence_id,
        item,
        action,
        span,
        expected_version,
        session,
        batch,
        kind=None,
        reviewer: str = "",
        action_id: str | None = None,
        owner: str | None = None,
    ) -> Decision:
        owner = owner_of(reviewer) if owner is None else owner
        if action not in ACTIONS:
            raise Refused(f"unknown action {action!r}")
        if action in KEPT_ACTIONS and span is None:
            raise Refused(f"action {action!r} needs a span")
        if action == "fix" and not item.startswith("add:") and item == item_key(span):
            action = "accept"  # a correction that changes nothing accepts the projected span
            kind = kind if kind and kind != "fix" else "accept"
        if span is not None:
            self._check_span(db, sentence_id, item, span, action in KEPT_ACTIONS, owner)
        row = db.execute(
            f"SELECT {DECISION_COLUMNS} FROM decisions WHERE sentence_id = ? AND item = ? AND owner = ?",
            (sentence_id, item, owner),
        ).fetchone()
        current = _decision(row) if row else None
        version = current.version if current else 0
        if version != expected_version and not self._last_writer_is(db, current, session):
            raise Conflict(
                f"sentence {sentence_id + 1}: this span was changed in another tab (version {version}, expected {expected_version})"
            )
        now = time.time()
        after = {"action": action, "span": None if span is None else [span.start, span.end, span.label]}
        before = (
            None
            if current is None
            else {
                "action": current.action,
                "span": None if current.span is None else [current.span.start, current.span.end, current.span.label],
                "version": current.version,
            }
        )
        cursor = db.execute(
            "INSERT INTO events (ts, session, batch, sentence_id, item, kind, before, after, reviewer, action_id, owner) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                now,
                session,
                batch,
                sentence_id,
                item,
                kind or action,
                json.dumps(before),
                json.dumps(after),
                reviewer,
                action_id,
                owner,
            ),
        )
        event_id = cursor.lastrowid
        start, end, label = (span.start, span.end, span.label) if span is not None else (None, None, None)
        db.execute(
            "INSERT OR REPLACE INTO decisions (sentence_id, item, action, start, end, label, version, event_id, updated_at, reviewer, owner) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (sentence_id, item, action, start, end, label, version + 1, event_id, now, reviewer, owner),
        )
        return Decision(item, action, span, version + 1, event_id, now, reviewer, owner)

    @staticmethod
    def _last_writer_is(db, current: Decision | None, session: str) -> bool:
        """True when the row's latest change came from ``session`` itself (a tab's own
        quick successive edits never conflict with each other)."""
        if current is None:
            return False
        row = db.execute("SELECT session FROM events WHERE id = ?", (current.event_id,)).fetchone()
        return row is not None and row["session"] == session

    def set_done(
        self,
        sentence_id: int,
        session: str,
        seconds: float = 0.0,
        accept_method: str | None = "matching",
        reviewer: str = "",
        action_id: str | None = None,
        owner: str | None = None,
    ) -> int:
        """Mark a sentence done in ``owner``'s review (default: ``reviewer``'s own). Undecided
        items of that review are settled in the same batch: accepted
        when ``accept_method`` proposed them and they overlap no kept span, else rejected.
        Returns the number of items settled (the same number again for a repeated ``action_id``,
        which changes nothing). ``seconds`` counts at most :data:`MAX_SECONDS`."""
        batch = uuid.uuid4().hex
        owner = owner_of(reviewer) if owner is None else owner
        seconds = min(max(float(seconds), 0.0), MAX_SECONDS) if seconds == seconds else 0.0  # NaN counts 0
        record = self.sentence(sentence_id)
        with self._transaction() as db:
            prior = self._prior(db, action_id)
            if prior is not None:
                if "refused" in prior:
                    raise Refused(prior["refused"])
                return prior["settled"]
            decisions = {
                r["item"]: _decision(r)
                for r in db.execute(
                    f"SELECT {DECISION_COLUMNS} FROM decisions WHERE sentence_id = ? AND owner = ?",
                    (sentence_id, owner),
                )
            }
            kept = [d.span for d in decisions.values() if d.action in KEPT_ACTIONS and d.span is not None]
            settled = 0
            for proposal in record.proposals():
                current = decisions.get(proposal.item)
                if current is not None and current.action != "undecided":
                    continue
                version = current.version if current else 0
                if accept_method in proposal.methods and not any(proposal.span.overlaps(k) for k in kept):
                    self._decide(
                        db,
                        sentence_id,
                        proposal.item,
                        "accept",
                        proposal.span,
                        version,
                        session,
                        batch,
                        kind="auto-accept",
                        reviewer=reviewer,
                        action_id=action_id,
                        owner=owner,
                    )
                    kept.append(proposal.span)
                else:
                    self._decide(
                        db,
                        sentence_id,
                        proposal.item,
                        "reject",
                        None,
                        version,
                        session,
                        batch,
                        kind="auto-reject",
                        reviewer=reviewer,
                        action_id=action_id,
                        owner=owner,
                    )
                settled += 1
            self._set_done(db, sentence_id, True, seconds, session, batch, reviewer, action_id, owner)
            self._remember(db, action_id, sentence_id, "done", {"settled": settled})
        return settled

    def _set_done(
        self,
        db,
        sentence_id: int,
        done: bool,
        seconds: float,
        session: str,
        batch: str,
        reviewer: str = "",
        action_id: str | None = None,
        owner: str | None = None,
    ) -> None:
        owner = owner_of(reviewer) if owner is None else owner
        row = db.execute(
            "SELECT done, done_at, seconds, version FROM sentence_state WHERE sentence_id = ?", (sentence_id,)
        ).fetchone()
        mine = db.execute(
            "SELECT done FROM reviewer_state WHERE sentence_id = ? AND owner = ?", (sentence_id, owner)
        ).fetchone()
        now = time.time()
        db.execute(
            "INSERT INTO events (ts, session, batch, sentence_id, item, kind, before, after, reviewer, action_id, owner) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                now,
                session,
                batch,
                sentence_id,
                None,
                "done" if done else "reopen",
                json.dumps({"done": bool(mine and mine["done"])}),
                json.dumps({"done": done, "seconds": seconds}),
                reviewer,
                action_id,
                owner,
            ),
        )
        self._set_owner_done(db, sentence_id, owner, done, seconds, now)
        anyone = self._anyone_done(db, sentence_id)
        done_at = now if done else (row["done_at"] if anyone else None)  # another reviewer's done stays
        db.execute(
            "UPDATE sentence_state SET done = ?, done_at = ?, seconds = ?, version = ? WHERE sentence_id = ?",
            (int(anyone), done_at, row["seconds"] + seconds, row["version"] + 1, sentence_id),
        )

    @staticmethod
    def _set_owner_done(db, sentence_id: int, owner: str, done: bool, seconds: float, now: float) -> None:
        db.execute("INSERT OR IGNORE INTO reviewer_state (sentence_id, owner) VALUES (?, ?)", (sentence_id, owner))
        db.execute(
            "UPDATE reviewer_state SET done = ?, done_at = CASE WHEN ? THEN ? ELSE NULL END, seconds = seconds + ?, "
            "version = version + 1 WHERE sentence_id = ? AND owner = ?",
            (int(done), int(done), now, seconds, sentence_id, owner),
        )

    @staticmethod
    def _anyone_done(db, sentence_id: int) -> bool:
        return (
            db.execute(
                "SELECT 1 FROM reviewer_state WHERE sentence_id = ? AND done = 1 LIMIT 1", (sentence_id,)
            ).fetchone()
            is not None
        )

    def reopen(self, sentence_id: int, session: str, reviewer: str = "", owner: str | None = None) -> None:
        with self._transaction() as db:
            self._set_done(db, sentence_id, False, 0.0, session, uuid.uuid4().hex, reviewer, owner=owner)

    def undo(self, session: str, reviewer: str = "", action_id: str | None = None) -> int | None:
        """Revert this session's latest batch of events that is not undone yet.

        Returns the sentence id it touched (None when there is nothing to undo). Raises
        :class:`Conflict` when another tab changed one of those rows since. A repeated
        ``action_id`` changes nothing and returns the same sentence id.
        """
        with self._transaction() as db:
            prior = self._prior(db, action_id)
            if prior is not None:
                if "refused" in prior:
                    raise Refused(prior["refused"])
                return prior["sentence"]
            row = db.execute(
                "SELECT batch FROM events WHERE session = ? AND undone = 0 AND kind NOT LIKE 'undo%' ORDER BY id DESC LIMIT 1",
                (session,),
            ).fetchone()
            if row is None:
                self._remember(db, action_id, None, "undo", {"sentence": None})
                return None
            batch = row["batch"]
            events = db.execute(
                "SELECT id, sentence_id, item, kind, before, reviewer, owner FROM events WHERE batch = ? ORDER BY id DESC",
                (batch,),
            ).fetchall()
            undo_batch = uuid.uuid4().hex
            sentence_id = events[0]["sentence_id"]
            for event in events:
                sid, item, kind = event["sentence_id"], event["item"], event["kind"]
                before = json.loads(event["before"]) if event["before"] else None
                owner = event["owner"] or owner_of(event["reviewer"])  # events before team review name no owner
                if item is None:  # done / reopen
                    if before is None:  # every done / reopen event stores the state it changed
                        raise LabelBridgeError(
                            f"sentence {sid + 1}: cannot undo, the review database has no earlier done-state for it"
                        )
                    self._undo_done(
                        db, sid, owner, bool(before["done"]), "undo-" + kind, session, undo_batch, reviewer, action_id
                    )
                    continue
                current = db.execute(
                    "SELECT event_id, version FROM decisions WHERE sentence_id = ? AND item = ? AND owner = ?",
                    (sid, item, owner),
                ).fetchone()
                if current is None or current["event_id"] != event["id"]:
                    raise Conflict(f"sentence {sid + 1}: cannot undo, the span was changed since (in another tab)")
                if before is None:
                    self._decide(
                        db,
                        sid,
                        item,
                        "undecided",
                        None,
                        current["version"],
                        session,
                        undo_batch,
                        kind="undo-" + kind,
                        reviewer=reviewer,
                        action_id=action_id,
                        owner=owner,
                    )
                else:
                    span = Span(*before["span"]) if before["span"] else None
                    self._decide(
                        db,
                        sid,
                        item,
                        before["action"],
                        span,
                        current["version"],
                        session,
                        undo_batch,
                        kind="undo-" + kind,
                        reviewer=reviewer,
                        action_id=action_id,
                        owner=owner,
                    )
            db.execute("UPDATE events SET undone = 1 WHERE batch = ?", (batch,))
            self._remember(db, action_id, sentence_id, "undo", {"sentence": sentence_id})
            return sentence_id

    def _undo_done(
        self,
        db,
        sid: int,
        owner: str,
        was_done: bool,
        kind: str,
        session: str,
        batch: str,
        reviewer: str,
        action_id: str | None,
    ) -> None:
        """Put ``owner``'s done-state of a sentence back to ``was_done`` (logged as an event)."""
        mine = db.execute(
            "SELECT done FROM reviewer_state WHERE sentence_id = ? AND owner = ?", (sid, owner)
        ).fetchone()
        db.execute(
            "INSERT INTO events (ts, session, batch, sentence_id, item, kind, before, after, reviewer, action_id, owner) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                time.time(),
                session,
                batch,
                sid,
                None,
                kind,
                json.dumps({"done": bool(mine and mine["done"])}),
                json.dumps({"done": was_done}),
                reviewer,
                action_id,
                owner,
            ),
        )
        db.execute("INSERT OR IGNORE INTO reviewer_state (sentence_id, owner) VALUES (?, ?)", (sid, owner))
        db.execute(
            "UPDATE reviewer_state SET done = ?, done_at = CASE WHEN ? THEN done_at ELSE NULL END, version = version + 1 "
            "WHERE sentence_id = ? AND owner = ?",
            (int(was_done), int(was_done), sid, owner),
        )
        anyone = self._anyone_done(db, sid)
        db.execute(
            "UPDATE sentence_state SET done = ?, done_at = CASE WHEN ? THEN done_at ELSE NULL END, version = version + 1 "
            "WHERE sentence_id = ?",
            (int(anyone), int(anyone), sid),
        )

    # -- team: assignment of sentences to reviewers -------------------------------------
    def set_assignment(self, assignment: Assignment, settings: dict | None = None) -> None:
        """Replace the project's assignment (``settings``: how it was made, e.g. the lead, the
        strategy and the overlap share; kept as meta ``assignment``). Decisions stay as they are."""
        rows = [
            (owner_of(name), sid, int(sid in assignment.overlap))
            for name, queue in assignment.queues.items()
            for sid in queue
        ]
        with self._transaction() as db:
            db.execute("DELETE FROM assignment")
            db.executemany("INSERT INTO assignment (owner, sentence_id, overlap) VALUES (?,?,?)", rows)
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('assignment', ?)",
                (json.dumps({**(settings or {}), "reviewers": [owner_of(n) for n in assignment.queues]}),),
            )

    def clear_assignment(self) -> None:
        """Back to no assignment: everyone sees every sentence."""
        with self._transaction() as db:
            db.execute("DELETE FROM assignment")
            db.execute("DELETE FROM meta WHERE key = 'assignment'")

    def assignment(self) -> Assignment | None:
        """The stored assignment (reviewers in the order they were given), or None."""
        rows = self._db().execute("SELECT owner, sentence_id, overlap FROM assignment ORDER BY sentence_id").fetchall()
        if not rows:
            return None
        order = (self.meta("assignment") or {}).get("reviewers") or []
        queues: dict[str, list[int]] = {name: [] for name in order}
        overlap = set()
        for r in rows:
            queues.setdefault(r["owner"], []).append(r["sentence_id"])
            if r["overlap"]:
                overlap.add(r["sentence_id"])
        return Assignment({name: tuple(ids) for name, ids in queues.items()}, tuple(sorted(overlap)))

    # -- re-projection generations (core.review.reproject) -------------------------------
    def reprojectable_ids(self) -> list[int]:
        """Sentences a re-projection may change: not done and without any decision."""
        rows = self._db().execute(
            "SELECT st.sentence_id AS id FROM sentence_state st WHERE st.done = 0 AND NOT EXISTS "
            "(SELECT 1 FROM decisions d WHERE d.sentence_id = st.sentence_id AND d.action != 'undecided') ORDER BY st.sentence_id"
        )
        return [r["id"] for r in rows]

    def base_alignments(self, sentence_ids: Iterable[int]) -> dict[int, tuple[tuple[int, int, float], ...]]:
        """Each sentence's alignment as the project was built (before any re-projection added
        links), so evidence never compounds from one generation to the next."""
        db = self._db()
        out = {}
        for sid in sentence_ids:
            row = db.execute(
                "SELECT previous FROM projection_history WHERE sentence_id = ? ORDER BY generation LIMIT 1", (sid,)
            ).fetchone()
            text = (
                json.loads(row["previous"])["alignment"]
                if row
                else db.execute("SELECT alignment FROM sentences WHERE id = ?", (sid,)).fetchone()["alignment"]
            )
            out[sid] = tuple((i, j, w) for i, j, w in json.loads(text))
        return out

    def replace_projections(
        self, rows: dict[int, NewSentence], evidence: dict[int, list], summary: dict, reviewer: str = ""
    ) -> tuple[int | None, int]:
        """Store new proposals for the sentences in ``rows`` as a new generation, in one
        transaction; returns ``(generation, sentences changed)``.

        A sentence that is done or has a decision by now (a reviewer was quicker) is left
        alone. For each sentence whose proposals or links change, the previous columns are
        kept verbatim in ``projection_history`` with the evidence, so
        :meth:`undo_reprojection` restores them exactly. When nothing changes no generation
        is stored: ``(None, 0)``."""
        self._ensure_aggregates()
        with self._transaction() as db:
            allowed = set(self.reprojectable_ids())
            last = db.execute("SELECT COALESCE(MAX(generation), 0) AS g FROM projection_generations").fetchone()["g"]
            generation = last + 1
            db.execute(
                "INSERT INTO projection_generations (generation, created, reviewer, evidence, considered, changed) "
                "VALUES (?,?,?,?,?,0)",
                (generation, time.time(), reviewer, json.dumps(summary), len(rows)),
            )
            changed = 0
            for sid, new in rows.items():
                if sid not in allowed:
                    continue
                old = db.execute(
                    f"SELECT {', '.join(PROJECTION_COLUMNS)} FROM sentences WHERE id = ?", (sid,)
                ).fetchone()
                values = _projection_columns(new)
                if all(old[c] == values[c] for c in PROJECTION_COLUMNS):
                    continue
                db.execute(
                    f"UPDATE sentences SET {', '.join(c + ' = ?' for c in PROJECTION_COLUMNS)} WHERE id = ?",
                    [values[c] for c in PROJECTION_COLUMNS] + [sid],
                )
                self._rewrite_aggregates(db, sid)
                db.execute(
                    "INSERT INTO projection_history (generation, sentence_id, previous, proposals, evidence) VALUES (?,?,?,?,?)",
                    (
                        generation,
                        sid,
                        json.dumps({c: old[c] for c in PROJECTION_COLUMNS}),
                        json.dumps(values),
                        json.dumps(evidence.get(sid, [])),
                    ),
                )
                changed += 1
            if changed == 0:  # nothing new: no generation to list or undo
                db.execute("DELETE FROM projection_generations WHERE generation = ?", (generation,))
                return None, 0
            db.execute("UPDATE projection_generations SET changed = ? WHERE generation = ?", (changed, generation))
        self._labels = None
        return generation, changed

    def projection_generations(self) -> list[dict]:
        """Every re-projection, oldest first: number, when, by whom, the evidence summary,
        sentences considered and changed, and when it was undone (None if it stands)."""
        rows = self._db().execute("SELECT * FROM projection_generations ORDER BY generation")
        return [{**dict(r), "evidence": json.loads(r["evidence"])} for r in rows]

    def current_generation(self) -> int:
        """The latest generation that stands (0: the projection the project was built with)."""
        row = (
            self._db()
            .execute("SELECT MAX(generation) AS g FROM projection_generations WHERE undone_at IS NULL")
            .fetchone()
        )
        return row["g"] or 0

    def projection_provenance(self, sentence_id: int) -> list[dict]:
        """The generations that changed one sentence, oldest first: ``generation``, the
        ``evidence`` used, and whether that generation was undone."""
        rows = self._db().execute(
            "SELECT h.generation, h.evidence, g.undone_at FROM projection_history h JOIN projection_generations g "
            "ON g.generation = h.generation WHERE h.sentence_id = ? ORDER BY h.generation",
            (sentence_id,),
        )
        return [
            {"generation": r["generation"], "evidence": json.loads(r["evidence"]), "undone": r["undone_at"] is not None}
            for r in rows
        ]

    def undo_reprojection(self, reviewer: str = "") -> tuple[int | None, int, int]:
        """Take back the latest standing re-projection: every sentence it changed gets its
        previous proposals back, column for column. A sentence someone has decided on or
        finished since keeps the proposals those decisions were made on. Returns
        ``(generation undone or None, sentences restored, sentences kept)``."""
        self._ensure_aggregates()
        with self._transaction() as db:
            row = db.execute(
                "SELECT MAX(generation) AS g FROM projection_generations WHERE undone_at IS NULL"
            ).fetchone()
            generation = row["g"]
            if generation is None:
                return None, 0, 0
            allowed = set(self.reprojectable_ids())
            restored = kept = 0
            for h in db.execute(
                "SELECT sentence_id, previous FROM projection_history WHERE generation = ?", (generation,)
            ).fetchall():
                if h["sentence_id"] not in allowed:
                    kept += 1
                    continue
                previous = json.loads(h["previous"])
                db.execute(
                    f"UPDATE sentences SET {', '.join(c + ' = ?' for c in PROJECTION_COLUMNS)} WHERE id = ?",
                    [previous[c] for c in PROJECTION_COLUMNS] + [h["sentence_id"]],
                )
                self._rewrite_aggregates(db, h["sentence_id"])
                restored += 1
            db.execute(
                "UPDATE projection_generations SET undone_at = ?, undone_by = ? WHERE generation = ?",
                (time.time(), reviewer, generation),
            )
        self._labels = None
        return generation, restored, kept

    # -- position and statistics -------------------------------------------------------
    def set_position(self, reviewer: str, sentence_id: int) -> None:
        """Where a reviewer is. Not worth an fsync of its own: it reaches the disk with the next
        decision (WAL keeps commits in order), and a lost position only reopens one sentence back."""
        db = self._db()
        if db.in_transaction:  # part of a batch: on disk with it
            db.execute(
                "INSERT OR REPLACE INTO position (reviewer, sentence_id, ts) VALUES (?,?,?)",
                (reviewer, sentence_id, time.time()),
            )
            return
        db.execute("PRAGMA synchronous=NORMAL")
        try:
            with self._transaction():
                db.execute(
                    "INSERT OR REPLACE INTO position (reviewer, sentence_id, ts) VALUES (?,?,?)",
                    (reviewer, sentence_id, time.time()),
                )
        finally:
            db.execute("PRAGMA synchronous=FULL")

    def position(self, reviewer: str = "default") -> int | None:
        row = self._db().execute("SELECT sentence_id FROM position WHERE reviewer = ?", (reviewer,)).fetchone()
        return row["sentence_id"] if row else None

    def progress(self) -> tuple[int, int]:
        """(done, total) sentences."""
        index = self._done_index()  # a COUNT would walk as many index rows as are done
        if index is not None:
            return len(index.done), self.count()
        done = self._db().execute("SELECT COUNT(*) FROM sentence_state WHERE done = 1").fetchone()[0]  # the index
        return int(done), self.count()

    def done_ids(self, owner: str | None = None) -> set[int]:
        """The sentences anyone (or ``owner``) marked done."""
        if owner is not None:
            rows = self._db().execute("SELECT sentence_id FROM reviewer_state WHERE done = 1 AND owner = ?", (owner,))
        else:
            rows = self._db().execute("SELECT sentence_id FROM sentence_state WHERE done = 1")
        return {r["sentence_id"] for r in rows}

    def done_times(self) -> list[tuple[int, float, float]]:
        """(sentence id, done at, seconds spent) of every done sentence."""
        rows = self._db().execute(
            "SELECT sentence_id, done_at, seconds FROM sentence_state WHERE done = 1 ORDER BY done_at"
        )
        return [(r["sentence_id"], r["done_at"], r["seconds"]) for r in rows]

    def events(self) -> list[dict]:
        rows = self._db().execute(
            "SELECT id, ts, session, batch, sentence_id, item, kind, before, after, undone, reviewer, action_id, owner FROM events ORDER BY id"
        )
        return [dict(r) for r in rows]

    # -- review aggregates (feature "review_aggregates"): filters, counts and totals in SQL ----
    def _write_aggregates(self, db, written: Sequence[tuple[int, NewSentence | SentenceRecord]]) -> None:
        """The narrow facts, proposal methods and per-label entity counts of sentences being
        written (inside the caller's transaction)."""
        facts, methods, counts, counted, labels = [], [], [], [], set()
        for sid, s in written:
            heuristic = [span for span, _, _ in s.heuristic]
            matching = [span for span, _, _ in s.matching]
            proposals = proposals_of(s.heuristic, s.matching)
            by = {p.item: ("both" if len(p.methods) == 2 else f"{p.methods[0]} only") for p in proposals}
            scores = [score for _, _, score in list(s.heuristic) + list(s.matching)]
            sentence_labels = sorted({span.label for span in list(s.source_spans) + heuristic + matching})
            labels.update(sentence_labels)
            has_gold = int(s.gold_spans is not None)
            facts.append(
                (
                    sid,
                    has_gold,
                    int(spans_differ(heuristic, matching)),
                    min(scores) if scores else 1.0,
                    " " + " ".join(sentence_labels) + " ",
                    (" ".join(s.source_tokens) + "\n" + " ".join(s.target_tokens)).lower(),
                    sum(v == "both" for v in by.values()),
                    sum(v == "heuristic only" for v in by.values()),
                    sum(v == "matching only" for v in by.values()),
                )
            )
            methods += [(sid, p.item, by[p.item], p.span.label) for p in proposals]
            gold = s.gold_spans
            if gold is not None:
                counts += [("gold", sid, label, 1, n, n) for label, (n, _) in label_counts(gold, gold).items()]
            for name, spans in (("heuristic", heuristic), ("matching", matching)):
                counts += [(name, sid, label, has_gold, n, tp) for label, (n, tp) in label_counts(spans, gold).items()]
                ordered = sorted({(x.start, x.end, x.label) for x in spans})
                if any(b[0] < a[1] for a, b in pairwise(ordered)):
                    counted.append(sid)  # the method's own spans overlap: count its cleaned spans instead
        db.executemany("INSERT OR REPLACE INTO sentence_facts VALUES (?,?,?,?,?,?,?,?,?)", facts)
        db.executemany("INSERT OR REPLACE INTO proposal_methods VALUES (?,?,?,?)", methods)
        db.executemany("INSERT OR REPLACE INTO span_counts VALUES (?,?,?,?,?,?)", counts)
        db.executemany("INSERT OR IGNORE INTO label_set VALUES (?)", [(label,) for label in labels])
        by_id = dict(written)
        for sid in sorted(set(counted)):
            self._count_review(db, sid, by_id[sid], {})

    def _rewrite_aggregates(self, db, sentence_id: int) -> None:
        """A sentence's facts, proposal methods and method counts again, after its proposals
        changed (re-projection or its undo; inside the caller's transaction, after
        :meth:`_ensure_aggregates`)."""
        db.execute("DELETE FROM proposal_methods WHERE sentence_id = ?", (sentence_id,))
        db.execute(
            "DELETE FROM span_counts WHERE sentence_id = ? AND variant IN ('heuristic', 'matching')", (sentence_id,)
        )
        row = db.execute("SELECT * FROM sentences WHERE id = ?", (sentence_id,)).fetchone()
        self._write_aggregates(db, [(sentence_id, self._record(row))])

    def _count_review(self, db, sentence_id: int, record, decisions: dict[str, Decision]) -> None:
        """The entity counts of a sentence's cleaned spans (its decisions, and for a sentence not
        done yet either method for what nobody decided), as variants ``final:none``,
        ``final:heuristic`` and ``final:matching``."""
        proposals = proposals_of(record.heuristic, record.matching)
        gold, has_gold = record.gold_spans, int(record.gold_spans is not None)
        db.execute(
            "DELETE FROM span_counts WHERE variant IN ('final:none', 'final:heuristic', 'final:matching') "
            "AND sentence_id = ?",
            (sentence_id,),
        )
        rows = []
        for fallback in (None, "heuristic", "matching"):
            kept = [span for span, *_ in final_spans(proposals, decisions, fallback)]
            rows += [
                (f"final:{fallback or 'none'}", sentence_id, label, has_gold, n, tp)
                for label, (n, tp) in label_counts(kept, gold).items()
            ]
        db.executemany("INSERT INTO span_counts VALUES (?,?,?,?,?,?)", rows)
        db.execute("INSERT OR IGNORE INTO counted_reviews (sentence_id) VALUES (?)", (sentence_id,))

    def _ensure_aggregates(self) -> None:
        """Fill the aggregate tables for sentences written before they existed (a migrated
        database); once per store."""
        if getattr(self, "_aggregates_ready", False):
            return
        db = self._db()
        missing = db.execute(
            "SELECT (SELECT COUNT(*) FROM sentences) - (SELECT COUNT(*) FROM sentence_facts)"
        ).fetchone()[0]
        while missing > 0:
            with self._transaction() as tx:
                rows = tx.execute(
                    "SELECT * FROM sentences WHERE id NOT IN (SELECT sentence_id FROM sentence_facts) "
                    "ORDER BY id LIMIT 2000"
                ).fetchall()
                self._write_aggregates(tx, [(r["id"], self._record(r)) for r in rows])
            missing -= len(rows) if rows else missing
        self._aggregates_ready = True

    def version(self) -> tuple[int, int]:
        """A cheap project version for caches: (sentences, latest event id). Every decision, done,
        reopen and undo adds an event."""
        latest = self._db().execute("SELECT MAX(id) FROM events").fetchone()[0]
        return self.count(), int(latest or 0)

    def refresh_counts(self) -> None:
        """Bring the per-sentence counts of reviewed sentences up to date: only the sentences
        with events since the last refresh are counted again."""
        self._ensure_aggregates()
        db = self._db()
        latest = self.version()[1]
        mark = db.execute("SELECT value FROM aggregate_marks WHERE key = 'events'").fetchone()
        if mark is not None and mark[0] >= latest:
            return
        outer = db.in_transaction
        if not outer:  # derived data, rebuilt from the events when lost: no fsync of its own
            db.execute("PRAGMA synchronous=NORMAL")
        try:
            with self._transaction() as tx:
                row = tx.execute("SELECT value FROM aggregate_marks WHERE key = 'events'").fetchone()
                since = row[0] if row else 0
                latest = tx.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
                touched = [r[0] for r in tx.execute("SELECT DISTINCT sentence_id FROM events WHERE id > ?", (since,))]
                for sid in touched:
                    self._count_review(tx, sid, self.sentence(sid), self.decisions(sid))
                tx.execute("INSERT OR REPLACE INTO aggregate_marks (key, value) VALUES ('events', ?)", (latest,))
        finally:
            if not outer:
                db.execute("PRAGMA synchronous=FULL")

    def has_gold(self) -> bool:
        self._ensure_aggregates()
        return self._db().execute("SELECT 1 FROM sentence_facts WHERE has_gold = 1 LIMIT 1").fetchone() is not None

    def anything_reviewed(self) -> bool:
        """True once a sentence is done or a span decided."""
        db = self._db()
        return (
            db.execute("SELECT 1 FROM sentence_state WHERE done = 1 LIMIT 1").fetchone() is not None
            or db.execute("SELECT 1 FROM decisions WHERE action != 'undecided' LIMIT 1").fetchone() is not None
        )

    def gold_totals(self) -> dict[str, int]:
        """Gold entities per label over the sentences with gold."""
        self._ensure_aggregates()
        rows = self._db().execute("SELECT label, SUM(n) FROM span_counts WHERE variant = 'gold' GROUP BY label")
        return {r[0]: int(r[1]) for r in rows}

    def method_totals(self, method: str, gold_only: bool = True) -> dict[str, tuple[int, int]]:
        """label -> (spans, true positives) of one method's projection."""
        if method not in ("heuristic", "matching"):
            raise ValueError(f"unknown method {method!r}")
        self._ensure_aggregates()
        where = " AND has_gold = 1" if gold_only else ""
        rows = self._db().execute(
            f"SELECT label, SUM(n), SUM(tp) FROM span_counts WHERE variant = ?{where} GROUP BY label", (method,)
        )
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}

    def cleaned_totals(
        self, fallback: str | None, gold_only: bool = False, done_only: bool = False
    ) -> dict[str, tuple[int, int]]:
        """label -> (spans, true positives) of the cleaned corpus, as the export writes it: a done
        sentence's decisions, elsewhere the decisions so far plus ``fallback``'s projection for
        what nobody decided (nothing when ``fallback`` is None)."""
        if fallback not in (None, "heuristic", "matching"):
            raise ValueError(f"unknown method {fallback!r}")
        self.refresh_counts()
        gold = " AND c.has_gold = 1" if gold_only else ""
        done = " AND st.done = 1" if done_only else ""
        counted = (
            "SELECT c.label, c.n, c.tp FROM counted_reviews r JOIN sentence_state st ON st.sentence_id = r.sentence_id "
            "JOIN span_counts c ON c.variant = CASE WHEN st.done = 1 THEN 'final:none' ELSE ? END "
            f"AND c.sentence_id = r.sentence_id WHERE 1{gold}{done}"
        )
        parts = [(counted, [f"final:{fallback or 'none'}"])]
        if fallback is not None and not done_only:  # sentences nobody touched: the method's own counts
            untouched = (
                f"SELECT c.label, c.n, c.tp FROM span_counts c WHERE c.variant = ?{gold} "
                "AND c.sentence_id NOT IN (SELECT sentence_id FROM counted_reviews)"
            )
            parts.append((untouched, [fallback]))
        sql = "SELECT label, SUM(n), SUM(tp) FROM (" + " UNION ALL ".join(p for p, _ in parts) + ") GROUP BY label"
        rows = self._db().execute(sql, [a for _, args in parts for a in args])
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}

    def method_overlap_counts(self) -> dict[str, int]:
        """Sentences, sentences where the methods differ, and proposals both / one method made."""
        self._ensure_aggregates()
        row = (
            self._db()
            .execute(
                "SELECT COUNT(*), COALESCE(SUM(disagree), 0), COALESCE(SUM(both), 0), COALESCE(SUM(heuristic_only), 0), "
                "COALESCE(SUM(matching_only), 0) FROM sentence_facts"
            )
            .fetchone()
        )
        return dict(zip(("sentences", "disagreeing", "both", "heuristic_only", "matching_only"), map(int, row)))

    def disagreeing(self, offset: int = 0, limit: int = 50) -> list[SentenceRecord]:
        """One page of the sentences where the methods differ, in corpus order."""
        rows = (
            self._db()
            .execute(
                "SELECT * FROM sentences WHERE disagree = 1 ORDER BY id LIMIT ? OFFSET ?",
                (max(int(limit), 0), max(int(offset), 0)),
            )
            .fetchall()
        )
        return [self._record(r) for r in rows]

    def decision_counts(self) -> list[tuple[str, str, str, int]]:
        """(proposed by, label, decision, count) over the current decisions (undecided left out);
        "proposed by" is both, heuristic only, matching only, or added."""
        self._ensure_aggregates()
        rows = self._db().execute(
            "SELECT COALESCE(p.proposed_by, 'added'), COALESCE(p.label, d.label, '?'), d.action, COUNT(*) "
            "FROM decisions d LEFT JOIN proposal_methods p ON p.sentence_id = d.sentence_id AND p.item = d.item "
            "WHERE d.action != 'undecided' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        )
        return [(r[0], r[1], r[2], int(r[3])) for r in rows]

    def review_seconds(self) -> list[float]:
        """The recorded times of done sentences (unknown ones left out), shortest first."""
        rows = self._db().execute("SELECT seconds FROM sentence_state WHERE done = 1 AND seconds > 0 ORDER BY seconds")
        return [r[0] for r in rows]

    def done_curve(self, points: int = 400) -> list[tuple[float, int]]:
        """(time, sentences done by then) at most ``points`` times, the last one included."""
        db = self._db()
        total = db.execute("SELECT COUNT(*) FROM sentence_state WHERE done = 1").fetchone()[0]
        if not total:
            return []
        step = max(1, -(-total // max(points, 1)))
        rows = db.execute(
            "SELECT done_at, k FROM (SELECT done_at, ROW_NUMBER() OVER (ORDER BY done_at) AS k FROM sentence_state "
            "WHERE done = 1) WHERE k % ? = 0 OR k = ? ORDER BY k",
            (step, total),
        )
        return [(r[0], int(r[1])) for r in rows]

    def done_between(self, first: int, last: int) -> list[int]:
        """The done sentences among ``first`` to ``last`` (inclusive)."""
        rows = self._db().execute(
            "SELECT sentence_id FROM sentence_state WHERE done = 1 AND sentence_id BETWEEN ? AND ?", (first, last)
        )
        return [r[0] for r in rows]

    def sentence_ids(self, done_only: bool = False) -> list[int]:
        sql = (
            "SELECT sentence_id FROM sentence_state"
            + (" WHERE done = 1" if done_only else "")
            + " ORDER BY sentence_id"
        )
        return [r[0] for r in self._db().execute(sql)]

    def decisions_between(self, first: int, last: int) -> dict[int, dict[str, Decision]]:
        """The current decisions of sentences ``first`` to ``last`` (inclusive)."""
        table: dict[int, dict[str, Decision]] = {}
        rows = self._db().execute(
            f"SELECT sentence_id, {DECISION_COLUMNS} FROM decisions WHERE sentence_id BETWEEN ? AND ? "
            "ORDER BY sentence_id, event_id",
            (first, last),
        )  # the latest decision on an item wins
        for r in rows:
            table.setdefault(r["sentence_id"], {})[r["item"]] = _decision(r)
        return table

    # -- filters ---------------------------------------------------------------------------
    # A sentence's disagreement, scores, labels and text never change once it is written, so the
    # ids passing those filters are found once (one SQL pass) and kept, sorted, per filter; the
    # "unreviewed" filter changes with every Enter: see _done_index.
    def _projection_stamp(self) -> tuple:
        """Changes whenever a re-projection or its undo rewrites proposals (any process)."""
        row = self._db().execute("SELECT COUNT(*), MAX(undone_at) FROM projection_generations").fetchone()
        return (row[0], row[1])

    def _static_key(self, filters: Filters) -> tuple:
        return (
            filters.disagree,
            filters.max_score,
            filters.label,
            filters.text,
            self.count(),
            self._projection_stamp(),
        )

    def _static_ids(self, filters: Filters) -> array | None:
        """The sorted ids passing the filters other than "unreviewed" (None when none is set)."""
        key = self._static_key(filters)
        if not any(key[:4]):
            return None
        cache = self.__dict__.setdefault("_static_filter_cache", OrderedDict())
        found = cache.get(key)
        if found is None:
            self._ensure_aggregates()
            clauses: list[str] = []
            args: list[float | str] = []
            if filters.disagree:
                clauses.append("disagree = 1")
            if filters.max_score is not None:
                clauses.append("min_score < ?")
                args.append(filters.max_score)
            if filters.label:
                clauses.append("instr(labels, ?) > 0")
                args.append(f" {filters.label} ")
            if filters.text:
                clauses.append("instr(search, ?) > 0")
                args.append(filters.text.lower())
            rows = self._db().execute(
                f"SELECT sentence_id FROM sentence_facts WHERE {' AND '.join(clauses)} ORDER BY sentence_id", args
            )
            found = array("q", (r[0] for r in rows))
            cache[key] = found
            while len(cache) > 16:
                cache.popitem(last=False)
        cache.move_to_end(key)
        return found

    # The done ids change with every Enter. Reading them all again, and walking them in Python,
    # cost 170 ms a script run with 50,000 of 100,000 sentences done and a fixed filter on; they
    # are kept sorted instead and brought up to date from the events logged since (every done,
    # reopen and undo logs one, and commits add them in order), with the done ids within each
    # fixed filter's ids beside them.
    def _done_index(self) -> _DoneIndex | None:
        """The done ids as of the last commit, or None inside a write transaction (its events
        may still roll back; the callers then ask the database)."""
        db = self._db()
        if db.in_transaction:
            return None
        latest = int(db.execute("SELECT MAX(id) FROM events").fetchone()[0] or 0)
        with self._done_lock:
            index: _DoneIndex | None = self.__dict__.get("_done_cache")
            if index is None or index.count != self.count() or latest < index.event_id:
                rows = db.execute("SELECT sentence_id FROM sentence_state WHERE done = 1 ORDER BY sentence_id")
                index = _DoneIndex(latest, self.count(), array("q", (r[0] for r in rows)), OrderedDict())
            elif latest > index.event_id:
                changed = db.execute(
                    "SELECT sentence_id, done FROM sentence_state WHERE sentence_id IN "
                    "(SELECT DISTINCT sentence_id FROM events WHERE id > ? AND id <= ?)",
                    (index.event_id, latest),
                ).fetchall()
                index = index.updated(latest, {r[0]: bool(r[1]) for r in changed})
            self._done_cache = index
        return index

    def _done_within(self, index: _DoneIndex, filters: Filters, static: array) -> array:
        """The done ids among ``static`` (the ids passing ``filters``' fixed part), kept with ``index``."""
        key = self._static_key(filters)
        with self._done_lock:
            found = index.within.get(key)
            if found is None:
                found = (static, array("q", (sid for sid in index.done if _has(static, sid))))
                index.within[key] = found
                while len(index.within) > 16:
                    index.within.popitem(last=False)
        return found[1]

    def _is_done(self, unreviewed: bool):
        """A test ``sentence id -> done`` for skipping done sentences (always False without
        ``unreviewed``)."""
        if not unreviewed:
            return lambda sid: False
        index = self._done_index()
        if index is not None:
            return lambda sid: _has(index.done, sid)
        db = self._db()  # inside a write transaction: one row a candidate
        return lambda sid: bool(
            (db.execute("SELECT done FROM sentence_state WHERE sentence_id = ?", (sid,)).fetchone() or (0,))[0]
        )

    def filtered_count(self, filters: Filters, before: int | None = None) -> int:
        """How many sentences pass the filters (``before``: with an id below it)."""
        static = self._static_ids(filters)
        index = self._done_index() if filters.unreviewed else None
        if static is None:  # all sentences, less the done ones
            db, bound = self._db(), ("", ()) if before is None else (" AND sentence_id < ?", (before,))
            if before is None:
                total = self.count()
            elif self._ids_dense():  # a position near the end of 100,000 sentences: no count over 100,000 ids
                total = min(max(before, 0), self.count())
            else:
                total = db.execute("SELECT COUNT(*) FROM sentence_state WHERE sentence_id < ?", (before,)).fetchone()[0]
            if not filters.unreviewed:
                return int(total)
            if index is not None:
                return int(total - (len(index.done) if before is None else bisect_left(index.done, before)))
            return int(  # inside a write transaction: the index on done, as many rows as are done
                total
                - db.execute(f"SELECT COUNT(*) FROM sentence_state WHERE done = 1{bound[0]}", bound[1]).fetchone()[0]
            )
        high = len(static) if before is None else bisect_left(static, before)
        if not filters.unreviewed:
            return high
        if index is not None:
            within = self._done_within(index, filters, static)
            return high - (len(within) if before is None else bisect_left(within, before))
        done = 0  # inside a write transaction: walk the done ids
        for (sid,) in self._db().execute("SELECT sentence_id FROM sentence_state WHERE done = 1"):
            k = bisect_left(static, sid)
            done += k < high and static[k] == sid
        return high - done

    def filtered_step(self, filters: Filters, sentence_id: int, step: int) -> int | None:
        """The first id after (``step`` > 0) or before ``sentence_id`` passing the filters."""
        static = self._static_ids(filters)
        if static is None:
            not_done = " AND done = 0" if filters.unreviewed else ""
            sql = (
                f"SELECT sentence_id FROM sentence_state WHERE sentence_id > ?{not_done} ORDER BY sentence_id LIMIT 1"
                if step > 0
                else f"SELECT sentence_id FROM sentence_state WHERE sentence_id < ?{not_done} ORDER BY sentence_id DESC LIMIT 1"
            )
            row = self._db().execute(sql, (sentence_id,)).fetchone()
            return row[0] if row else None
        is_done = self._is_done(filters.unreviewed)
        if step > 0:
            candidates = (static[k] for k in range(bisect_right(static, sentence_id), len(static)))
        else:
            candidates = (static[k] for k in range(bisect_left(static, sentence_id) - 1, -1, -1))
        return next((sid for sid in candidates if not is_done(sid)), None)

    def filtered_contains(self, filters: Filters, sentence_id: int) -> bool:
        static = self._static_ids(filters)
        if static is not None and not _has(static, sentence_id):
            return False
        row = self._db().execute("SELECT done FROM sentence_state WHERE sentence_id = ?", (sentence_id,)).fetchone()
        return row is not None and not (filters.unreviewed and row[0])

    def filtered_page(self, filters: Filters, after: int, limit: int) -> list[int]:
        """Up to ``limit`` ids after ``after`` passing the filters, in order."""
        static = self._static_ids(filters)
        if static is None:
            not_done = " AND done = 0" if filters.unreviewed else ""
            rows = self._db().execute(
                f"SELECT sentence_id FROM sentence_state WHERE sentence_id > ?{not_done} ORDER BY sentence_id LIMIT ?",
                (after, limit),
            )
            return [r[0] for r in rows]
        is_done = self._is_done(filters.unreviewed)
        found = []
        for k in range(bisect_right(static, after), len(static)):
            if not is_done(static[k]):
                found.append(static[k])
                if len(found) >= limit:
                    break
        return found


def _has(ids: array, sentence_id: int) -> bool:
    """Whether the sorted ``ids`` hold ``sentence_id``."""
    k = bisect_left(ids, sentence_id)
    return k < len(ids) and ids[k] == sentence_id


def _with_states(ids: array, states: dict[int, bool]) -> array:
    """The sorted ``ids`` with each id of ``states`` put in (True) or taken out (False); a new
    array, since a reader in another thread may hold ``ids``."""
    changes = {sid: done for sid, done in states.items() if done != _has(ids, sid)}
    if not changes:
        return ids
    out = list(ids)
    for sid, done in sorted(changes.items()):
        k = bisect_left(out, sid)
        if done:
            out.insert(k, sid)
        else:
            del out[k]
    return array("q", out)


@dataclass(frozen=True)
class _DoneIndex:
    """The done sentence ids (sorted) as of event ``event_id`` of a project of ``count``
    sentences; ``within``: per fixed filter, its ids and the done ones among them."""

    event_id: int
    count: int
    done: array
    within: OrderedDict

    def updated(self, event_id: int, states: dict[int, bool]) -> _DoneIndex:
        within = OrderedDict(
            (key, (static, _with_states(sub, {sid: d for sid, d in states.items() if _has(static, sid)})))
            for key, (static, sub) in self.within.items()
        )
        return _DoneIndex(event_id, self.count, _with_states(self.done, states), within)


def _projection_columns(s: NewSentence) -> dict:
    """The :data:`PROJECTION_COLUMNS` of a sentence row, written as :meth:`ReviewStore.add_sentences` writes them."""
    heuristic_spans = [span for span, _, _ in s.heuristic]
    matching_spans = [span for span, _, _ in s.matching]
    scores = [score for _, _, score in list(s.heuristic) + list(s.matching)]
    labels = sorted({span.label for span in list(s.source_spans) + heuristic_spans + matching_spans})
    return {
        "alignment": json.dumps([[i, j, round(w, 3)] for i, j, w in s.alignment]),
        "heuristic": json.dumps([[p.start, p.end, p.label, src, round(sc, 4)] for p, src, sc in s.heuristic]),
        "matching": json.dumps([[p.start, p.end, p.label, src, round(sc, 4)] for p, src, sc in s.matching]),
        "candidates": json.dumps(
            {str(e): [[a, b, round(c, 4)] for a, b, c in cands] for e, cands in s.candidates.items()}
        ),
        "disagree": int(spans_differ(heuristic_spans, matching_spans)),
        "min_score": min(scores) if scores else 1.0,
        "labels": " " + " ".join(labels) + " ",
    }


def _quote(tokens: Sequence[str], span: Span) -> str:
    return f"“{' '.join(tokens[span.start : span.end])}” {span.label}"


def _decision(row: sqlite3.Row) -> Decision:
    span = Span(row["start"], row["end"], row["label"]) if row["start"] is not None else None
    return Decision(
        row["item"],
        row["action"],
        span,
        row["version"],
        row["event_id"],
        row["updated_at"],
        row["reviewer"],
        row["owner"],
    )


def _decision_json(d: Decision) -> dict:
    return {
        "item": d.item,
        "action": d.action,
        "span": None if d.span is None else [d.span.start, d.span.end, d.span.label],
        "version": d.version,
        "event_id": d.event_id,
        "updated_at": d.updated_at,
        "reviewer": d.reviewer,
        "owner": d.owner,
    }


class FilteredIds(Sequence[int]):
    """The ids passing a set of filters, asked of the database when needed instead of listed:
    the next and previous one, the count, a position. Counts are kept for the object's life
    (one script run)."""

    def __init__(self, store: ReviewStore, filters: Filters):
        self.store = store
        self.filters = filters
        self._len: int | None = None

    def __len__(self) -> int:
        if self._len is None:
            self._len = self.store.filtered_count(self.filters)
        return self._len

    def __bool__(self) -> bool:
        return self.store.filtered_step(self.filters, -1, +1) is not None

    def __contains__(self, sentence_id: object) -> bool:
        return isinstance(sentence_id, int) and self.store.filtered_contains(self.filters, sentence_id)

    def __iter__(self) -> Iterator[int]:
        last = -1
        while True:
            page = self.store.filtered_page(self.filters, last, 5000)
            yield from page
            if len(page) < 5000:
                return
            last = page[-1]

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(self)[index]
        if index == 0 or index == -1:
            found = self.store.filtered_step(self.filters, -1 if index == 0 else 2**62, +1 if index == 0 else -1)
            if found is None:
                raise IndexError("no sentence passes the filters")
            return found
        n = len(self)
        k = index + n if index < 0 else index
        if not 0 <= k < n:
            raise IndexError(index)
        page = self.store.filtered_page(self.filters, -1, k + 1)  # rare: the screen asks only for ends and neighbours
        return page[k]

    def index(self, sentence_id: int, *args) -> int:
        if sentence_id not in self:
            raise ValueError(f"{sentence_id} does not pass the filters")
        return self.store.filtered_count(self.filters, before=sentence_id)

    def neighbour(self, current: int, step: int) -> int:
        """The next (+1) or previous (-1) id from ``current`` (which may not pass the filters);
        ``current`` itself at either end."""
        found = self.store.filtered_step(self.filters, current, step)
        return current if found is None else found

    def nearest(self, sentence_id: int) -> int:
        """``sentence_id`` if it passes, else the next one that does, else the last one (or
        ``sentence_id`` when none passes)."""
        if sentence_id in self:
            return sentence_id
        found = self.store.filtered_step(self.filters, sentence_id, +1)
        if found is None:
            found = self.store.filtered_step(self.filters, sentence_id, -1)
        return sentence_id if found is None else found
