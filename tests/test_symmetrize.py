"""Symmetrising two directional alignments (intersection, union, grow-diag(-final-and))."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.alignment.symmetrize import SYMMETRIZATIONS, symmetrize

# A 6 x 6 hand-made case (source index, target index).
FORWARD = {(0, 0), (1, 1), (2, 1), (0, 1), (4, 4)}
REVERSE = {(0, 0), (1, 1), (3, 2), (5, 0)}
INTERSECTION = {(0, 0), (1, 1)}
UNION = INTERSECTION | {(2, 1), (0, 1), (4, 4), (3, 2), (5, 0)}
# grow-diag, starting from the intersection (aligned: source {0,1}, target {0,1}):
#   (2,1) neighbours (1,1) and source 2 is unaligned          -> added
#   (3,2) is a diagonal neighbour of the just added (2,1),
#         source 3 and target 2 unaligned                      -> added on the next pass
#   (0,1) neighbours (0,0) but both its words are aligned     -> never
#   (4,4), (5,0) neighbour no chosen link                      -> not grown
GROW_DIAG = INTERSECTION | {(2, 1), (3, 2)}
# final-and then adds union links whose two words are both unaligned:
#   (4,4): source 4 and target 4 unaligned                     -> added
#   (5,0): target 0 is aligned                                 -> not added
GROW_DIAG_FINAL_AND = GROW_DIAG | {(4, 4)}


@pytest.mark.parametrize(
    "method, expected",
    [
        ("intersection", INTERSECTION),
        ("union", UNION),
        ("grow-diag", GROW_DIAG),
        ("grow-diag-final-and", GROW_DIAG_FINAL_AND),
    ],
)
def test_hand_made_case(method, expected):
    assert symmetrize(FORWARD, REVERSE, method) == expected
    # The two directions play symmetric roles.
    assert symmetrize(REVERSE, FORWARD, method) == expected


def test_default_is_grow_diag_final_and_and_inputs_are_untouched():
    forward, reverse = set(FORWARD), set(REVERSE)
    assert symmetrize(iter(sorted(forward)), reverse) == GROW_DIAG_FINAL_AND
    assert forward == FORWARD and reverse == REVERSE


def test_unknown_method():
    with pytest.raises(ValueError, match="unknown symmetrisation 'grow'"):
        symmetrize(FORWARD, REVERSE, "grow")


def test_identical_directions_give_themselves():
    links = {(0, 1), (1, 0), (2, 2)}
    for method in SYMMETRIZATIONS:
        assert symmetrize(links, links, method) == links


links_strategy = st.sets(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=15)


@given(links_strategy, links_strategy)
def test_growing_stays_between_intersection_and_union(forward, reverse):
    intersection, union = forward & reverse, forward | reverse
    grow = symmetrize(forward, reverse, "grow-diag")
    final = symmetrize(forward, reverse, "grow-diag-final-and")
    assert intersection <= grow <= final <= union
    # Every link grow-diag or final-and added touches a word the intersection left unaligned.
    for i, j in final - intersection:
        assert i not in {a for a, _ in intersection} or j not in {b for _, b in intersection}
