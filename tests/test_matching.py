"""Projection as matching (docs/method.md, "Matching"): n-gram candidates, the score 2n/(|e|+|t|),
and the greedy and exact (ILP) assignments."""

from __future__ import annotations

from itertools import combinations

import pytest
from conftest import gold_corpus
from hypothesis import given, settings
from hypothesis import strategies as st

from core.corpus.io import read_parallel
from core.datamodel import Alignment, Span
from core.projection.boundaries import EdgeRule
from core.projection.candidates import (
    NgramCandidates,
    ngram_candidates,
    trim_candidates,
)
from core.projection.matching import (
    Budget,
    BudgetExceeded,
    LengthCap,
    ScoredPair,
    conflict_groups,
    objective,
    project_matching,
    score_pairs,
    solve_greedy,
    solve_ilp,
    solve_milp,
    solve_positions,
)

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


def listed_ngrams(tokens, max_length=None, breaks=frozenset({"!", "?"})):
    """The n-grams as a list, built the plain way (the definition NgramCandidates must meet)."""
    spans = []
    for start in range(len(tokens)):
        for end in range(start + 1, len(tokens) + 1):
            if tokens[end - 1] in breaks or (max_length is not None and end - start > max_length):
                break
            spans.append((start, end))
    return spans


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "!", "?", "."]), max_size=12), st.one_of(st.none(), st.integers(0, 5)))
def test_ngram_candidates_are_the_listed_ngrams_lazily(tokens, max_length):
    lazy = ngram_candidates(tokens, max_length)
    listed = listed_ngrams(tokens, max_length)
    assert isinstance(lazy, NgramCandidates)
    assert list(lazy) == listed and lazy == listed and len(lazy) == len(listed)
    assert [lazy[k] for k in range(len(listed))] == listed
    assert [lazy[-k] for k in range(1, len(listed) + 1)] == [listed[-k] for k in range(1, len(listed) + 1)]
    assert lazy[1:4] == listed[1:4]
    for k, span in enumerate(listed):
        assert span in lazy and lazy.index(span) == k
    for start in range(len(tokens) + 1):
        for end in range(start, len(tokens) + 2):
            assert ((start, end) in lazy) == ((start, end) in listed)
    with pytest.raises(IndexError):
        lazy[len(listed)]


def test_ngram_candidates_of_a_long_sentence_are_not_listed():
    """2,000 tokens have 2,001,000 n-grams; the sequence keeps three arrays of 2,000 numbers."""
    spans = ngram_candidates(["w"] * 2000)
    assert len(spans) == 2000 * 2001 // 2
    assert spans[0] == (0, 1) and spans[-1] == (1999, 2000) and spans[1999] == (0, 2000)
    assert spans.index((1000, 1500)) == sum(2000 - s for s in range(1000)) + 499
    assert spans.offsets.nbytes + spans.counts.nbytes < 40_000


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


def test_length_cap_leaves_out_long_candidates():
    """A one-word entity linked to target words 0 and 9 of 10: [0,10) has n=2, score
    2*2/(1+10) = 0.36; the default cap (3*1 + 5 = 8 words) leaves it out, no cap keeps it."""
    candidates = ngram_candidates([f"w{k}" for k in range(10)])
    alignment = align((0, 0), (0, 9))
    capped = {candidates[p.candidate] for p in score_pairs([Span(0, 1, "PER")], candidates, alignment, 10)}
    uncapped = {
        candidates[p.candidate]: p.score
        for p in score_pairs([Span(0, 1, "PER")], candidates, alignment, 10, length_cap=None)
    }
    assert (0, 10) not in capped and uncapped[(0, 10)] == pytest.approx(4 / 11)
    assert capped == {span for span in uncapped if span[1] - span[0] <= 8}
    # Only spans holding a linked word are scored: 8 + 8 of the 55 n-grams.
    assert len(capped) == 16
    tight = score_pairs([Span(0, 1, "PER")], candidates, alignment, 10, length_cap=LengthCap(1, 0))
    assert {candidates[p.candidate] for p in tight} == {(0, 1), (9, 10)}


def test_scoring_budget():
    candidates = ngram_candidates(["a", "b", "c"])
    alignment = align((0, 0), (0, 1), (0, 2))
    assert len(score_pairs([Span(0, 1, "PER")], candidates, alignment, 3, max_pairs=6)) == 6
    with pytest.raises(BudgetExceeded, match="more than 5 ") as raised:
        score_pairs([Span(0, 1, "PER")], candidates, alignment, 3, max_pairs=5)
    assert raised.value.stage == "scoring"
    with pytest.raises(BudgetExceeded):  # a candidate list is counted after scoring
        score_pairs([Span(0, 1, "PER")], list(candidates), alignment, 3, max_pairs=5)


VOCABULARY = ["Estados", "Unidos", "de", "la", "De", "El", ",", ".", "!", "Paris", "paris", "the", "of", "UE"]


@st.composite
def sentence_instances(draw):
    """Random source and target words (names, function words, punctuation, breaks),
    entities, weighted links and a score threshold."""
    source = draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=7))
    target = draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=9))
    cuts = sorted(draw(st.sets(st.integers(0, len(source)), min_size=2, max_size=5)))
    entities = [Span(a, b, "X") for a, b in zip(cuts, cuts[1:]) if draw(st.booleans())] or [Span(cuts[0], cuts[1], "X")]
    links = draw(st.sets(st.tuples(st.integers(0, len(source) - 1), st.integers(0, len(target) + 1)), max_size=20))
    weights = {link: draw(st.sampled_from([0.1, 0.3, 0.5, 1.0])) for link in links}
    cap = draw(st.one_of(st.none(), st.builds(LengthCap, st.integers(0, 3), st.integers(0, 3))))
    return source, target, entities, Alignment.from_pairs(links, weights), cap, draw(st.sampled_from([0.0, 0.5]))


def reference_pairs(entities, candidates, alignment, n_target, min_score, allowed, cap):
    """score_pairs by its definition: every candidate within the cap, n summed link by link."""
    pairs = []
    for e, entity in enumerate(entities):
        for c, (start, end) in enumerate(candidates):
            if cap is not None and end - start > cap(len(entity)):
                continue
            n = sum(alignment.weight((i, j)) for i, j in alignment.links if entity.covers(i) and start <= j < end)
            score = 2 * n / (len(entity) + end - start)
            if n > 0 and score > min_score and (allowed is None or allowed(entity, (start, end))):
                pairs.append((e, c, score))
    return pairs


@settings(max_examples=200, deadline=None)
@given(sentence_instances())
def test_score_pairs_visits_only_linked_ngrams_and_misses_none(case):
    """Scoring n-grams near the links, with the edge rule as masks, gives exactly the pairs of
    the definition over every candidate (the edge rule asked pair by pair)."""
    source, target, entities, alignment, cap, min_score = case
    rule = EdgeRule(frozenset({"the", "of"}), frozenset({"de", "la", "el"}))
    edges = rule.for_pair(source, target)
    candidates = ngram_candidates(target)
    expected = reference_pairs(
        entities,
        list(candidates),
        alignment,
        len(target),
        min_score,
        lambda e, c: rule.allows(source, target, e, c),
        cap,
    )
    # a score on the threshold (0.5 exactly) may come out one rounding above it when n is a
    # difference of prefix sums (1.1 - 0.6): such a pair may be in or out
    on_edge = {
        (e, c)
        for e, c, score in reference_pairs(
            entities,
            list(candidates),
            alignment,
            len(target),
            min_score - 1e-9,
            lambda e, c: rule.allows(source, target, e, c),
            cap,
        )
        if abs(score - min_score) <= 1e-9
    }
    for cands, allowed in (
        (candidates, edges),
        (list(candidates), edges),
        (candidates, lambda e, c: rule.allows(source, target, e, c)),
    ):
        got = [
            p
            for p in score_pairs(entities, cands, alignment, len(target), min_score, allowed, cap)
            if (p.entity, p.candidate) not in on_edge
        ]
        kept = [(e, c, score) for e, c, score in expected if (e, c) not in on_edge]
        assert [(p.entity, p.candidate) for p in got] == [(e, c) for e, c, _ in kept]
        assert [p.score for p in got] == pytest.approx([score for *_, score in kept], abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(sentence_instances(), st.integers(1, 2))
def test_leaving_out_dominated_ngrams_changes_no_solution(case, n_proj):
    """Undominated pairs are a subset; greedy picks exactly the same pairs from them, and the
    optimum has the same value (ILP and one MILP)."""
    source, target, entities, alignment, cap, min_score = case
    edges = EdgeRule(frozenset({"the", "of"}), frozenset({"de", "la", "el"})).for_pair(source, target)
    candidates = ngram_candidates(target)
    for allowed in (edges, None):
        every = score_pairs(entities, candidates, alignment, len(target), min_score, allowed, cap)
        kept = score_pairs(entities, candidates, alignment, len(target), min_score, allowed, cap, undominated=True)
        assert set(kept) <= set(every)
        assert solve_greedy(kept, candidates, n_proj) == solve_greedy(every, candidates, n_proj)
        best = objective(solve_milp(every, candidates, n_proj))
        assert objective(solve_milp(kept, candidates, n_proj)) == pytest.approx(best, abs=1e-9)
        assert objective(solve_ilp(kept, candidates, n_proj)) == pytest.approx(best, abs=1e-9)


def test_dominated_ngrams_by_hand():
    """Entity linked to target 1 and 3 of "a X b Y c": undominated are [1,2), [3,4) and
    [1,4) (both edges linked); [0,2), [1,3), [0,5) ... hold an unlinked edge word. When the
    word is a weak "x", which may neither start nor end a candidate, [0,3) stands in for
    [1,2) and [0,4) for [1,4)."""
    target = ["a", "X", "b", "Y", "c"]
    candidates = ngram_candidates(target)
    alignment = align((0, 1), (0, 3))
    kept = score_pairs([Span(0, 1, "PER")], candidates, alignment, 5, undominated=True)
    assert sorted(candidates[p.candidate] for p in kept) == [(1, 2), (1, 4), (3, 4)]
    rule = EdgeRule(frozenset(), frozenset({"x"}))
    edges = rule.for_pair(["N"], ["a", "x", "b", "Y", "c"])
    kept = score_pairs([Span(0, 1, "PER")], candidates, alignment, 5, allowed=edges, undominated=True)
    assert sorted(candidates[p.candidate] for p in kept) == [(0, 3), (0, 4), (3, 4)]


@settings(max_examples=200, deadline=None)
@given(sentence_instances())
def test_edge_masks_agree_with_the_rule(case):
    source, target, entities, *_ = case
    rule = EdgeRule(frozenset({"the", "of"}), frozenset({"de", "la", "el"}))
    edges = rule.for_pair(source, target)
    for entity in entities:
        starts, ends = edges.edges(entity)
        for start, end in listed_ngrams(target, breaks=()):
            assert (
                bool(starts[start] and ends[end - 1])
                == rule.allows(source, target, entity, (start, end))
                == edges(entity, (start, end))
            )


def test_exact_solver_breaks_ties_toward_the_earlier_candidate_as_greedy_does():
    """*Central and Eastern Europe* for the Spanish *Europa central* and *oriental*: entity 0
    scores the same on *Central* (c0) and *Europe* (c1), more on the whole phrase (c2), which
    collides with entity 1's *Eastern* (c3), so the group goes to the dynamic programme. Both
    optima total 1 + 2/3; it takes the earlier span, as greedy does (it used to leave *Central*
    free and take *Europe*)."""
    candidates = [(0, 1), (3, 4), (0, 4), (2, 3)]
    pairs = [ScoredPair(0, 0, 2 / 3), ScoredPair(0, 1, 2 / 3), ScoredPair(0, 2, 0.9), ScoredPair(1, 3, 1.0)]
    expected = [ScoredPair(0, 0, 2 / 3), ScoredPair(1, 3, 1.0)]
    assert solve_ilp(pairs, candidates) == expected
    assert sorted(solve_positions(pairs, candidates), key=lambda p: p.entity) == expected
    assert sorted(solve_greedy(pairs, candidates), key=lambda p: p.entity) == expected


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
    candidates = draw(
        st.lists(
            st.tuples(st.integers(0, n_target - 1), st.integers(1, n_target)).filter(lambda c: c[0] < c[1]),
            min_size=1,
            max_size=8,
        )
    )
    n_entities = draw(st.integers(1, 4))
    score = st.one_of(st.sampled_from([0.25, 0.5, 2 / 3, 1.0]), st.floats(0.01, 2.0))
    keys = draw(
        st.sets(
            st.tuples(st.integers(0, n_entities - 1), st.integers(0, len(candidates) - 1)),
            min_size=0,
            max_size=max_pairs,
        )
    )
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


@settings(max_examples=150, deadline=None)
@given(scored_instances(max_pairs=30))
def test_ilp_objective_equals_one_milp_over_everything(case):
    """The ILP (upper-bound shortcut, conflict groups, dynamic programming or MILP per group)
    reaches the objective of one integer program over all pairs, and so does each exact
    path forced on its own."""
    pairs, candidates, n_proj = case
    full = objective(solve_milp(pairs, candidates, n_proj))
    for chosen in (
        solve_ilp(pairs, candidates, n_proj),
        solve_ilp(pairs, candidates, n_proj, dp_limit=0),
        solve_positions(pairs, candidates, n_proj),
    ):
        assert feasible(chosen, candidates, n_proj) and all(p in pairs for p in chosen)
        assert objective(chosen) == pytest.approx(full, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(aligned_instances())
def test_ilp_objective_equals_one_milp_on_aligned_instances(case):
    pairs, candidates, n_proj = case
    full = objective(solve_milp(pairs, candidates, n_proj))
    assert objective(solve_ilp(pairs, candidates, n_proj)) == pytest.approx(full, abs=1e-9)
    assert objective(solve_ilp(pairs, candidates, n_proj, dp_limit=0)) == pytest.approx(full, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(scored_instances(max_pairs=20))
def test_conflict_groups_split_the_entities_into_independent_connected_groups(case):
    pairs, candidates, _ = case
    groups = conflict_groups(pairs, candidates)
    entities = sorted({p.entity for p in pairs})
    assert sorted(e for group in groups for e in group) == entities
    spans = {e: [candidates[p.candidate] for p in pairs if p.entity == e] for e in entities}

    def touch(a, b):
        return any(s < v and t < u for s, u in spans[a] for t, v in spans[b])

    for g, group in enumerate(groups):
        for other in groups[g + 1 :]:
            assert not any(touch(a, b) for a in group for b in other)
        reached, frontier = {group[0]}, [group[0]]
        while frontier:
            a = frontier.pop()
            for b in group:
                if b not in reached and touch(a, b):
                    reached.add(b)
                    frontier.append(b)
        assert reached == set(group)


def test_ilp_prefers_the_shorter_of_equal_candidates_and_keeps_mentions_in_order():
    """One entity, [0,1) and [0,2) both score 2/3 (links 0-0 and 0-1 at weights 1 and 0.5):
    the shorter is taken. Two mentions of one name, each linked to both of its target
    occurrences, take them in order."""
    chosen = solve_ilp([ScoredPair(0, 0, 2 / 3), ScoredPair(0, 1, 2 / 3)], [(0, 2), (0, 1)])
    assert chosen == [ScoredPair(0, 1, 2 / 3)]
    candidates = ngram_candidates(["UE", "y", "UE"])
    entities = [Span(0, 1, "ORG"), Span(2, 3, "ORG")]
    alignment = align((0, 0), (0, 2), (2, 0), (2, 2))
    result = project_matching(entities, candidates, alignment, 3)
    assert [(p.source_span.start, p.span.start) for p in result] == [(0, 0), (2, 2)]


def test_ilp_budget():
    """The greedy trap's conflict group, forced to the MILP solver with room for one pair."""
    entities, candidates, alignment = make_greedy_trap()
    pairs = score_pairs(entities, candidates, alignment, 2)
    with pytest.raises(BudgetExceeded, match="more than 1 for the ILP") as raised:
        solve_ilp(pairs, candidates, budget=Budget(max_ilp_pairs=1), dp_limit=0)
    assert raised.value.stage == "ilp"
    assert objective(solve_ilp(pairs, candidates, budget=Budget(max_ilp_pairs=1))) == pytest.approx(5 / 3)


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
            result = project_matching(
                list(source), candidates, Alignment.from_pairs(links), len(pair.target), solver=solver
            )
            assert [p.span for p in result] == list(target)
            assert [p.source_span for p in result] == list(source)
        checked += len(source)
    assert checked >= 60
