"""Projection as matching (Politov et al. 2025): score every (source entity, target
candidate) pair from the alignment, then choose pairs with an ILP or greedily.

score(e, t) = 2n / (|e| + |t|), n = the (weighted) links between e's and t's words.

The work per sentence is bounded: a candidate with no link to the entity scores 0 and is
never looked at, a candidate longer than :class:`LengthCap` allows for the entity is not
scored, and the exact solver hands to the MILP solver only the groups of entities whose
best candidates collide (:func:`solve_ilp`). :class:`Budget` caps what is left; past it
:class:`BudgetExceeded` is raised and the caller falls back (:mod:`core.projection.pipeline`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from core.datamodel import Alignment, Projection, Span
from core.projection.candidates import NgramCandidates

SOLVERS = ("ilp", "greedy")
PairFilter = Callable[[Span, tuple[int, int]], bool]
#: (entity index, (start, end)) -> a value added to that pair's score (corpus evidence,
#: :mod:`core.projection.corpus_evidence`)
Bonus = Mapping[tuple[int, tuple[int, int]], float]


@runtime_checkable
class EdgeMasks(Protocol):
    """A pair filter that can also answer for every candidate of an entity at once:
    ``edges(entity)`` gives one boolean per target word for where a candidate may start
    and where it may end (its last word). :class:`core.projection.boundaries.PairEdges` is one."""

    def __call__(self, entity: Span, candidate: tuple[int, int]) -> bool: ...

    def edges(self, entity: Span) -> tuple[np.ndarray, np.ndarray]: ...


@dataclass(frozen=True)
class ScoredPair:
    """One (entity, candidate) option with a positive score."""

    entity: int
    candidate: int
    score: float


@dataclass(frozen=True)
class LengthCap:
    """The longest candidate an entity of ``n`` words is matched with: ``factor * n + extra``
    words. On the shared Europarl corpus no chosen span is longer than ``2n + 1``.

    >>> LengthCap(3, 5)(2)
    11
    """

    factor: int = 3
    extra: int = 5

    def __call__(self, entity_length: int) -> int:
        return self.factor * entity_length + self.extra


DEFAULT_CAP = LengthCap()


@dataclass(frozen=True)
class Budget:
    """Limits on one sentence's matching problem.

    ``max_pairs``: scored (entity, candidate) pairs; ``max_ilp_pairs``: pairs handed to the
    MILP solver (those in groups of entities whose best candidates collide);
    ``ilp_seconds``: the MILP solver's time limit. ``None`` means no limit.
    """

    max_pairs: int | None = 200_000
    max_ilp_pairs: int | None = 20_000
    ilp_seconds: float | None = 10.0


class BudgetExceeded(Exception):
    """A sentence's matching problem is larger than its :class:`Budget`; ``stage`` is
    "scoring" or "ilp" and the message says what was over."""

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage = stage


class _Links:
    """An alignment as arrays, links in the alignment's own order (so weights add up
    in the same order for every entity)."""

    def __init__(self, alignment: Alignment, n_target: int):
        table = [(i, j, w) for (i, j), w in alignment.weight_map().items() if j < n_target]
        self.n_target = n_target
        self.source = np.array([i for i, _, _ in table], dtype=np.int64)
        self.target = np.array([j for _, j, _ in table], dtype=np.int64)
        self.weight = np.array([w for _, _, w in table], dtype=float)

    def counts(self, entity: Span) -> np.ndarray:
        """Weighted number of links from ``entity`` to each target word."""
        inside = (self.source >= entity.start) & (self.source < entity.end)
        return np.bincount(self.target[inside], weights=self.weight[inside], minlength=self.n_target)


def link_counts(entity: Span, alignment: Alignment, n_target: int) -> np.ndarray:
    """Weighted number of links from ``entity`` to each target word.

    >>> link_counts(Span(0, 1, "PER"), Alignment.from_pairs([(0, 1), (0, 2), (1, 0)]), 3).tolist()
    [0.0, 1.0, 1.0]
    """
    return _Links(alignment, n_target).counts(entity)


def _ngram_spans(candidates: NgramCandidates, linked: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """The n-grams of at most ``cap`` words that contain a word of ``linked`` (sorted
    target indices), as start and end arrays ordered like ``candidates``."""
    first, last = int(linked[0]), int(linked[-1])
    starts = np.arange(max(0, first - cap + 1), last + 1, dtype=np.int64)
    following = np.searchsorted(linked, starts)  # the first linked word at or after each start
    nearest = linked[np.minimum(following, len(linked) - 1)]
    longest = starts + np.minimum(candidates.counts[starts], cap)  # the last end allowed
    n_ends = np.where(following < len(linked), longest - nearest, 0).clip(min=0)
    keep = n_ends > 0
    starts, nearest, n_ends = starts[keep], nearest[keep], n_ends[keep]
    if not len(starts):
        return starts, starts
    span_starts = np.repeat(starts, n_ends)
    first_end = np.repeat(nearest + 1, n_ends)
    steps = np.arange(int(n_ends.sum()), dtype=np.int64) - np.repeat(np.cumsum(n_ends) - n_ends, n_ends)
    return span_starts, first_end + steps


def _count_ngram_spans(candidates: NgramCandidates, linked: np.ndarray, cap: int) -> int:
    """How many spans :func:`_ngram_spans` would return (without listing them)."""
    first, last = int(linked[0]), int(linked[-1])
    starts = np.arange(max(0, first - cap + 1), last + 1, dtype=np.int64)
    following = np.searchsorted(linked, starts)
    nearest = linked[np.minimum(following, len(linked) - 1)]
    longest = starts + np.minimum(candidates.counts[starts], cap)
    return int(np.where(following < len(linked), longest - nearest, 0).clip(min=0).sum())


def _undominated(
    starts: np.ndarray, ends: np.ndarray, linked: np.ndarray, start_ok: np.ndarray, end_ok: np.ndarray
) -> np.ndarray:
    """Which spans start at the last allowed start up to their first linked word and end at
    the first allowed end from their last linked word (each span holds a linked word)."""
    positions = np.arange(len(start_ok))
    last_start = np.maximum.accumulate(np.where(start_ok, positions, -1))
    first_end = np.minimum.accumulate(np.where(end_ok, positions, len(end_ok))[::-1])[::-1]
    first_linked = linked[np.searchsorted(linked, starts)]
    last_linked = linked[np.searchsorted(linked, ends) - 1]
    return (last_start[first_linked] == starts) & (first_end[last_linked] == ends - 1)


def score_pairs(
    entities: Sequence[Span],
    candidates: Sequence[tuple[int, int]],
    alignment: Alignment,
    n_target: int,
    min_score: float = 0.0,
    allowed: PairFilter | None = None,
    length_cap: LengthCap | None = DEFAULT_CAP,
    max_pairs: int | None = None,
    undominated: bool = False,
    bonus: Bonus | None = None,
    light: Sequence[float] | None = None,
) -> list[ScoredPair]:
    """All pairs with a score above ``min_score`` (and above zero) that ``allowed``
    (e.g. :class:`core.projection.boundaries.PairEdges`) does not rule out, entity by entity, each
    entity's in candidate order.

    Candidates longer than ``length_cap`` allows for the entity are left out (``None``:
    no cap). For :class:`~core.projection.candidates.NgramCandidates` only the n-grams that hold a
    word linked to the entity are visited, so the work follows the links, not the n²
    n-grams. More than ``max_pairs`` visited pairs raises :class:`BudgetExceeded` before
    they are built.

    ``undominated`` (n-grams only) also leaves out each n-gram that an allowed n-gram
    inside it beats: when its first word is not linked to the entity and a later word up
    to the first linked one may start a candidate, dropping the words before that one keeps
    ``n`` and raises the score, and likewise at the end. Whatever such a span excludes, the
    shorter one excludes too, so no optimum needs it and greedy, which meets the shorter
    one first, never takes it: both solvers choose as they would from all pairs (the
    review screen, which lists candidates, asks for all of them).

    Corpus evidence (:mod:`core.projection.corpus_evidence`) hooks in twice. ``light`` gives
    each target word a discount: inside a candidate, a word not linked to the entity counts
    ``1 - light[j]`` words in ``|t|`` (a linked word always counts 1), so *política de la
    competencia* is not four words long. Every discount must be below 1 (each word weighs
    more than 0): the dominance argument above needs dropping an unlinked edge word to
    shorten the span, and a ``ValueError`` is raised otherwise. ``bonus`` adds its value to
    the score of each named (entity, (start, end)) pair whose span is a candidate; such a
    pair is scored even when it holds no linked word, is longer than the cap, or is
    dominated, but still has to pass ``allowed`` and ``min_score``.
    """
    pairs: list[ScoredPair] = []
    if not len(candidates) or not entities:
        return pairs
    links = _Links(alignment, n_target)
    ngrams = candidates if isinstance(candidates, NgramCandidates) else None
    if ngrams is None:
        all_starts = np.array([s for s, _ in candidates], dtype=np.int64)
        all_ends = np.array([u for _, u in candidates], dtype=np.int64)
    masks = allowed if isinstance(allowed, EdgeMasks) else None
    discount = _discounts(light, n_target)
    extra = _bonus_by_entity(bonus, candidates, len(entities))
    total = sum(len(places) for places in extra.values())
    for e, entity in enumerate(entities):
        counts = links.counts(entity)
        linked = np.flatnonzero(counts > 0)
        if not len(linked):
            if e in extra:
                pairs.extend(_bonus_pairs(e, entity, extra[e], {}, counts, discount, min_score, allowed))
            continue
        cap = length_cap(len(entity)) if length_cap is not None else n_target
        if ngrams is not None:
            total += _count_ngram_spans(ngrams, linked, cap)
        if max_pairs is not None and total > max_pairs:
            raise BudgetExceeded("scoring", f"more than {max_pairs:,} (entity, candidate) pairs to score")
        prefix = np.concatenate([[0.0], np.cumsum(counts)])
        if ngrams is not None:
            starts, ends = _ngram_spans(ngrams, linked, cap)
            index = ngrams.indices(starts, ends)
        else:
            index = np.flatnonzero(all_ends - all_starts <= cap)
            starts, ends = all_starts[index], all_ends[index]
        n = prefix[ends] - prefix[starts]
        scores = 2 * n / (len(entity) + _lengths(counts, starts, ends, discount))
        keep = (n > 0) & (scores > min_score)
        if masks is not None:
            start_ok, end_ok = masks.edges(entity)
            keep &= start_ok[starts] & end_ok[ends - 1]
        if undominated and ngrams is not None:
            if masks is None:
                start_ok = end_ok = np.ones(n_target, dtype=bool)
            keep &= _undominated(starts, ends, linked, start_ok, end_ok)
        if ngrams is None:
            total += int(keep.sum())
            if max_pairs is not None and total > max_pairs:
                raise BudgetExceeded("scoring", f"more than {max_pairs:,} (entity, candidate) pairs to score")
        found = []
        for c, s, u, score in zip(
            index[keep].tolist(), starts[keep].tolist(), ends[keep].tolist(), scores[keep].tolist()
        ):
            if masks is not None or allowed is None or allowed(entity, (s, u)):
                found.append(ScoredPair(e, c, score))
        if e in extra:  # corpus evidence: the named spans, scored with their bonus
            scored = {p.candidate: p for p in found}
            found = [p for p in found if p.candidate not in extra[e]]
            found.extend(_bonus_pairs(e, entity, extra[e], scored, counts, discount, min_score, allowed))
            found.sort(key=lambda p: p.candidate)
        pairs.extend(found)
    return pairs


def _discounts(light: Sequence[float] | None, n_target: int) -> np.ndarray | None:
    """``light`` as an array of ``n_target`` discounts, each in [0, 1)."""
    if light is None:
        return None
    discount = np.asarray(light, dtype=float)
    if discount.shape != (n_target,):
        raise ValueError(f"light has {discount.size} discounts for {n_target} target words")
    if not np.all((discount >= 0) & (discount < 1)):
        raise ValueError("every light discount must be at least 0 and below 1 (each word weighs more than 0)")
    return discount


def _lengths(counts: np.ndarray, starts: np.ndarray, ends: np.ndarray, discount: np.ndarray | None) -> np.ndarray:
    """``|t|`` of each span: its number of words, or with ``discount`` (corpus evidence) its
    weighted length, where a word not linked to the entity weighs ``1 - discount``. At least 1."""
    if discount is None:
        return ends - starts
    weights = np.where(counts > 0, 1.0, 1.0 - discount)
    prefix = np.concatenate([[0.0], np.cumsum(weights)])
    return np.maximum(prefix[ends] - prefix[starts], 1.0)


def _bonus_by_entity(
    bonus: Bonus | None, candidates: Sequence[tuple[int, int]], n_entities: int
) -> dict[int, dict[int, tuple[int, int, float]]]:
    """``{entity: {candidate index: (start, end, bonus)}}`` for the named spans that are
    candidates (an NER model's spans stay the only candidates)."""
    if not bonus:
        return {}
    index: dict[tuple[int, int], int] = {}
    if not isinstance(candidates, NgramCandidates):
        for k, span in enumerate(candidates):
            index.setdefault((int(span[0]), int(span[1])), k)
    extra: dict[int, dict[int, tuple[int, int, float]]] = {}
    for (e, (start, end)), value in bonus.items():
        span = (int(start), int(end))
        if not 0 <= e < n_entities:
            continue
        if isinstance(candidates, NgramCandidates):
            c = candidates.index(span) if span in candidates else None
        else:
            c = index.get(span)
        if c is not None:
            extra.setdefault(e, {})[c] = (*span, float(value))
    return extra


def _bonus_pairs(
    e: int,
    entity: Span,
    places: Mapping[int, tuple[int, int, float]],
    scored: Mapping[int, ScoredPair],
    counts: np.ndarray,
    discount: np.ndarray | None,
    min_score: float,
    allowed: PairFilter | None,
) -> list[ScoredPair]:
    """Entity ``e``'s pairs with a bonus: the score :func:`score_pairs` gives (``scored``,
    or computed here for a span it left out) plus the bonus, if ``allowed`` lets the span
    through and the total is above ``min_score``."""
    found = []
    for c, (start, end, value) in sorted(places.items()):
        if c in scored:
            found.append(ScoredPair(e, c, scored[c].score + value))
            continue
        if allowed is not None and not allowed(entity, (start, end)):
            continue
        starts, ends = np.array([start]), np.array([end])
        prefix = np.concatenate([[0.0], np.cumsum(counts)])
        n = prefix[end] - prefix[start]
        score = float(2 * n / (len(entity) + _lengths(counts, starts, ends, discount)[0])) + value
        if score > min_score:
            found.append(ScoredPair(e, c, score))
    return found


def solve_greedy(
    pairs: Sequence[ScoredPair],
    candidates: Sequence[tuple[int, int]],
    n_proj: int = 1,
) -> list[ScoredPair]:
    """Take the best pair, drop what it excludes, repeat (ties: lowest entity, then candidate)."""
    chosen: list[ScoredPair] = []
    used: dict[int, int] = {}
    taken: list[tuple[int, int]] = []
    for pair in sorted(pairs, key=lambda p: (-p.score, p.entity, p.candidate)):
        if used.get(pair.entity, 0) >= n_proj:
            continue
        start, end = candidates[pair.candidate]
        if any(start < u and s < end for s, u in taken):
            continue
        chosen.append(pair)
        used[pair.entity] = used.get(pair.entity, 0) + 1
        taken.append((start, end))
    return chosen


def solve_milp(
    pairs: Sequence[ScoredPair],
    candidates: Sequence[tuple[int, int]],
    n_proj: int = 1,
    time_limit: float | None = None,
) -> list[ScoredPair]:
    """The whole problem as one integer program, solved exactly with scipy's ``milp`` (HiGHS).

    Each entity is used at most ``n_proj`` times; no target word is covered twice (one
    sparse row per entity and per covered word). Raises :class:`BudgetExceeded` when
    ``time_limit`` seconds pass before the optimum is proven.
    """
    if not pairs:
        return []
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    n_vars = len(pairs)
    entity_ids = sorted({p.entity for p in pairs})
    entity_row = {e: r for r, e in enumerate(entity_ids)}
    spans = [candidates[p.candidate] for p in pairs]
    words = sorted({k for start, end in spans for k in range(start, end)})
    word_row = {k: len(entity_ids) + r for r, k in enumerate(words)}
    rows, cols = [], []
    for v, (pair, (start, end)) in enumerate(zip(pairs, spans)):
        rows.append(entity_row[pair.entity])
        cols.append(v)
        for k in range(start, end):
            rows.append(word_row[k])
            cols.append(v)
    n_rows = len(entity_ids) + len(words)
    matrix = coo_array((np.ones(len(rows)), (rows, cols)), shape=(n_rows, n_vars)).tocsr()
    upper = np.array([n_proj] * len(entity_ids) + [1] * len(words), dtype=float)
    options: dict = {"mip_rel_gap": 0.0}
    if time_limit is not None:
        options["time_limit"] = time_limit
    result = milp(
        c=-np.array([p.score for p in pairs]),
        constraints=LinearConstraint(matrix, -np.inf, upper),
        integrality=np.ones(n_vars),
        bounds=Bounds(0, 1),
        options=options,
    )
    if result.status == 1:
        raise BudgetExceeded("ilp", f"the ILP solver proved no optimum within its limit ({result.message})")
    if result.x is None or result.status != 0:
        raise RuntimeError(f"the ILP solver failed: {result.message}")
    return [pair for pair, value in zip(pairs, result.x) if value > 0.5]


def _best_per_entity(
    pairs: Sequence[ScoredPair], candidates: Sequence[tuple[int, int]], n_proj: int
) -> dict[int, list[ScoredPair]]:
    """Each entity's ``n_proj`` best pairs; among equal scores the shorter candidate (it
    leaves more words to others), then the lower candidate index."""
    by_entity: dict[int, list[ScoredPair]] = {}
    for pair in pairs:
        by_entity.setdefault(pair.entity, []).append(pair)

    def order(p: ScoredPair) -> tuple[float, int, int]:
        start, end = candidates[p.candidate]
        return -p.score, end - start, p.candidate

    return {e: sorted(group, key=order)[:n_proj] for e, group in by_entity.items()}


def _disjoint(spans: list[tuple[int, int]]) -> bool:
    spans = sorted(spans)
    return all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def conflict_groups(pairs: Sequence[ScoredPair], candidates: Sequence[tuple[int, int]]) -> list[list[int]]:
    """The entities of ``pairs`` in groups that share no target word: two entities are in
    one group when a candidate of one overlaps a candidate of the other (directly or through
    other entities). Groups do not constrain each other, so each can be solved alone.

    >>> pairs = [ScoredPair(0, 0, 1.0), ScoredPair(1, 1, 1.0), ScoredPair(2, 2, 1.0)]
    >>> conflict_groups(pairs, [(0, 2), (1, 3), (5, 6)])
    [[0, 1], [2]]
    """
    intervals = sorted((*candidates[p.candidate], p.entity) for p in pairs)
    parent: dict[int, int] = {p.entity: p.entity for p in pairs}

    def root(e: int) -> int:
        while parent[e] != e:
            parent[e] = parent[parent[e]]
            e = parent[e]
        return e

    reach, owner = -1, -1
    for start, end, entity in intervals:
        if start < reach:  # overlaps the run of intervals before it
            a, b = root(entity), root(owner)
            if a != b:
                parent[max(a, b)] = min(a, b)
            reach = max(reach, end)
        else:
            reach, owner = end, entity
    groups: dict[int, list[int]] = {}
    for e in sorted(parent):
        groups.setdefault(root(e), []).append(e)
    return list(groups.values())


#: steps of :func:`solve_positions` (states times boundaries and pairs) worth taking before
#: the MILP solver's fixed cost (about 15 ms a call here) is the cheaper way
MAX_DP_WORK = 50_000


def _dp_work(pairs: Sequence[ScoredPair], candidates: Sequence[tuple[int, int]], n_proj: int) -> int:
    n_entities = len({p.entity for p in pairs})
    points = {k for p in pairs for k in candidates[p.candidate]}
    return (n_proj + 1) ** min(n_entities, 64) * (len(points) + len(pairs))


def solve_positions(
    pairs: Sequence[ScoredPair],
    candidates: Sequence[tuple[int, int]],
    n_proj: int = 1,
) -> list[ScoredPair]:
    """The exact optimum by dynamic programming along the target words, for a few entities.

    ``best(x, used)``: the most score from candidates that start at or after word ``x``,
    when ``used`` says how often each entity has been used already; at each candidate start
    either nothing starts there or one candidate of an entity not used up does, and the
    rest starts at its end. The table has ``(n_proj + 1) ** entities`` states per candidate
    boundary, so this is for small groups (:func:`solve_ilp` sends large ones to the MILP
    solver). Among equal totals (within 1e-12) it takes the candidate that starts first
    (as greedy and the fast path of :func:`solve_ilp` do), then the higher-scoring, shorter,
    lower-index one, then the earlier entity (so two mentions of one name take its two
    target occurrences in order).

    >>> pairs = [ScoredPair(0, 0, 1.0), ScoredPair(0, 1, 2 / 3), ScoredPair(1, 2, 1.0), ScoredPair(1, 0, 2 / 3)]
    >>> sorted(solve_positions(pairs, [(0, 2), (0, 1), (1, 2)]), key=lambda p: p.entity)
    [ScoredPair(entity=0, candidate=1, score=0.6666666666666666), ScoredPair(entity=1, candidate=2, score=1.0)]
    """
    if not pairs:
        return []
    entities = sorted({p.entity for p in pairs})
    base = n_proj + 1
    unit = {e: base**k for k, e in enumerate(entities)}
    n_states = base ** len(entities)
    points = sorted({k for p in pairs for k in candidates[p.candidate]})
    where = {x: i for i, x in enumerate(points)}
    starting: dict[int, list[tuple[int, ScoredPair]]] = {}
    for pair in pairs:
        start, end = candidates[pair.candidate]
        starting.setdefault(where[start], []).append((where[end], pair))
    for options in starting.values():
        options.sort(key=lambda o: (-o[1].score, o[0], o[1].candidate, o[1].entity))
    value = [[0.0] * n_states for _ in points]
    choice: list[list[tuple[int, ScoredPair] | None]] = [[None] * n_states for _ in points]
    for i in range(len(points) - 2, -1, -1):
        after, here, picks = value[i + 1], value[i], choice[i]
        options = starting.get(i, [])
        for state in range(n_states):
            top, pick = -math.inf, None
            for end, pair in options:
                step = unit[pair.entity]
                if (state // step) % base < n_proj:
                    total = pair.score + value[end][state + step]
                    if total > top + 1e-12:
                        top, pick = total, (end, pair)
            if pick is not None and top >= after[state] - 1e-12:
                here[state], picks[state] = top, pick
            else:
                here[state] = after[state]
    chosen, i, state = [], 0, 0
    while i < len(points) - 1:
        pick = choice[i][state]
        if pick is None:
            i += 1
        else:
            i, pair = pick
            chosen.append(pair)
            state += unit[pair.entity]
    return chosen


def solve_ilp(
    pairs: Sequence[ScoredPair],
    candidates: Sequence[tuple[int, int]],
    n_proj: int = 1,
    budget: Budget | None = None,
    dp_limit: int = MAX_DP_WORK,
) -> list[ScoredPair]:
    """Exact maximum-score assignment: each entity used at most ``n_proj`` times, no target
    word covered twice; the optimum of the integer program :func:`solve_milp` solves, found
    without it where it is not needed.

    Taking each entity's best ``n_proj`` pairs bounds the objective from above, so where
    those pairs do not overlap they *are* the optimum. The entities are split into
    :func:`conflict_groups`, which do not constrain each other. A group whose entities'
    best pairs are disjoint is solved by taking them (ties: the shorter candidate, then the
    lower index); a group where they collide is solved exactly by :func:`solve_positions`
    when that takes at most ``dp_limit`` steps, and by the MILP solver otherwise (all such
    groups in one call, which ``budget`` limits: :class:`BudgetExceeded`).
    """
    if not pairs:
        return []
    best = _best_per_entity(pairs, candidates, n_proj)
    everything = [p for group in best.values() for p in group]
    if _disjoint([candidates[p.candidate] for p in everything]):
        return sorted(everything, key=lambda p: (p.entity, p.candidate))
    by_entity: dict[int, list[ScoredPair]] = {}
    for pair in pairs:
        by_entity.setdefault(pair.entity, []).append(pair)
    chosen: list[ScoredPair] = []
    large: list[ScoredPair] = []
    for group in conflict_groups(pairs, candidates):
        tops = [p for e in group for p in best[e]]
        if _disjoint([candidates[p.candidate] for p in tops]):
            chosen.extend(tops)
            continue
        members = [p for e in group for p in by_entity[e]]
        if _dp_work(members, candidates, n_proj) <= dp_limit:
            chosen.extend(solve_positions(members, candidates, n_proj))
        else:
            large.extend(members)
    if large:
        budget = budget or Budget(None, None, None)
        if budget.max_ilp_pairs is not None and len(large) > budget.max_ilp_pairs:
            raise BudgetExceeded(
                "ilp",
                f"{len(large):,} (entity, candidate) pairs in conflict, more than {budget.max_ilp_pairs:,} for the ILP",
            )
        chosen.extend(solve_milp(large, candidates, n_proj, budget.ilp_seconds))
    return sorted(chosen, key=lambda p: (p.entity, p.candidate))


def solve(
    pairs: Sequence[ScoredPair],
    candidates: Sequence[tuple[int, int]],
    solver: str = "ilp",
    n_proj: int = 1,
    budget: Budget | None = None,
) -> list[ScoredPair]:
    """Choose pairs with ``solver``: "ilp" (:func:`solve_ilp`) or "greedy"."""
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}; choose one of {', '.join(SOLVERS)}")
    if solver == "greedy":
        return solve_greedy(pairs, candidates, n_proj)
    return solve_ilp(pairs, candidates, n_proj, budget)


def matching_projections(
    entities: Sequence[Span],
    candidates: Sequence[tuple[int, int]],
    alignment: Alignment,
    chosen: Sequence[ScoredPair],
) -> list[Projection]:
    """The chosen pairs as projections, in target order, each with its supporting links."""
    by_source = alignment.source_to_target() if chosen else {}
    projections = []
    for pair in chosen:
        entity = entities[pair.entity]
        start, end = candidates[pair.candidate]
        links = tuple((i, j) for i in range(entity.start, entity.end) for j in by_source.get(i, ()) if start <= j < end)
        projections.append(
            Projection(Span(start, end, entity.label, pair.score), entity, "matching", links, pair.score)
        )
    return sorted(projections, key=lambda p: p.span.start)


def project_matching(
    entities: Sequence[Span],
    candidates: Sequence[tuple[int, int]],
    alignment: Alignment,
    n_target: int,
    solver: str = "ilp",
    n_proj: int = 1,
    min_score: float = 0.0,
    allowed: PairFilter | None = None,
    length_cap: LengthCap | None = DEFAULT_CAP,
    budget: Budget | None = None,
    bonus: Bonus | None = None,
    light: Sequence[float] | None = None,
) -> list[Projection]:
    """Project source entities onto chosen target candidates. With a ``budget``, a
    problem past it raises :class:`BudgetExceeded` (see :func:`core.projection.pipeline.project_pair`
    for the fallback). ``bonus`` and ``light``: corpus evidence, see :func:`score_pairs`."""
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}; choose one of {', '.join(SOLVERS)}")
    max_pairs = budget.max_pairs if budget is not None else None
    pairs = score_pairs(
        entities,
        candidates,
        alignment,
        n_target,
        min_score,
        allowed,
        length_cap,
        max_pairs,
        undominated=True,
        bonus=bonus,
        light=light,
    )
    return matching_projections(entities, candidates, alignment, solve(pairs, candidates, solver, n_proj, budget))


def top_candidates(
    pairs: Sequence[ScoredPair], candidates: Sequence[tuple[int, int]], limit: int = 6
) -> dict[int, tuple[tuple[int, int, float], ...]]:
    """Each entity's ``limit`` best-scoring candidates, ``(start, end, score)``, best first."""
    table: dict[int, list[tuple[int, int, float]]] = {}
    for p in pairs:
        table.setdefault(p.entity, []).append((*candidates[p.candidate], p.score))
    return {e: tuple(sorted(c, key=lambda x: (-x[2], x[0], x[1]))[:limit]) for e, c in table.items()}


def objective(pairs: Sequence[ScoredPair]) -> float:
    """The total score of a solution."""
    return float(sum(p.score for p in pairs))
