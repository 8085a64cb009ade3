"""Heuristic projection (docs/method.md, "Heuristic projection"): runs of aligned target words, merged across
gaps of at most ``merge_distance`` unaligned words, kept when ``len(run)/len(entity) > 0.8``,
overlaps resolved by links, then length, then source order."""

from __future__ import annotations

import pytest
from conftest import gold_corpus
from hypothesis import given, settings
from hypothesis import strategies as st

from core.corpus.io import read_parallel
from core.datamodel import Alignment, Span
from core.projection.heuristic import entity_runs, group_runs, project_heuristic


def spans(projections):
    return [(p.span.start, p.span.end, p.span.label) for p in projections]


def align(*links):
    return Alignment.from_pairs(links)


# group_runs ------------------------------------------------------------------------


def test_group_runs_bridges_one_unaligned_word_but_not_two():
    # 2,3 adjacent; 5 is one word (4) after 3 -> bridged; 9 is three words after 5 -> new run.
    assert group_runs([2, 3, 5, 9], merge_distance=1) == [(2, 6), (9, 10)]
    # Gap of two unaligned words (3, 4) between 2 and 5.
    assert group_runs([2, 5], merge_distance=1) == [(2, 3), (5, 6)]
    assert group_runs([2, 5], merge_distance=2) == [(2, 6)]
    # merge_distance=0 joins adjacent words only.
    assert group_runs([2, 3, 5], merge_distance=0) == [(2, 4), (5, 6)]


def test_group_runs_ignores_order_and_duplicates():
    assert group_runs([6, 2, 3, 3, 2]) == [(2, 4), (6, 7)]
    assert group_runs([]) == []


# merge distance and the length ratio -----------------------------------------------


def test_merge_distance_one_bridges_one_unaligned_target_word():
    """Entity [0,2) -> target words 3 and 5; word 4 is unaligned. merge_distance=1
    bridges it: run [3,6), 3/2 > 0.8, kept with the gap word inside."""
    entity = Span(0, 2, "ORG")
    result = project_heuristic([entity], align((0, 3), (1, 5)))
    assert spans(result) == [(3, 6, "ORG")]
    assert result[0].links == ((0, 3), (1, 5))


def test_merge_distance_one_does_not_bridge_two_words():
    """Entity [0,2) -> target words 3 and 6; two unaligned words between. Two runs of
    length 1: 1/2 = 0.5 <= 0.8, both dropped. With merge_distance=2: run [3,7), kept."""
    entity = Span(0, 2, "ORG")
    alignment = align((0, 3), (1, 6))
    assert project_heuristic([entity], alignment) == []
    assert spans(project_heuristic([entity], alignment, merge_distance=2)) == [(3, 7, "ORG")]


def test_ratio_is_strict_a_run_of_4_over_5_words_is_dropped():
    """Entity of 5 words; its first four words align to target 10..13: run of 4,
    4/5 = 0.8, not > 0.8 -> dropped. Fifth word to 14: run of 5, 5/5 = 1 -> kept."""
    entity = Span(0, 5, "MISC")
    four = [(i, 10 + i) for i in range(4)]
    assert project_heuristic([entity], align(*four)) == []
    assert spans(project_heuristic([entity], align(*four, (4, 14)))) == [(10, 15, "MISC")]
    # With a lower threshold the run of 4 passes: 0.8 > 0.75.
    assert spans(project_heuristic([entity], align(*four), min_ratio=0.75)) == [(10, 14, "MISC")]


def test_ratio_counts_bridged_words():
    """Entity of 5 words, only three aligned, to target 0, 2, 4: the gaps are bridged
    into the run [0,5), length 5, 5/5 > 0.8 -> kept. The score is the share of the
    entity's words with a link into the run: 3/5."""
    entity = Span(0, 5, "ORG")
    result = project_heuristic([entity], align((0, 0), (2, 2), (4, 4)))
    assert spans(result) == [(0, 5, "ORG")]
    assert result[0].score == pytest.approx(0.6)
    assert result[0].span.score == pytest.approx(0.6)


def test_short_runs_of_a_long_entity_are_dropped_and_long_ones_kept():
    """Entity [0,3) links to 0,1,2 (run [0,3), 3/3) and to 7 (run [7,8), 1/3): only
    the first is kept."""
    entity = Span(0, 3, "PER")
    result = project_heuristic([entity], align((0, 0), (1, 1), (2, 2), (2, 7)))
    assert spans(result) == [(0, 3, "PER")]


def test_an_entity_may_land_on_several_runs():
    """A one-word entity aligned to target 1 and 4: two runs of 1, each 1/1 > 0.8."""
    entity = Span(2, 3, "LOC")
    result = project_heuristic([entity], align((2, 1), (2, 4)))
    assert spans(result) == [(1, 2, "LOC"), (4, 5, "LOC")]
    assert all(p.source_span == entity for p in result)


def test_projection_records_its_origin():
    entity = Span(1, 3, "PER")
    # Link (0, 0) belongs to no entity and must not appear among the supporting links.
    result = project_heuristic([entity], align((0, 0), (1, 2), (2, 3), (2, 4)))
    assert len(result) == 1
    projection = result[0]
    assert projection.method == "heuristic"
    assert projection.source_span == entity
    assert projection.span == Span(2, 5, "PER")
    assert projection.links == ((1, 2), (2, 3), (2, 4))
    assert projection.score == 1.0


def test_no_links_no_projection():
    assert project_heuristic([Span(0, 2, "PER")], align((2, 0))) == []
    assert project_heuristic([], align((0, 0))) == []


# overlap resolution ------------------------------------------------------------------


def test_overlap_more_links_wins_over_source_order():
    """Entity 0 [0,1) -> run [2,3) with 1 link; entity 1 [1,3) -> run [2,4) with 2 links.
    They overlap at target 2; the run with more links (entity 1) is taken although it
    comes later in the source; entity 0's run is dropped."""
    e0, e1 = Span(0, 1, "PER"), Span(1, 3, "ORG")
    result = project_heuristic([e0, e1], align((0, 2), (1, 2), (2, 3)))
    assert spans(result) == [(2, 4, "ORG")]


def test_overlap_equal_links_longer_run_wins():
    """Entity 0 [0,1) -> target 5 and 7, bridged into [5,8) (2 links, length 3);
    entity 1 [1,3) -> target 7, 8: run [7,9) (2 links, length 2). Equal links, so the
    longer run (entity 0) wins even though entity 1's run would cover more entity words."""
    e0, e1 = Span(0, 1, "PER"), Span(1, 3, "ORG")
    result = project_heuristic([e0, e1], align((0, 5), (0, 7), (1, 7), (2, 8)))
    assert spans(result) == [(5, 8, "PER")]


def test_overlap_full_tie_first_entity_wins():
    """Entities 0 and 1 both land on target 4 alone (1 link, length 1): the earlier
    entity in the source wins (the paper's code would have let the later one overwrite)."""
    e0, e1 = Span(0, 1, "PER"), Span(1, 2, "LOC")
    assert spans(project_heuristic([e0, e1], align((0, 4), (1, 4)))) == [(4, 5, "PER")]
    # The order of the entity list decides, not the labels.
    assert spans(project_heuristic([e1, e0], align((0, 4), (1, 4)))) == [(4, 5, "LOC")]


def test_losing_an_overlap_keeps_the_entitys_other_runs():
    """Entity 0 lands on [1,2) and [5,6); entity 1 takes [5,7) with 2 links. Entity 0
    keeps [1,2)."""
    e0, e1 = Span(0, 1, "PER"), Span(1, 3, "PER")
    result = project_heuristic([e0, e1], align((0, 1), (0, 5), (1, 5), (2, 6)))
    assert [(p.span.start, p.span.end, p.source_span) for p in result] == [(1, 2, e0), (5, 7, e1)]


def test_non_overlapping_runs_of_neighbouring_entities_all_kept():
    e0, e1 = Span(0, 2, "PER"), Span(3, 4, "LOC")
    result = project_heuristic([e0, e1], align((0, 0), (1, 1), (3, 3)))
    assert spans(result) == [(0, 2, "PER"), (3, 4, "LOC")]


# properties on random instances --------------------------------------------------------


@st.composite
def instances(draw):
    n_source = draw(st.integers(1, 8))
    n_target = draw(st.integers(1, 8))
    cuts = sorted(draw(st.sets(st.integers(0, n_source), min_size=2, max_size=5)))
    entities = [Span(a, b, draw(st.sampled_from("ABC"))) for a, b in zip(cuts, cuts[1:]) if draw(st.booleans())]
    links = draw(st.sets(st.tuples(st.integers(0, n_source - 1), st.integers(0, n_target - 1)), max_size=20))
    return entities, Alignment.from_pairs(links), draw(st.integers(0, 2))


@settings(max_examples=200, deadline=None)
@given(instances())
def test_result_never_overlaps_and_every_span_is_a_qualifying_run(case):
    entities, alignment, merge_distance = case
    result = project_heuristic(entities, alignment, merge_distance)
    for a, b in zip(result, result[1:]):
        assert a.span.start <= b.span.start
        assert not a.span.overlaps(b.span)
    for projection in result:
        entity = projection.source_span
        assert entity in entities and projection.span.label == entity.label
        assert len(projection.span) / len(entity) > 0.8
        runs = [p.span for p in entity_runs(entity, alignment, merge_distance)]
        assert projection.span in runs
        # Both ends of a run are aligned to the entity.
        linked = {j for i, j in alignment.links if entity.covers(i)}
        assert projection.span.start in linked and projection.span.end - 1 in linked
    # Every qualifying run that overlaps nothing chosen was chosen (nothing lost needlessly).
    chosen = [p.span for p in result]
    for entity in entities:
        for run in entity_runs(entity, alignment, merge_distance):
            assert run.span in chosen or any(run.span.overlaps(c) for c in chosen)


# gold corpora with an oracle alignment ---------------------------------------------------


def oracle_pairs(corpus: str, limit=100):
    """Pairs among the first ``limit`` whose source and target entity labels line up in
    order, with an alignment linking every word of the k-th source entity to every word
    of the k-th target entity (and nothing else)."""
    pairs = read_parallel(*gold_corpus(corpus))[:limit]
    result = []
    for pair in pairs:
        source, target = pair.source.spans, pair.target.spans
        if not source or [s.label for s in source] != [t.label for t in target]:
            continue
        links = [(i, j) for s, t in zip(source, target) for i in range(s.start, s.end) for j in range(t.start, t.end)]
        result.append((pair, Alignment.from_pairs(links)))
    return result


@pytest.mark.parametrize("corpus", ["demo-es", "demo-de", "europarl"])
def test_oracle_alignment_reproduces_gold_target_spans(corpus):
    """Each source entity's links cover exactly its target entity, one run; it is kept
    when len(target)/len(source) > 0.8. So the projection is the gold target spans that
    pass the ratio, with the source label."""
    cases = oracle_pairs(corpus)
    assert len(cases) >= 30
    n_entities = 0
    for pair, alignment in cases:
        expected = [t for s, t in zip(pair.source.spans, pair.target.spans) if len(t) / len(s) > 0.8]
        n_entities += len(expected)
        result = project_heuristic(list(pair.source.spans), alignment)
        assert [p.span for p in result] == expected, " ".join(pair.target.tokens)
    assert n_entities >= 60
