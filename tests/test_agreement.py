"""Agreement between reviewers (and methods) on overlap sentences, checked against hand
computation, scikit-learn, statsmodels and seqeval."""

from __future__ import annotations

import doctest
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from seqeval.metrics import f1_score as seqeval_f1
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

import core.review.agreement
from core.corpus.io import read_parallel, read_pharaoh
from core.corpus.tags import spans_to_iob2
from core.datamodel import Span
from core.errors import LabelBridgeError
from core.projection.heuristic import project_heuristic
from core.review.agreement import (
    AgreementError,
    AgreementRow,
    SentenceReviews,
    agreement_frame,
    agreement_table,
    cohen_kappa,
    fleiss_kappa,
    span_agreement,
    span_agreement_by_label,
    token_labels,
    with_annotator,
)
from tests.helpers import DEMO

P, L, O = "PER", "LOC", "ORG"

# Three reviewers, planted disagreements:
#   sentence 1: cy's PER is one word longer (boundary);
#   sentence 2: ben labels the ORG as LOC (label);
#   sentence 3: ben misses the LOC (missing span);
#   sentence 4: only ana and ben reviewed it, both kept nothing.
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


def token_columns(reviews, first, second):
    a, b = [], []
    for sentence in reviews:
        if first in sentence.spans and second in sentence.spans:
            a += token_labels(sentence.spans[first], sentence.length)
            b += token_labels(sentence.spans[second], sentence.length)
    return a, b


@pytest.mark.parametrize(
    "first, second, match, matched, first_count, second_count, f1",
    [
        # ana-ben: sentence 1 both spans, sentence 3 the PER: 3 of 5 + 4 spans.
        ("ana", "ben", "exact", 3, 5, 4, 6 / 9),
        ("ana", "ben", "partial", 3, 5, 4, 6 / 9),  # a label difference never matches
        # ana-cy: the boundary difference misses exactly, matches partially.
        ("ana", "cy", "exact", 4, 5, 5, 8 / 10),
        ("ana", "cy", "partial", 5, 5, 5, 1.0),
        ("ben", "cy", "exact", 2, 4, 5, 4 / 9),
        ("ben", "cy", "partial", 3, 4, 5, 6 / 9),
    ],
)
def test_span_f1_on_the_planted_sample(first, second, match, matched, first_count, second_count, f1):
    counts = span_agreement(PLANTED, first, second, match)
    assert (counts.matched, counts.first, counts.second) == (matched, first_count, second_count)
    assert counts.f1 == pytest.approx(f1)
    reverse = span_agreement(PLANTED, second, first, match)
    assert (reverse.matched, reverse.f1) == (counts.matched, counts.f1)


def test_span_f1_per_label_on_the_planted_sample():
    table = span_agreement_by_label(PLANTED, "ana", "ben", "exact")
    assert set(table) == {P, L, O, "ALL"}
    assert (table[P].matched, table[P].first, table[P].second, table[P].f1) == (2, 2, 2, 1.0)
    assert (table[L].matched, table[L].first, table[L].second, table[L].f1) == (1, 2, 2, 0.5)
    assert (table[O].matched, table[O].first, table[O].second, table[O].f1) == (0, 1, 0, 0.0)
    # ana-cy PER: the boundary difference in sentence 1 misses exactly (1 of 2 + 2), matches partially.
    assert span_agreement_by_label(PLANTED, "ana", "cy", "exact")[P].f1 == 0.5
    assert span_agreement_by_label(PLANTED, "ana", "cy", "partial")[P].f1 == 1.0


def test_cohen_kappa_on_the_planted_sample_by_hand_and_by_sklearn():
    # ana and ben over 18 tokens: 14 agree; ana PER 3 LOC 3 ORG 2 O 10, ben PER 3 LOC 3 O 12.
    # p_o = 14/18, p_e = (9 + 9 + 0 + 120) / 324, kappa = 114/186.
    assert cohen_kappa(PLANTED, "ana", "ben") == pytest.approx(114 / 186)
    for first, second in [("ana", "ben"), ("ana", "cy"), ("ben", "cy")]:
        a, b = token_columns(PLANTED, first, second)
        assert cohen_kappa(PLANTED, first, second) == pytest.approx(cohen_kappa_score(a, b))


def test_fleiss_kappa_on_the_planted_sample_matches_statsmodels():
    # Sentence 4 is left out: cy did not review it. 15 tokens, three raters.
    columns = [sum((token_labels(s.spans[name], s.length) for s in PLANTED[:3]), []) for name in ("ana", "ben", "cy")]
    table, _ = aggregate_raters(list(zip(*columns)))
    expected = statsmodels_fleiss(table, method="fleiss")
    assert fleiss_kappa(PLANTED) == pytest.approx(expected)
    assert fleiss_kappa(PLANTED, ["ana", "ben", "cy"]) == pytest.approx(expected)
    # For two raters on the same tokens Fleiss' kappa is Scott's pi, not Cohen's kappa; check against statsmodels too.
    a, b = token_columns(PLANTED, "ana", "ben")
    pair_table, _ = aggregate_raters(list(zip(a, b)))
    assert fleiss_kappa(PLANTED, ["ana", "ben"]) == pytest.approx(statsmodels_fleiss(pair_table, method="fleiss"))


def test_fleiss_kappa_reproduces_the_worked_example():
    """Fleiss (1971) as worked on Wikipedia: 10 subjects, 14 raters, 5 categories, kappa 0.210.
    Each subject is a token; each rater an annotator whose one-token span carries the category."""
    counts = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    categories = ["O", "A", "B", "C", "D"]
    spans = {f"r{k}": [] for k in range(14)}
    for token, row in enumerate(counts):
        labels = [category for category, n in zip(categories, row) for _ in range(n)]
        for rater, label in enumerate(labels):
            if label != "O":
                spans[f"r{rater}"].append(Span(token, token + 1, label))
    reviews = [SentenceReviews(0, 10, {name: tuple(s) for name, s in spans.items()})]
    assert fleiss_kappa(reviews) == pytest.approx(0.20993, abs=5e-6)


def test_kappa_is_none_when_undefined():
    all_outside = [SentenceReviews(0, 3, {"ana": (), "ben": ()})]
    assert cohen_kappa(all_outside, "ana", "ben") is None
    assert fleiss_kappa(all_outside) is None
    assert cohen_kappa(PLANTED, "ana", "nobody") is None
    assert fleiss_kappa(PLANTED, ["ana"]) is None
    assert span_agreement(all_outside, "ana", "ben").f1 is None


def test_the_heuristic_against_gold_on_the_demo_matches_seqeval_and_sklearn():
    """Real data: the demo's Spanish gold as a reviewer, the heuristic projection (shipped
    alignments) as one more annotator. Exact span F1 is seqeval's F1; kappa sklearn's."""
    pairs = read_parallel(DEMO / "en.conll", DEMO / "es.conll")
    alignments = read_pharaoh(DEMO / "en-es.pharaoh", pairs)
    reviews = [SentenceReviews(k, len(pair.target), {"gold": pair.target.spans}) for k, pair in enumerate(pairs)]
    heuristic = {
        k: [p.span for p in project_heuristic(pair.source.spans, alignment)]
        for k, (pair, alignment) in enumerate(zip(pairs, alignments))
    }
    reviews = with_annotator(reviews, "heuristic", heuristic)

    gold_tags = [spans_to_iob2(pair.target.spans, len(pair.target)) for pair in pairs]
    heuristic_tags = [spans_to_iob2(heuristic[k], len(pair.target)) for k, pair in enumerate(pairs)]
    exact = span_agreement(reviews, "gold", "heuristic", "exact")
    assert exact.f1 == pytest.approx(seqeval_f1(gold_tags, heuristic_tags))
    partial = span_agreement(reviews, "gold", "heuristic", "partial")
    assert exact.f1 <= partial.f1 <= 1.0
    a, b = token_columns(reviews, "gold", "heuristic")
    assert len(a) == sum(len(pair.target) for pair in pairs)
    assert cohen_kappa(reviews, "gold", "heuristic") == pytest.approx(cohen_kappa_score(a, b))
    assert 0.3 < cohen_kappa(reviews, "gold", "heuristic") < 1.0


def test_agreement_table_rows_and_csv(tmp_path):
    reviews = with_annotator(PLANTED, "heuristic", {1: [Span(0, 2, P)], 2: [Span(1, 3, O)], 3: []})
    rows = agreement_table(reviews, fleiss_group=["ana", "ben", "cy"])
    pairs = {(row.first, row.second) for row in rows if row.measure != "fleiss_kappa"}
    assert len(pairs) == 6  # ana, ben, cy, heuristic: every pair
    row = next(r for r in rows if (r.first, r.second, r.label, r.measure) == ("ana", "ben", "ALL", "f1_exact"))
    assert row == AgreementRow("ana", "ben", "ALL", "f1_exact", pytest.approx(6 / 9), 4, 9)
    kappa = next(r for r in rows if (r.first, r.second, r.measure) == ("ana", "ben", "cohen_kappa"))
    assert (kappa.value, kappa.sentences, kappa.support) == (pytest.approx(114 / 186), 4, 18)
    # The heuristic was not given sentence 4: compared on sentences 1-3 only.
    method = next(r for r in rows if (r.first, r.second, r.label, r.measure) == ("ana", "heuristic", "ALL", "f1_exact"))
    assert (method.value, method.sentences, method.support) == (pytest.approx(2 * 2 / 7), 3, 7)
    fleiss = [r for r in rows if r.measure == "fleiss_kappa"]
    assert len(fleiss) == 1 and fleiss[0].first == "ana+ben+cy"
    assert (fleiss[0].value, fleiss[0].sentences, fleiss[0].support) == (pytest.approx(fleiss_kappa(PLANTED)), 3, 15)
    # label rows: ana-ben has PER, LOC and ORG under both match kinds
    labels = {r.label for r in rows if (r.first, r.second, r.measure) == ("ana", "ben", "f1_partial")}
    assert labels == {"ALL", P, L, O}

    frame = agreement_frame(rows)
    assert list(frame.columns) == ["first", "second", "label", "measure", "value", "sentences", "support"]
    assert len(frame) == len(rows)
    path = tmp_path / "agreement.csv"
    frame.to_csv(path, index=False)
    import pandas as pd

    back = pd.read_csv(path, keep_default_na=False)
    assert back.loc[0, "first"] == rows[0].first and float(back.loc[0, "value"]) == pytest.approx(rows[0].value)


def test_undefined_values_stay_empty_in_the_table():
    rows = agreement_table([SentenceReviews(0, 3, {"ana": (), "ben": ()})])
    assert {r.measure: r.value for r in rows if r.label == "ALL"} == {
        "f1_exact": None,
        "f1_partial": None,
        "cohen_kappa": None,
        "fleiss_kappa": None,
    }
    assert agreement_frame(rows)["value"].isna().all()


def test_partial_matching_is_one_to_one_and_the_largest():
    # ana's long span overlaps both of ben's; one-to-one, it matches only one of them.
    one_long = [SentenceReviews(0, 6, {"ana": (Span(0, 4, P),), "ben": (Span(0, 2, P), Span(2, 4, P))})]
    assert span_agreement(one_long, "ana", "ben", "partial").matched == 1
    # ben's [1, 3) overlaps both of ana's spans, ben's [3, 5) only the second: the largest
    # matching gives [1, 3) the first and [3, 5) the second.
    chain = [SentenceReviews(0, 6, {"ana": (Span(0, 2, P), Span(2, 4, P)), "ben": (Span(1, 3, P), Span(3, 5, P))})]
    assert span_agreement(chain, "ana", "ben", "partial").matched == 2


span_lists = st.lists(st.tuples(st.integers(0, 9), st.integers(1, 3), st.sampled_from([P, L, O])), max_size=5)


def non_overlapping(raw) -> tuple[Span, ...]:
    kept: list[Span] = []
    for start, width, label in raw:
        span = Span(start, min(start + width, 10), label)
        if not any(span.overlaps(other) for other in kept):
            kept.append(span)
    return tuple(kept)


@given(st.lists(st.tuples(span_lists, span_lists), min_size=1, max_size=4))
def test_any_pair_agrees_with_sklearn_and_partial_is_at_least_exact(sentences):
    reviews = [
        SentenceReviews(k, 10, {"a": non_overlapping(x), "b": non_overlapping(y)}) for k, (x, y) in enumerate(sentences)
    ]
    a, b = token_columns(reviews, "a", "b")
    ours = cohen_kappa(reviews, "a", "b")
    theirs = cohen_kappa_score(a, b) if len(set(a) | set(b)) > 1 else math.nan
    if ours is None:
        assert math.isnan(theirs) or set(a) == set(b) == {"O"}
    else:
        assert ours == pytest.approx(theirs)
    exact, partial = span_agreement(reviews, "a", "b", "exact"), span_agreement(reviews, "a", "b", "partial")
    assert exact.matched <= partial.matched <= min(exact.first, exact.second)


@pytest.mark.parametrize(
    "build, message",
    [
        (
            lambda: SentenceReviews(5, 3, {"ana": (Span(2, 4, P),)}),
            r"sentence 5: ana's span \[2, 4\) PER runs past its 3 tokens",
        ),
        (
            lambda: SentenceReviews(5, 6, {"ana": (Span(0, 3, P), Span(2, 4, L))}),
            r"sentence 5: ana's spans \[0, 3\) and \[2, 4\) overlap",
        ),
        (lambda: SentenceReviews(5, 3, {"ana": [(0, 1, "PER")]}), "ana's spans must be a list of spans"),
        (lambda: SentenceReviews(5, 3, {"ana": Span(0, 1, P)}), "ana's spans must be a list of spans"),
        (lambda: SentenceReviews(5, -1, {}), "whole number of tokens"),
        (lambda: SentenceReviews(5, 2.5, {}), "whole number of tokens"),
        (lambda: span_agreement(PLANTED, "ana", "ben", "fuzzy"), "unknown span match 'fuzzy'"),
        (lambda: agreement_table(PLANTED, ["ana", "ben", "ana"]), "annotator 'ana' is listed twice"),
        (lambda: agreement_table(PLANTED, fleiss_group=["ana", "ana"]), "annotator 'ana' is listed twice"),
        (lambda: fleiss_kappa(PLANTED, ["ben", "ben"]), "annotator 'ben' is listed twice"),
        (lambda: with_annotator(PLANTED, "ana", {}), "already has an annotator named 'ana'"),
        (lambda: with_annotator(PLANTED, "heuristic", {1: [Span(5, 8, P)]}), "heuristic's span .* runs past"),
    ],
)
def test_bad_inputs_are_clear_errors(build, message):
    with pytest.raises(AgreementError, match=message) as caught:
        build()
    assert isinstance(caught.value, LabelBridgeError)


def test_docstring_examples():
    assert doctest.testmod(core.review.agreement).failed == 0
