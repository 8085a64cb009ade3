"""The store's SQL aggregates give the same numbers as loading every sentence: F1 equal to
seqeval's (float for float) on the demo and on a random project, decisions per method and
label, method counts, the filters as queries, a migrated database, and the streamed export."""

from __future__ import annotations

import random
import sqlite3
from dataclasses import replace
from functools import partial

import pytest
from helpers import build_demo_project, copy_project

from core.corpus.evaluate import evaluate
from core.datamodel import Sentence, Span
from core.review.actions import apply_action
from core.review.counts import label_counts, scores
from core.review.export import clean_sentences, export_file, to_conll, to_jsonl
from core.review.model import Filters, NewSentence
from core.review.project import open_project
from core.review.stats import (
    acceptance,
    acceptance_rate,
    decision_summary,
    decision_table,
    method_counts,
    method_f1,
    project_counts,
    project_f1,
)
from core.review.store import REVIEW_AGGREGATES_STEP, SCHEMA_VERSION, FilteredIds, ReviewStore

LABELS = ("PER", "LOC", "ORG", "MISC")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_demo_project(tmp_path_factory.mktemp("built-aggregates") / "demo-es").folder


@pytest.fixture
def demo(built, tmp_path):
    return open_project(copy_project(built, tmp_path / "demo-es"))


def random_spans(rng: random.Random, n_tokens: int, k: int) -> list[Span]:
    """Up to ``k`` non-overlapping spans with random labels."""
    spans, free = [], list(range(n_tokens))
    for _ in range(k):
        start = rng.randrange(n_tokens)
        end = min(n_tokens, start + rng.randint(1, 3))
        if all(i in free for i in range(start, end)):
            spans.append(Span(start, end, rng.choice(LABELS)))
            free = [i for i in free if not start <= i < end]
    return sorted(spans, key=lambda s: s.start)


def random_project(path, n: int = 300, seed: int = 7) -> ReviewStore:
    rng = random.Random(seed)
    rows = []
    for k in range(n):
        n_tokens = rng.randint(1, 12)
        source = random_spans(rng, n_tokens, 3)
        gold = random_spans(rng, n_tokens, 3) if k % 5 else None  # every fifth sentence has no gold
        # the methods often find the gold span, sometimes one word off, sometimes nothing
        heuristic = [s for s in (gold or []) if rng.random() < 0.7] + random_spans(rng, n_tokens, 1)
        heuristic = [s for i, s in enumerate(heuristic) if not any(s.overlaps(t) for t in heuristic[:i])]
        matching = [s for s in (gold or []) if rng.random() < 0.8]
        rows.append(
            NewSentence(
                [f"w{i}" for i in range(n_tokens)],
                source,
                [f"t{i}" for i in range(n_tokens)],
                gold,
                [(0, 0, 1.0)],
                [(s, 0, round(rng.random(), 3)) for s in heuristic],
                [(s, 0, round(rng.random(), 3)) for s in matching],
                {},
            )
        )
    store = ReviewStore(path)
    store.add_sentences(rows)
    return store


def review_randomly(store: ReviewStore, rng: random.Random, steps: int, check) -> None:
    """Accept, reject, fix, add, mark done and undo at random, calling ``check`` now and then."""
    n = store.count()
    ids = list(range(n))
    for step in range(steps):
        sid = rng.randrange(n)
        record = store.sentence(sid)
        decisions = store.decisions(sid)
        proposals = record.proposals()
        kind = rng.choice(["accept", "reject", "fix", "add", "done", "done", "undo"])
        action = {"type": kind, "sid": sid}
        if kind in ("accept", "reject", "fix"):
            if not proposals:
                continue
            p = rng.choice(proposals)
            version = decisions[p.item].version if p.item in decisions else 0
            action.update(item=p.item, version=version)
            span = p.span
            if kind == "fix":
                end = min(len(record.target_tokens), span.end + 1)
                span = Span(span.start, end, rng.choice(store.labels()))
            action["span"] = [span.start, span.end, span.label]
        elif kind == "add":
            n_tokens = len(record.target_tokens)
            start = rng.randrange(n_tokens)
            action["span"] = [start, start + 1, rng.choice(store.labels())]
        elif kind == "done":
            action["seconds"] = rng.random() * 20
        apply_action(store, f"tab{step % 3}", action, ids, "matching")
        if step % 15 == 14:
            check()
    check()


def check_f1(store: ReviewStore) -> None:
    records = list(store.sentences())
    for primary in ("matching", "heuristic"):
        assert project_f1(store, primary) == method_f1(store, records, primary)  # float for float


def test_counts_give_seqevals_scores_on_random_spans():
    rng = random.Random(3)
    for _ in range(40):
        gold_sentences, predicted_sentences = [], []
        predicted, gold = {}, {}
        for _ in range(rng.randint(1, 30)):
            n = rng.randint(1, 10)
            g, p = random_spans(rng, n, 3), random_spans(rng, n, 3)
            gold_sentences.append(Sentence(tuple("x" * n), tuple(g)))
            predicted_sentences.append(Sentence(tuple("x" * n), tuple(p)))
            for label, (k, tp) in label_counts(p, g).items():
                predicted[label] = (predicted.get(label, (0, 0))[0] + k, predicted.get(label, (0, 0))[1] + tp)
            for label, (k, _) in label_counts(g, g).items():
                gold[label] = gold.get(label, 0) + k
        assert scores(predicted, gold) == evaluate(gold_sentences, predicted_sentences)


def test_project_f1_equals_seqeval_on_the_demo_through_a_review(demo):
    store = demo.store
    check_f1(store)
    assert "after review" not in project_f1(store)
    review_randomly(store, random.Random(11), 120, lambda: check_f1(store))
    assert "after review" in project_f1(store)


def test_project_f1_equals_seqeval_on_a_random_project(tmp_path):
    store = random_project(tmp_path / "random.sqlite")
    check_f1(store)
    review_randomly(store, random.Random(5), 400, lambda: check_f1(store))


def test_project_without_gold_has_no_f1(tmp_path):
    store = ReviewStore(tmp_path / "nogold.sqlite")
    store.add_sentences(
        [NewSentence(["a"], [Span(0, 1, "PER")], ["b"], None, [], [(Span(0, 1, "PER"), 0, 0.9)], [], {})]
    )
    assert project_f1(store) == method_f1(store, list(store.sentences())) == {}


def test_decisions_and_method_counts_in_sql_match_the_sentence_by_sentence_ones(demo):
    store = demo.store
    assert project_counts(store) == method_counts(list(store.sentences()))
    review_randomly(store, random.Random(2), 80, lambda: None)
    rows, summary = decision_table(store), decision_summary(store)
    assert sum(r["count"] for r in summary) == len(rows)
    for by in ("proposed by", "label"):
        assert acceptance(summary, by) == acceptance(rows, by)
    assert acceptance_rate(summary) == pytest.approx(acceptance_rate(rows))


def test_filters_as_queries_match_filtering_every_sentence(tmp_path):
    store = random_project(tmp_path / "random.sqlite", n=200)
    rng = random.Random(1)
    for sid in rng.sample(range(200), 60):
        apply_action(store, "s", {"type": "done", "sid": sid}, list(range(200)))
    records = list(store.sentences())
    done = {sid for sid in range(200) if store.state(sid)[0]}
    cases = [
        Filters(),
        Filters(unreviewed=True),
        Filters(disagree=True),
        Filters(max_score=0.3),
        Filters(label="ORG"),
        Filters(text="t1"),
        Filters(unreviewed=True, disagree=True, label="PER"),
        Filters(text="%"),
        Filters(text="_"),
        Filters(label="OR"),
        Filters(text="no such words"),
    ]
    for filters in cases:
        expected = [
            r.id
            for r in records
            if (not filters.unreviewed or r.id not in done)
            and (not filters.disagree or r.disagree)
            and (filters.max_score is None or r.min_score < filters.max_score)
            and (
                not filters.label
                or filters.label in {s.label for s in list(r.source_spans) + [p.span for p in r.proposals()]}
            )
            and (
                not filters.text
                or filters.text.lower() in (" ".join(r.source_tokens) + "\n" + " ".join(r.target_tokens)).lower()
            )
        ]
        ids = FilteredIds(store, filters)
        assert list(ids) == expected == store.filter_ids(**vars(filters)), filters
        assert len(ids) == len(expected) and bool(ids) == bool(expected)
        for sid in (0, 57, 133, 199):
            later = [i for i in expected if i > sid]
            earlier = [i for i in expected if i < sid]
            assert ids.neighbour(sid, +1) == (later[0] if later else sid)
            assert ids.neighbour(sid, -1) == (earlier[-1] if earlier else sid)
            assert (sid in ids) == (sid in expected)
            nearest = (
                sid if sid in expected or not expected else ([i for i in expected if i >= sid] or expected[-1:])[0]
            )
            assert ids.nearest(sid) == nearest
            if sid in expected:
                assert ids.index(sid) == expected.index(sid)
        if expected:
            assert (ids[0], ids[-1], ids[len(expected) // 2]) == (
                expected[0],
                expected[-1],
                expected[len(expected) // 2],
            )


def test_a_database_from_before_the_aggregates_gets_them_on_opening(demo, tmp_path):
    store = demo.store
    review_randomly(store, random.Random(4), 40, lambda: None)
    expected = {p: method_f1(store, list(store.sentences()), p) for p in ("matching", "heuristic")}
    labels = store.labels()
    path = store.path
    store.close()
    db = sqlite3.connect(path)
    for table in (
        "sentence_facts",
        "span_counts",
        "proposal_methods",
        "counted_reviews",
        "aggregate_marks",
        "label_set",
    ):
        db.execute(f"DROP TABLE {table}")
    db.execute(f"PRAGMA user_version = {REVIEW_AGGREGATES_STEP - 1}")
    db.commit()
    db.close()
    reopened = ReviewStore(path)
    assert reopened.schema_version() == SCHEMA_VERSION
    assert reopened.labels() == labels
    assert {p: project_f1(reopened, p) for p in ("matching", "heuristic")} == expected
    assert reopened.filter_ids(disagree=True) == [r.id for r in reopened.sentences() if r.disagree]


def test_streamed_export_writes_what_the_whole_corpus_export_wrote(demo, tmp_path):
    store = demo.store
    review_randomly(store, random.Random(9), 60, lambda: None)
    for mode, fallback, drop in (("all", "matching", False), ("all", "heuristic", True), ("reviewed", None, False)):
        whole = list(clean_sentences(store, mode, fallback, drop, chunk=100_000))
        chunked = list(clean_sentences(store, mode, fallback, drop, chunk=4))
        assert chunked == whole
        for kind, text in (("conll", to_conll(whole)), ("jsonl", to_jsonl(whole))):
            path = export_file(clean_sentences(store, mode, fallback, drop, chunk=3), kind, tmp_path)
            assert path.read_text(encoding="utf-8") == text
        n = sum(len(s.spans) for s in clean_sentences(store, mode, fallback))
        totals = store.cleaned_totals(fallback, done_only=mode == "reviewed")
        assert sum(k for k, _ in totals.values()) == n


def test_an_empty_project_counts_nothing_and_filters_to_nothing(tmp_path):
    store = ReviewStore(tmp_path / "empty.sqlite")
    assert project_counts(store) == method_counts([])
    assert project_f1(store) == {}
    assert store.cleaned_totals("matching") == {} and store.decision_counts() == []
    assert store.done_curve() == [] and store.review_seconds() == [] and store.labels() == []
    for filters in (Filters(), Filters(unreviewed=True), Filters(text="a")):
        ids = FilteredIds(store, filters)
        assert (len(ids), bool(ids), list(ids), ids.nearest(0), ids.neighbour(0, 1)) == (0, False, [], 0, 0)
        with pytest.raises(IndexError):
            ids[0]


def test_counts_are_refreshed_for_the_sentences_decided_since_and_only_then(demo):
    store = demo.store
    ids = list(range(store.count()))
    before = store.version()
    store.refresh_counts()
    db = store._db()
    changes = db.total_changes
    store.refresh_counts()  # nothing new: nothing written
    assert db.total_changes == changes and store.version() == before
    proposal = store.sentence(5).proposals()[0]
    apply_action(store, "s", {"type": "reject", "sid": 5, "item": proposal.item, "version": 0}, ids)
    assert store.version() > before
    store.refresh_counts()
    rows = db.execute("SELECT DISTINCT sentence_id FROM span_counts WHERE variant LIKE 'final:%'").fetchall()
    assert {r[0] for r in rows} <= {5} | {r[0] for r in db.execute("SELECT sentence_id FROM counted_reviews")}
    assert 5 in {r[0] for r in db.execute("SELECT sentence_id FROM counted_reviews")}
    assert db.execute("SELECT value FROM aggregate_marks WHERE key = 'events'").fetchone()[0] == store.version()[1]


def sqlite_steps(store: ReviewStore, work) -> int:
    """How many thousand SQLite virtual-machine steps ``work`` takes (the work a query does)."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    db = store._db()
    db.set_progress_handler(count, 1000)
    try:
        work()
    finally:
        db.set_progress_handler(None, 1000)
    return steps[0]


def test_the_position_near_the_end_of_a_large_project_is_not_a_count_over_it(tmp_path):
    """ "k of N" on the Review screen: the position of sentence 19,900 of 20,000 was a COUNT over
    the 19,900 ids before it (3 ms at 90,000 of 100,000, more with a cold cache)."""
    store = random_project(tmp_path / "big.sqlite", n=20_000)
    for sid in (5, 19_000):
        apply_action(store, "s", {"type": "done", "sid": sid}, list(range(20_000)))
    for filters in (Filters(), Filters(unreviewed=True)):
        ids = FilteredIds(store, filters)
        assert ids.index(19_900) == 19_900 - (2 if filters.unreviewed else 0)
        near_start = sqlite_steps(store, partial(ids.index, 10))
        near_end = sqlite_steps(store, partial(ids.index, 19_900))
        assert near_end <= near_start + 2, (filters, near_start, near_end)


def test_positions_are_counted_when_the_ids_have_gaps(tmp_path):
    """Ids written from two starting points (0-4 and 10-14) are not 0 .. N-1: counted, not computed."""
    rows = [NewSentence(["w"], [], ["t"], None, [(0, 0, 1.0)], [], [], {}) for _ in range(5)]
    store = ReviewStore(tmp_path / "gaps.sqlite")
    store.add_sentences(rows)
    ids = FilteredIds(store, Filters())
    assert ids.index(4) == 4
    store.add_sentences(rows, start_id=10)
    ids = FilteredIds(store, Filters())
    assert [ids.index(k) for k in (0, 4, 10, 14)] == [0, 4, 5, 9] and len(ids) == 10


def brute_force_ids(store: ReviewStore, filters: Filters) -> list[int]:
    fixed = FilteredIds(store, replace(filters, unreviewed=False))
    return [sid for sid in fixed if not (filters.unreviewed and store.state(sid)[0])]


def test_unreviewed_with_a_fixed_filter_follows_every_done_reopen_and_undo_from_any_connection(tmp_path):
    """The done ids are kept between script runs and brought up to date from the events: what
    this store, another connection (another server process) and a rolled-back batch do."""
    store = random_project(tmp_path / "random.sqlite", n=300)
    other = ReviewStore(tmp_path / "random.sqlite")  # e.g. a second server on the same project
    rng = random.Random(3)
    ids = list(range(300))
    cases = [Filters(unreviewed=True), Filters(unreviewed=True, disagree=True), Filters(unreviewed=True, label="PER")]
    for step in range(120):
        writer = store if step % 3 else other
        sid = rng.randrange(300)
        kind = rng.choice(["done", "done", "reopen", "undo"])
        if kind == "reopen":
            writer.reopen(sid, f"tab{step % 2}")
        else:
            apply_action(writer, f"tab{step % 2}", {"type": kind, "sid": sid}, ids)
        if step % 10 == 5:  # a batch that fails half way: its done marks roll back
            with pytest.raises(RuntimeError):
                with store.batch():
                    apply_action(store, "tab9", {"type": "done", "sid": (sid + 1) % 300}, ids)
                    assert FilteredIds(store, cases[1]).nearest(0) >= 0  # asked inside the transaction
                    raise RuntimeError("the tab went away")
        assert store.progress() == (sum(store.state(i)[0] for i in range(300)), 300), step
        for filters in cases:
            expected = brute_force_ids(store, filters)
            found = FilteredIds(store, filters)
            assert list(found) == expected and len(found) == len(expected), (step, filters)
            for probe in (0, 150, 299):
                later = [i for i in expected if i > probe]
                assert found.neighbour(probe, +1) == (later[0] if later else probe)
                if probe in expected:
                    assert found.index(probe) == expected.index(probe)


def test_a_key_press_with_unreviewed_and_a_fixed_filter_does_not_walk_the_done_ids(tmp_path):
    """170 ms a script run with 50,000 of 100,000 sentences done: the done ids were read and
    walked on every count and step."""
    store = random_project(tmp_path / "big.sqlite", n=20_000)
    ids = list(range(20_000))
    filters = Filters(unreviewed=True, disagree=True)

    def screen() -> None:  # what a Review run asks: the count, the position, the neighbours
        found = FilteredIds(store, filters)
        sid = found.nearest(19_000)
        len(found), found.index(sid), found.neighbour(sid, +1), found.neighbour(sid, -1), store.progress()

    steps = []
    for n_done in (10, 10_000):
        with store.batch():
            for sid in range(0, 2 * n_done, 2):
                if not store.state(sid)[0]:
                    store.set_done(sid, "s", 1.0)
        screen()  # the first run after opening reads the done ids once
        apply_action(store, "s", {"type": "done", "sid": 19_999}, ids)  # an Enter
        steps.append(sqlite_steps(store, screen))
        apply_action(store, "s", {"type": "undo", "sid": 19_999}, ids)
    assert steps[1] <= steps[0] + 2, steps
    assert store.progress() == (len({*range(0, 20_000, 2)} | {19_999}) - 1, 20_000)
