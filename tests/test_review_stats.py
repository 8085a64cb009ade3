"""The numbers behind the Compare and Statistics pages, on a copy of the built demo."""

from __future__ import annotations

import pytest
from helpers import build_demo_project, copy_project

from core.review.actions import apply_action
from core.review.project import open_project
from core.review.stats import acceptance_rate, median, method_f1, seconds_per_sentence


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_demo_project(tmp_path_factory.mktemp("built-stats") / "demo-es").folder


@pytest.fixture
def project(built, tmp_path):
    return open_project(copy_project(built, tmp_path / "demo-es"))


def test_median_of_odd_even_and_no_values():
    assert median([9.0, 1.0, 5.0]) == 5.0
    assert median([6.0, 2.0, 4.0, 9.0]) == 5.0  # the mean of the two middle values
    assert median([3.0]) == 3.0
    assert median([]) is None


def test_seconds_leave_out_unknown_times():
    assert seconds_per_sentence([(0, 1.0, 4.0), (1, 2.0, 0.0), (2, 3.0, None), (3, 4.0, 2.5)]) == [4.0, 2.5]


def test_acceptance_rate_counts_judged_spans_only():
    rows = [{"decision": d} for d in ("accept", "accept", "fix", "reject", "add", "undecided")]
    assert acceptance_rate(rows) == pytest.approx(0.5)
    assert acceptance_rate([{"decision": "add"}]) is None
    assert acceptance_rate([]) is None


def test_after_review_appears_once_something_is_reviewed_and_uses_the_primary_method(project):
    store = project.store
    records = list(store.sentences())
    before = method_f1(store, records, "heuristic")
    assert set(before) == {"heuristic", "matching"}
    assert before["heuristic"].overall.f1 != before["matching"].overall.f1  # the demo tells them apart
    both = next(p for p in store.sentence(0).proposals() if len(p.methods) == 2)
    span = [both.span.start, both.span.end, both.span.label]
    outcome = apply_action(
        store, "s", {"type": "accept", "sid": 0, "item": both.item, "span": span, "version": 0}, list(range(36))
    )
    assert not outcome.conflict
    for primary in ("heuristic", "matching"):
        after = method_f1(store, records, primary)
        # one accepted span both methods proposed: the rest is the primary method's projection
        assert after["after review"].overall.f1 == pytest.approx(after[primary].overall.f1)
