"""The final decision for overlap sentences, and the list of sentences reviewers disagree on."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

import core.review.adjudication
from core.datamodel import Span
from core.errors import LabelBridgeError
from core.review.adjudication import (
    Disagreement,
    Resolution,
    disagreements,
    majority_spans,
    resolve,
    resolve_all,
)
from core.review.agreement import AgreementError, SentenceReviews

P, L, O = "PER", "LOC", "ORG"
PRIMARY = (Span(0, 1, P),)

# The planted sample of test_agreement: boundary (1), label (2) and missing-span (3)
# disagreements among three reviewers; sentence 4 reviewed by two, who agree.
PLANTED = [
    SentenceReviews(
        1,
        6,
        {
            "ana": (Span(0, 2, P), Span(4, 5, L)),
            "ben": (Span(0, 2, P), Span(4, 5, L)),
            "cy": (Span(0, 3, P), Span(4, 5, L)),
        },
    ),
    SentenceReviews(2, 5, {"ana": (Span(1, 3, O),), "ben": (Span(1, 3, L),), "cy": (Span(1, 3, O),)}),
    SentenceReviews(
        3, 4, {"ana": (Span(0, 1, P), Span(2, 4, L)), "ben": (Span(0, 1, P),), "cy": (Span(0, 1, P), Span(2, 4, L))}
    ),
    SentenceReviews(4, 3, {"ana": (), "ben": ()}),
]


def test_majority_settles_each_planted_disagreement():
    results = resolve_all(PLANTED, primary={n: PRIMARY for n in range(1, 5)})
    assert [r.rule for r in results] == ["majority"] * 4
    assert results[0].spans == (Span(0, 2, P), Span(4, 5, L))  # cy's longer PER loses 1:2
    assert results[1].spans == (Span(1, 3, O),)  # ben's LOC loses 1:2
    assert results[2].spans == (Span(0, 1, P), Span(2, 4, L))  # ben's missing LOC loses 1:2
    assert results[3].spans == ()  # both kept nothing: the majority keeps nothing


def test_a_span_needs_more_than_half_of_the_reviewers():
    # Four reviewers: a span kept by two of them is a tie, by three a majority.
    three = SentenceReviews(9, 5, {"a": (Span(0, 2, P),), "b": (Span(0, 2, P),), "c": (Span(0, 2, P),), "d": ()})
    assert majority_spans(three) == (Span(0, 2, P),)
    tie = SentenceReviews(9, 5, {"a": (Span(0, 2, P),), "b": (Span(0, 2, P),), "c": (), "d": ()})
    assert majority_spans(tie) is None
    # Three reviewers, three different boundaries: no span has a majority, so nothing is kept.
    split = SentenceReviews(9, 5, {"a": (Span(0, 1, P),), "b": (Span(0, 2, P),), "c": (Span(0, 3, P),)})
    assert majority_spans(split) == ()


def test_the_rules_in_order():
    ana, cy = (Span(0, 2, P),), (Span(0, 1, P),)
    two = SentenceReviews(3, 5, {"ana": ana, "cy": cy})  # a tie on both spans
    settled = (Span(1, 2, L),)
    assert resolve(two, adjudicated=settled, lead="cy", primary=PRIMARY) == Resolution(3, settled, "adjudicated")
    # An adjudication with no spans still settles the sentence.
    assert resolve(two, adjudicated=[], lead="cy", primary=PRIMARY) == Resolution(3, (), "adjudicated")
    assert resolve(two, lead="cy", primary=PRIMARY) == Resolution(3, cy, "lead")
    # A lead who did not review the sentence leaves it to the primary method.
    assert resolve(two, lead="dee", primary=PRIMARY) == Resolution(3, PRIMARY, "primary")
    assert resolve(two, primary=PRIMARY) == Resolution(3, PRIMARY, "primary")
    # Nobody reviewed it: the primary method.
    assert resolve(SentenceReviews(3, 5, {}), lead="cy", primary=PRIMARY).rule == "primary"
    # A majority comes before the lead, even when the lead is outvoted.
    three = SentenceReviews(3, 5, {"ana": ana, "ben": ana, "cy": cy})
    assert resolve(three, lead="cy", primary=PRIMARY) == Resolution(3, ana, "majority")
    # One reviewer is a majority of one.
    assert resolve(SentenceReviews(3, 5, {"ana": ana}), primary=PRIMARY) == Resolution(3, ana, "majority")


def test_resolve_all_looks_up_adjudications_and_primary_by_id():
    two = [
        SentenceReviews(1, 4, {"a": (Span(0, 1, P),), "b": ()}),
        SentenceReviews(2, 4, {"a": (Span(0, 1, P),), "b": ()}),
    ]
    results = resolve_all(two, adjudicated={2: [Span(2, 3, O)]}, primary={1: [Span(3, 4, L)]})
    assert results == [Resolution(1, (Span(3, 4, L),), "primary"), Resolution(2, (Span(2, 3, O),), "adjudicated")]
    assert resolve_all(two)[0] == Resolution(1, (), "primary")


span_sets = st.lists(st.tuples(st.integers(0, 7), st.integers(1, 3), st.sampled_from([P, L])), max_size=4)


def non_overlapping(raw) -> tuple[Span, ...]:
    kept: list[Span] = []
    for start, width, label in raw:
        span = Span(start, min(start + width, 8), label)
        if not any(span.overlaps(other) for other in kept):
            kept.append(span)
    return tuple(kept)


@given(st.lists(span_sets, min_size=1, max_size=5))
def test_a_majority_never_overlaps_and_each_span_has_more_than_half(reviews):
    sentence = SentenceReviews(0, 8, {f"r{k}": non_overlapping(raw) for k, raw in enumerate(reviews)})
    majority = majority_spans(sentence)
    if majority is None:
        return
    assert all(not a.overlaps(b) for a in majority for b in majority if a != b)
    for span in majority:
        assert 2 * sum(span in spans for spans in sentence.spans.values()) > len(sentence.spans)


def test_disagreements_list_the_planted_sentences_with_each_reviewers_spans():
    found = disagreements(PLANTED)
    assert [d.sentence_id for d in found] == [1, 2, 3]
    boundary = found[0]
    assert boundary.spans["cy"] == (Span(0, 3, P), Span(4, 5, L))
    assert boundary.length == 6
    assert boundary.votes == (
        (Span(0, 2, P), ("ana", "ben")),
        (Span(0, 3, P), ("cy",)),
        (Span(4, 5, L), ("ana", "ben", "cy")),
    )
    assert boundary.agreed == (Span(4, 5, L),)
    assert found[1].agreed == () and found[1].votes == ((Span(1, 3, L), ("ben",)), (Span(1, 3, O), ("ana", "cy")))
    assert found[2].agreed == (Span(0, 1, P),)


def test_no_disagreement_when_reviewers_agree_or_only_one_reviewed():
    same = SentenceReviews(1, 4, {"a": (Span(0, 1, P),), "b": (Span(0, 1, P),)})
    one = SentenceReviews(2, 4, {"a": (Span(0, 1, P),)})
    assert disagreements([same, one, SentenceReviews(3, 4, {})]) == []


def test_a_disagreement_is_plain_data():
    found = disagreements([SentenceReviews(4, 3, {"ana": (Span(0, 1, L),), "ben": ()})])
    assert found == [Disagreement(4, 3, {"ana": (Span(0, 1, L),), "ben": ()}, ((Span(0, 1, L), ("ana",)),))]


@pytest.mark.parametrize(
    "build, message",
    [
        (
            lambda: resolve(PLANTED[3], adjudicated=[Span(1, 5, P)]),
            r"sentence 4: the adjudication's span \[1, 5\) PER runs past its 3 tokens",
        ),
        (
            lambda: resolve(PLANTED[3], adjudicated=[Span(0, 2, P), Span(1, 3, L)]),
            "the adjudication's spans .* overlap",
        ),
        (
            lambda: resolve(SentenceReviews(4, 3, {"a": (Span(0, 1, P),), "b": ()}), primary=[Span(2, 9, P)]),
            "the primary method's span .* runs past",
        ),
    ],
)
def test_bad_spans_are_clear_errors(build, message):
    with pytest.raises(AgreementError, match=message) as caught:
        build()
    assert isinstance(caught.value, LabelBridgeError)


def test_docstring_examples():
    assert doctest.testmod(core.review.adjudication).failed == 0
