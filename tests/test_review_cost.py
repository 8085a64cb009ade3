"""The simulated reviewer (core/review/cost.py): key presses on the Review screen's key
model to turn a sentence's proposals into its gold spans."""

from __future__ import annotations

from core.datamodel import Span
from core.review.cost import Row, edit_keys, review_keys, rows_of

LOC, ORG = "LOC", "ORG"


def test_a_correct_sentence_is_one_key():
    gold = [Span(1, 3, LOC), Span(5, 6, ORG)]
    rows = rows_of([(gold[0], 0), (gold[1], 1)])
    assert review_keys(rows, gold, 8).keys == 1  # Enter
    assert review_keys([], [], 8).keys == 1


def test_a_boundary_one_word_off_is_two_keys():
    # the README's promise: "Reino" for "Reino Unido" is ⇧→ then Enter
    cost = review_keys(rows_of([(Span(1, 2, LOC), 0)]), [Span(1, 3, LOC)], 5)
    assert (cost.keys, cost.fixed) == (2, 1)


def test_a_wrong_label_costs_one_more_key():
    assert review_keys(rows_of([(Span(1, 3, ORG), 0)]), [Span(1, 3, LOC)], 5).keys == 2
    assert review_keys(rows_of([(Span(1, 2, ORG), 0)]), [Span(1, 3, LOC)], 5).keys == 3


def test_the_candidate_key_beats_long_moves():
    # a candidate list that has gold first: one c instead of 5 moves
    span, gold = Span(0, 1, LOC), Span(3, 6, LOC)
    assert edit_keys(span, gold) == 3 + 5
    assert edit_keys(span, gold, [(3, 6)]) == 1
    assert edit_keys(span, gold, [(0, 2), (2, 6), (3, 6)]) == 3
    assert review_keys([Row(Span(0, 2, LOC), True, 0)], [gold], 8, {0: [(3, 6)]}).keys == 2


def test_a_spurious_primary_span_is_rejected_and_one_of_the_other_method_ignored():
    gold = [Span(4, 5, LOC)]
    rows = rows_of([(Span(0, 1, ORG), 0), (Span(4, 5, LOC), 1)], [(Span(2, 3, ORG), 0)])
    cost = review_keys(rows, gold, 6)
    assert (cost.keys, cost.rejected) == (2, 1)  # x (selects the next row), Enter


def test_a_right_span_of_the_other_method_is_accepted_with_a():
    # rows: matching's "Reino" (wrong, primary) and the heuristic's "Reino Unido"
    rows = rows_of([(Span(1, 2, LOC), 0)], [(Span(1, 3, LOC), 0)])
    assert [r.primary for r in rows] == [True, False]
    cost = review_keys(rows, [Span(1, 3, LOC)], 5)
    assert (cost.keys, cost.fixed) == (2, 1)  # ⇧→ on "Reino" (or ↓ a), Enter
    # here the spurious "el" is rejected (x selects the next row), "Reino Unido" accepted
    rows = rows_of([(Span(0, 1, ORG), 0)], [(Span(1, 3, LOC), 0)])
    cost = review_keys(rows, [Span(1, 3, LOC)], 5)
    assert (cost.keys, cost.accepted, cost.rejected) == (3, 1, 1)  # x, a, Enter


def test_a_missing_span_is_added_and_moved():
    # nothing proposed; gold at 2..4: i (word 0), ⇧→ ×3 (end 1 -> 4), → ×2 (start 0 -> 2), label, Enter
    cost = review_keys([], [Span(2, 4, LOC)], 6)
    assert cost.added == 1
    assert cost.keys == 1 + 5 + 1 + 1  # LOC is not the first label
    # after a proposal, the new word is the first free one after it
    rows = rows_of([(Span(0, 2, LOC), 0)])
    assert review_keys(rows, [Span(0, 2, LOC), Span(2, 3, LOC)], 6).keys == 1 + 1


def test_moving_to_rows_costs_keys():
    gold = [Span(0, 1, LOC), Span(2, 3, LOC), Span(4, 6, LOC)]
    rows = rows_of([(Span(0, 1, LOC), 0), (Span(2, 3, LOC), 1), (Span(4, 5, LOC), 2)])
    cost = review_keys(rows, gold, 7)
    assert (cost.keys, cost.moves) == (2 + 1 + 1, 2)  # ↓ ↓, ⇧→, Enter


def test_an_entity_without_a_proposal_is_filled_from_its_candidates_with_c():
    """The screen gives an unprojected entity a row after the spans; c there adds its best
    candidate and c again the next one (instead of i and a walk to the right words)."""
    gold = [Span(0, 1, LOC), Span(6, 8, LOC)]
    rows = rows_of([(Span(0, 1, LOC), 0)])
    candidates = {1: [(6, 7), (6, 8)]}
    without = review_keys(rows, gold, 9, candidates)  # no row for entity 1: i and moves
    with_row = review_keys(rows, gold, 9, candidates, [LOC, LOC])
    # ↓ to the entity's row, c (best: 6..7), c (next: 6..8), Enter
    assert (with_row.keys, with_row.added, with_row.moves) == (4, 1, 1)
    assert without.keys > with_row.keys
    # no candidates: the row cannot help, i it is
    assert review_keys(rows, gold, 9, {}, [LOC, LOC]).keys == without.keys
