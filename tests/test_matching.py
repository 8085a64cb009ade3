"""Projection as matching (docs/method.md, "Matching"): n-gram candidates, the score 2n/(|e|+|t|),
and the greedy and exact (ILP) assignments."""
from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.candidates import ngram_candidates, trim_candidates
from core.corpus_io import read_parallel
from core.datamodel import Alignment, Span
from core.matching import ScoredPair, objective, project_matching, score_pairs, solve_greedy, solve_ilp

from conftest import gold_corpus

EPS = 1e-9


def align(*links, weights=None):
    return Alignment.from_pairs(links, weights)


def spans(projections):
    return [(p.span.start, p.span.end, p.span.label) for p in projections]


# candidates --------------------------------------------------------------------------


def test_ngram_candidates_every_span_in_order():
    # 3 tokens: 3 + 2 + 1 = 6 spans, by start then end.
    assert ngram_candidates(["a", "b", "c"]) == [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    assert len(ngram_candidates(["w"] * 12)) == 12 * 13 // 2
    assert ngram_candidates([]) == []


def test_ngram_candidates_never_contain_a_break():
    tokens = ["a", "?", "b", "c", "!", "d"]
    assert ngram_candidates(tokens) == [(0, 1), (2, 3), (2, 4), (3, 4), (5, 6)]
    # Other punctuation does not break.
    assert (0, 3) in ngram_candidates(["a", ".", "b"])
    assert ngram_candidates(["a", ".", "b"], breaks={"."}) == [(0, 1), (2, 3)]


def test_ngram_candidates_length_cap():
    tokens = ["w"] * 5
    capped = ngram_candidates(tokens, max_length=2)
    assert capped == [(0, 1), (0, 2), (1, 2), (1, 3), (2, 3), (2, 4), (3, 4), (3, 5), (4, 5)]
    assert all(end - start <= 2 for start, end in capped)
    assert ngram_candidates(tokens, max_length=5) == ngram_candidates(tokens)


def test_trim_candidates_drops_stop_word_edges():
    tokens = ["Los", "Estados", "Miembros", "de", "la", "UE"]
    candidates = [(0, 3), (1, 3), (1, 6), (3, 6), (5, 6), (4, 5)]
    # Edge words compared lower-cased: "Los" is dropped as "los".
    assert trim_candidates(candidates, tokens, frozenset({"los", "de", "la"})) == [(1, 3), (1, 6), (5, 6)]


# scores ----------------------------------------------------------------------------------


def test_score_hand_computed():
    """Entity [0,2); links 0-0, 1-1, and 2-2 (source word 2 is outside the entity).
    candidate [0,1): n=1, 2*1/(2+1) = 2/3;  [0,2): n=2, 4/4 = 1;  [0,3): n=2, 4/5 = 0.8;
    [1,2): n=1, 2/3;  [1,3): n=1, 2/4 = 0.5;  [2,3): n=0 -> left out."""
    candidates = ngram_candidates(["x", "y", "z"])
    pairs = score_pairs([Span(0, 2, "PER")], candidates, align((0, 0), (1, 1), (2, 2)), 3)
    scores = {candidates[p.candidate]: p.score for p in pairs}
    assert scores == pytest.approx({(0, 1): 2 / 3, (0, 2): 1.0, (0, 3): 0.8, (1, 2): 2 / 3, (1, 3): 0.5})
    assert all(p.entity == 0 for p in pairs)


def test_score_counts_link_weights():
    """Entity [0,1), links 0-0 (weight 0.5) and 0-1 (weight 1): candidate [0,2) has
    n = 1.5, score 2*1.5/(1+2) = 1.0; [0,1): 2*0.5/2 = 0.5."""
    candidates = [(0, 1), (0, 2)]
    pairs = score_pairs([Span(0, 1, "PER")], candidates, align((0, 0), (0, 1), weights={(0, 0): 0.5}), 2)
    assert [(p.candidate, p.score) for p in pairs] == [(0, pytest.approx(0.5)), (1, pytest.approx(1.0))]


def test_min_score_is_a_strict_threshold():
    candidates = ngram_candidates(["x", "y", "z"])
    alignment = align((0, 0), (1, 1))
    kept = score_pairs([Span(0, 2, "PER")], candidates, alignment, 3, min_score=0.8)
    # 1.0 passes; 0.8 ([0,3)) does not pass a threshold of 0.8.
    assert [candidates[p.candidate] for p in kept] == [(0, 2)]


def test_links_past_the_target_are_ignored():
    pairs = score_pairs([Span(0, 1, "PER")], [(0, 1)], align((0, 0), (0, 5)), 1)
    assert [(p.candidate, p.score) for p in pairs] == [(0, pytest.approx(1.0))]
    assert score_pairs([Span(0, 1, "PER")], [], align((0, 0)), 1) == []


# greedy ------------------------------------------------------------------------------------


def test_greedy_tie_lowest_entity_first():
    """Entities 0 and 1 both score 1.0 on the single candidate: entity 0 gets it."""
    pairs = [ScoredPair(1, 0, 1.0), ScoredPair(0, 0, 1.0)]
    assert solve_greedy(pairs, [(0, 2)]) == [ScoredPair(0, 0, 1.0)]


def test_greedy_tie_lowest_candidate_next():
    """One entity, candidates 0 = [3,4) and 1 = [0,1), both 1.0: candidate 0 is taken,
    although it lies further right in the sentence."""
    pairs = [ScoredPair(0, 1, 1.0), ScoredPair(0, 0, 1.0)]
    assert solve_greedy(pairs, [(3, 4), (0, 1)]) == [ScoredPair(0, 0, 1.0)]


def test_greedy_highest_score_first_drops_overlaps_and_used_entities():
    """(e0,c0)=0.9 taken first; (e1,c1)=0.8 overlaps c0 -> skipped; (e0,c2)=0.7: e0
    used up; (e1,c2)=0.6 taken."""
    candidates = [(0, 2), (1, 3), (4, 5)]
    pairs = [ScoredPair(0, 0, 0.9), ScoredPair(1, 1, 0.8), ScoredPair(0, 2, 0.7), ScoredPair(1, 2, 0.6)]
    assert solve_greedy(pairs, candidates) == [ScoredPair(0, 0, 0.9), ScoredPair(1, 2, 0.6)]


def make_greedy_trap():
    """Target "t0 t1". Entity A = source [0,2), entity B = source [2,3); links 0-0, 1-1, 2-1.
    A-[0,2): n=2, 4/4 = 1;  A-[0,1), A-[1,2): n=1, 2/3;  B-[1,2): n=1, 2/2 = 1;  B-[0,2): n=1, 2/3.
    Greedy: tie at 1.0, lowest entity A takes [0,2) and blocks B: total 1.
    Best: A-[0,1) + B-[1,2) = 2/3 + 1 = 5/3."""
    entities = [Span(0, 2, "ORG"), Span(2, 3, "LOC")]
    return entities, ngram_candidates(["t0", "t1"]), align((0, 0), (1, 1), (2, 1))


def test_greedy_strictly_worse_than_ilp_on_a_hand_made_case():
    entities, candidates, alignment = make_greedy_trap()
    pairs = score_pairs(entities, candidates, alignment, 2)
    greedy, ilp = solve_greedy(pairs, candidates), solve_ilp(pairs, candidates)
    assert objective(greedy) == pytest.approx(1.0)
    assert objective(ilp) == pytest.approx(5 / 3)
    assert spans(project_matching(entities, candidates, alignment, 2, solver="greedy")) == [(0, 2, "ORG")]
    assert spans(project_matching(entities, candidates, alignment, 2, solver="ilp")) == [(0, 1, "ORG"), (1, 2, "LOC")]


def test_n_proj_two_lets_an_entity_land_twice():
    """A one-word entity linked to target 0 and 2 (target 1 unaligned). [0,1) and [2,3)
    score 2*1/(1+1) = 1 each; [0,3) scores 2*2/(1+3) = 1. With n_proj=1 it lands once;
    with n_proj=2 on both words (total 2 > 1 for [0,3) alone)."""
    entity = [Span(0, 1, "PER")]
    candidates = ngram_candidates(["a", "b", "c"])
    alignment = align((0, 0), (0, 2))
    for solver in ("greedy", "ilp"):
        once = project_matching(entity, candidates, alignment, 3, solver=solver, n_proj=1)
        assert len(once) == 1 and once[0].score == pytest.approx(1.0)
        twice = project_matching(entity, candidates, alignment, 3, solver=solver, n_proj=2)
        assert spans(twice) == [(0, 1, "PER"), (2, 3, "PER")]
    # Greedy with n_proj=1 breaks the three-way tie by the lowest candidate index: (0, 1).
    assert spans(project_matching(entity, candidates, alignment, 3, solver="greedy")) == [(0, 1, "PER")]


def test_projection_fields():
    entities = [Span(0, 1, "MISC"), Span(1, 3, "PER")]
    candidates = ngram_candidates(["x", "y", "z", "w"])
    alignment = align((0, 3), (1, 0), (2, 1), (2, 2))
    for solver in ("greedy", "ilp"):
        result = project_matching(entities, candidates, alignment, 4, solver=solver)
        # PER [1,3): [0,2) has n=2 (1-0, 2-1), 4/4 = 1; [0,3) has n=3, 6/5 = 1.2 (a source
        # word linked to two target words lifts the score above 1). PER takes [0,3);
        # MISC [0,1) -> [3,4): 2/2 = 1.
        assert spans(result) == [(0, 3, "PER"), (3, 4, "MISC")]
        per, misc = result
        assert per.method == "matching" and per.source_span == entities[1]
        assert per.links == ((1, 0), (2, 1), (2, 2))
        assert per.score == pytest.approx(1.2) and per.span.score == pytest.approx(1.2)
        assert misc.links == ((0, 3),) and misc.score == pytest.approx(1.0)


def test_unknown_solver():
    with pytest.raises(ValueError, match="unknown solver 'lp'"):
        project_matching([Span(0, 1, "PER")], [(0, 1)], align((0, 0)), 1, solver="lp")


def test_nothing_to_match():
    assert solve_ilp([], [(0, 1)]) == []
    assert solve_greedy([], [(0, 1)]) == []
    assert project_matching([Span(0, 1, "PER")], [(0, 1)], Alignment(), 1) == []
    assert project_matching([], [(0, 1)], align((0, 0)), 1) == []


# ILP vs greedy on random instances ----------------------------------------------------------


def feasible(chosen, candidates, n_proj):
    uses = {}
    for pair in chosen:
        uses[pair.entity] = uses.get(pair.entity, 0) + 1
    if any(count > n_proj for count in uses.values()):
        return False
    if len({(p.entity, p.candidate) for p in chosen}) != len(chosen):
        return False
    covered = [k for p in chosen for k in range(*candidates[p.candidate])]
    return len(covered) == len(set(covered))


def brute_force(pairs, candidates, n_proj):
    best = 0.0
    for size in range(1, len(pairs) + 1):
        for subset in combinations(pairs, size):
            if feasible(subset, candidates, n_proj):
                best = max(best, objective(subset))
    return best


@st.composite
def scored_instances(draw, max_pairs=10):
    """Random candidates on up to 6 target words, random pairs with scores from a small
    set (ties are common) or any value in (0, 2]."""
    n_target = draw(st.integers(1, 6))
    candidates = draw(st.lists(st.tuples(st.integers(0, n_target - 1), st.integers(1, n_target)).filter(lambda c: c[0] < c[1]), min_size=1, max_size=8))
    n_entities = draw(st.integers(1, 4))
    score = st.one_of(st.sampled_from([0.25, 0.5, 2 / 3, 1.0]), st.floats(0.01, 2.0))
    keys = draw(st.sets(st.tuples(st.integers(0, n_entities - 1), st.integers(0, len(candidates) - 1)), min_size=0, max_size=max_pairs))
    pairs = [ScoredPair(e, c, draw(score)) for e, c in sorted(keys)]
    return pairs, candidates, draw(st.integers(1, 3))


@st.composite
def aligned_instances(draw):
    """Random entities, target words and links, scored with score_pairs over all n-grams."""
    n_source = draw(st.integers(1, 7))
    n_target = draw(st.integers(1, 7))
    cuts = sorted(draw(st.sets(st.integers(0, n_source), min_size=2, max_size=5)))
    entities = [Span(a, b, "X") for a, b in zip(cuts, cuts[1:]) if draw(st.booleans())] or [Span(cuts[0], cuts[1], "X")]
    links = draw(st.sets(st.tuples(st.integers(0, n_source - 1), st.integers(0, n_target - 1)), max_size=15))
    candidates = ngram_candidates([f"w{k}" for k in range(n_target)])
    alignment = Alignment.from_pairs(links)
    return score_pairs(entities, candidates, alignment, n_target), candidates, draw(st.integers(1, 2))


def check_ilp_against_greedy(pairs, candidates, n_proj):
    greedy = solve_greedy(pairs, candidates, n_proj)
    ilp = solve_ilp(pairs, candidates, n_proj)
    assert feasible(greedy, candidates, n_proj)
    assert feasible(ilp, candidates, n_proj)
    assert all(p in pairs for p in ilp)
    assert objective(ilp) >= objective(greedy) - EPS
    return ilp


@settings(max_examples=100, deadline=None)
@given(scored_instances(max_pairs=10))
def test_ilp_is_feasible_optimal_and_never_worse_than_greedy(case):
    pairs, candidates, n_proj = case
    ilp = check_ilp_against_greedy(pairs, candidates, n_proj)
    assert objective(ilp) == pytest.approx(brute_force(pairs, candidates, n_proj), abs=EPS)


@settings(max_examples=100, deadline=None)
@given(aligned_instances())
def test_ilp_never_worse_than_greedy_on_aligned_instances(case):
    pairs, candidates, n_proj = case
    ilp = check_ilp_against_greedy(pairs, candidates, n_proj)
    if len(pairs) <= 12:
        assert objective(ilp) == pytest.approx(brute_force(pairs, candidates, n_proj), abs=EPS)


# gold corpora with an oracle alignment ------------------------------------------------------


@pytest.mark.parametrize("corpus", ["demo-es", "demo-de", "europarl"])
def test_oracle_alignment_reproduces_gold_target_spans(corpus):
    """Link every word of the k-th source entity to every word of the k-th target entity
    (pairs among the first 100 whose entity labels line up in order). For entity s with
    gold target t, candidate c gets n = |s|*|c & t|, score 2|s||c & t|/(|s|+|c|): highest,
    uniquely, at c = t. The gold spans are disjoint, so both solvers give every entity its
    own gold span."""
    pairs = read_parallel(*gold_corpus(corpus))[:100]
    checked = 0
    for pair in pairs:
        source, target = pair.source.spans, pair.target.spans
        if not source or [s.label for s in source] != [t.label for t in target]:
            continue
        links = [(i, j) for s, t in zip(source, target) for i in range(s.start, s.end) for j in range(t.start, t.end)]
        candidates = ngram_candidates(pair.target.tokens, max_length=10)
        for solver in ("greedy", "ilp"):
            result = project_matching(list(source), candidates, Alignment.from_pairs(links), len(pair.target), solver=solver)
            assert [p.span for p in result] == list(target)
            assert [p.source_span for p in result] == list(source)
        checked += len(source)
    assert checked >= 60
