"""Splitting a project's sentences among reviewers, with an overlap every reviewer gets."""

from __future__ import annotations

import doctest
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

import core.review.assignment
from core.corpus.io import read_conll
from core.errors import LabelBridgeError
from core.review.assignment import Assignment, AssignmentError, assign
from tests.helpers import DEMO

REVIEWERS = ["ana", "ben", "cy"]


def check_invariants(assignment: Assignment, ids: list[int], reviewers: list[str]) -> None:
    """Every sentence assigned; the overlap in every queue; the rest once each, balanced;
    queues in corpus order."""
    overlap = set(assignment.overlap)
    assert list(assignment.queues) == reviewers
    outside = Counter(i for queue in assignment.queues.values() for i in queue if i not in overlap)
    assert set(outside) | overlap == set(ids)
    assert all(count == 1 for count in outside.values())
    assert not set(outside) & overlap
    for queue in assignment.queues.values():
        assert overlap <= set(queue)
        assert list(queue) == sorted(queue, key=ids.index)
        assert len(set(queue)) == len(queue)
    sizes = [len(queue) - len(overlap) for queue in assignment.queues.values()]
    assert max(sizes) - min(sizes) <= 1
    assert list(assignment.overlap) == sorted(overlap, key=ids.index)


def demo_ids() -> list[int]:
    return list(range(len(read_conll(DEMO / "es.conll"))))


@pytest.mark.parametrize("strategy", ["contiguous", "random"])
def test_the_demo_corpus_split_among_three_reviewers(strategy):
    ids = demo_ids()
    assert len(ids) == 36
    assignment = assign(ids, REVIEWERS, overlap=0.1, strategy=strategy, seed=7)
    check_invariants(assignment, ids, REVIEWERS)
    # 10% of 36 is 3.6, rounded to 4; the other 32 dealt 11, 11, 10.
    assert len(assignment.overlap) == 4
    assert [len(q) for q in assignment.queues.values()] == [15, 15, 14]
    for sentence_id in assignment.overlap:
        assert assignment.reviewers_of(sentence_id) == tuple(REVIEWERS)


def test_contiguous_shares_are_runs_of_the_corpus():
    ids = list(range(100, 130))
    assignment = assign(ids, REVIEWERS, overlap=0.2, strategy="contiguous", seed=3)
    overlap = set(assignment.overlap)
    shares = [[i for i in queue if i not in overlap] for queue in assignment.queues.values()]
    rest = [i for i in ids if i not in overlap]
    assert shares[0] + shares[1] + shares[2] == rest
    assert [len(s) for s in shares] == [8, 8, 8]


def test_random_shares_differ_from_runs_and_follow_the_seed():
    ids = list(range(60))
    first = assign(ids, REVIEWERS, overlap=0.1, strategy="random", seed=1)
    again = assign(ids, REVIEWERS, overlap=0.1, strategy="random", seed=1)
    other = assign(ids, REVIEWERS, overlap=0.1, strategy="random", seed=2)
    assert first == again
    assert first != other
    overlap = set(first.overlap)
    rest = [i for i in ids if i not in overlap]
    share = [i for i in first.queues["ana"] if i not in overlap]
    assert share != rest[: len(share)]


def test_the_overlap_does_not_depend_on_the_strategy():
    ids = list(range(50))
    runs = assign(ids, REVIEWERS, overlap=0.1, strategy="contiguous", seed=5)
    shuffled = assign(ids, REVIEWERS, overlap=0.1, strategy="random", seed=5)
    assert runs.overlap == shuffled.overlap


@pytest.mark.parametrize("share, expected", [(0, 0), (0.0001, 1), (0.1, 4), (0.5, 18), (1, 36)])
def test_overlap_size(share, expected):
    ids = demo_ids()
    assignment = assign(ids, REVIEWERS, overlap=share, seed=0)
    assert len(assignment.overlap) == expected
    check_invariants(assignment, ids, REVIEWERS)


def test_everything_overlaps_at_one():
    assignment = assign(range(5), REVIEWERS, overlap=1)
    assert all(queue == (0, 1, 2, 3, 4) for queue in assignment.queues.values())


def test_more_reviewers_than_sentences_and_no_sentences():
    assignment = assign([4, 2], ["a", "b", "c"], overlap=0)
    assert assignment.queues == {"a": (4,), "b": (2,), "c": ()}
    empty = assign([], ["a", "b"], overlap=0.5)
    assert empty == Assignment({"a": (), "b": ()}, ())


def test_numpy_ids_become_plain_integers():
    import numpy as np

    assignment = assign(np.arange(4), ["a", "b"], overlap=0)
    assert assignment.queues == {"a": (0, 1), "b": (2, 3)}
    assert all(type(i) is int for queue in assignment.queues.values() for i in queue)


def test_one_reviewer_gets_everything_in_order():
    assert assign([9, 3, 5], ["solo"], overlap=0.3, seed=0).queues == {"solo": (9, 3, 5)}


@given(
    ids=st.lists(st.integers(0, 10_000), unique=True, max_size=80),
    reviewers=st.lists(
        st.text(alphabet="abcdefg", min_size=1, max_size=4), unique_by=str.casefold, min_size=1, max_size=6
    ),
    share=st.floats(0, 1),
    strategy=st.sampled_from(["contiguous", "random"]),
    seed=st.integers(0, 2**32),
)
def test_invariants_hold_for_any_input(ids, reviewers, share, strategy, seed):
    assignment = assign(ids, reviewers, overlap=share, strategy=strategy, seed=seed)
    check_invariants(assignment, ids, reviewers)
    assert assignment == assign(ids, reviewers, overlap=share, strategy=strategy, seed=seed)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"reviewers": []}, "no reviewers"),
        ({"reviewers": ["ana", "ben", "ana"]}, "'ana' is listed twice"),
        ({"reviewers": ["Ana", " ana "]}, "'ana' is listed twice"),
        ({"reviewers": ["ana", "  "]}, "non-empty"),
        ({"reviewers": ["ana", None]}, "non-empty"),
        ({"reviewers": "ana"}, "not one string"),
        ({"overlap": -0.1}, "from 0 to 1"),
        ({"overlap": 1.5}, "from 0 to 1"),
        ({"overlap": 10}, "from 0 to 1"),
        ({"overlap": float("nan")}, "from 0 to 1"),
        ({"overlap": "10%"}, "from 0 to 1"),
        ({"overlap": True}, "from 0 to 1"),
        ({"strategy": "round-robin"}, "unknown assignment strategy"),
        ({"sentence_ids": [1, 2, 2]}, "sentence id 2 is listed twice"),
        ({"sentence_ids": [1, "2"]}, "must be integers"),
    ],
)
def test_bad_inputs_are_clear_errors(kwargs, message):
    arguments = {"sentence_ids": range(10), "reviewers": REVIEWERS, **kwargs}
    with pytest.raises(AssignmentError, match=message) as caught:
        assign(**arguments)
    assert isinstance(caught.value, LabelBridgeError)


def test_docstring_examples():
    assert doctest.testmod(core.review.assignment).failed == 0
