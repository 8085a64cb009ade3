"""Projection as matching (Politov et al. 2025): score every (source entity, target
candidate) pair from the alignment, then choose pairs with an ILP or greedily.

score(e, t) = 2n / (|e| + |t|), n = the (weighted) links between e's and t's words.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .datamodel import Alignment, Projection, Span

SOLVERS = ("ilp", "greedy")
PairFilter = Callable[[Span, tuple[int, int]], bool]


@dataclass(frozen=True)
class ScoredPair:
    """One (entity, candidate) option with a positive score."""

    entity: int
    candidate: int
    score: float


def link_counts(entity: Span, alignment: Alignment, n_target: int) -> np.ndarray:
    """Weighted number of links from ``entity`` to each target word."""
    counts = np.zeros(n_target)
    for (i, j), weight in alignment.weight_map().items():
        if entity.covers(i) and j < n_target:
            counts[j] += weight
    return counts


def score_pairs(
    entities: Sequence[Span],
    candidates: Sequence[tuple[int, int]],
    alignment: Alignment,
    n_target: int,
    min_score: float = 0.0,
    allowed: PairFilter | None = None,
) -> list[ScoredPair]:
    """All pairs with a score above ``min_score`` (and above zero) that ``allowed``
    (e.g. :class:`core.boundaries.EdgeRule`) does not rule out."""
    pairs = []
    if not candidates:
        return pairs
    starts = np.array([s for s, _ in candidates])
    ends = np.array([u for _, u in candidates])
    for e, entity in enumerate(entities):
        prefix = np.concatenate([[0.0], np.cumsum(link_counts(entity, alignment, n_target))])
        n = prefix[ends] - prefix[starts]
        scores = 2 * n / (len(entity) + (ends - starts))
        for c in np.flatnonzero((n > 0) & (scores > min_score)):
            if allowed is None or allowed(entity, candidates[c]):
                pairs.append(ScoredPair(e, int(c), float(scores[c])))
    return pairs


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
        start, end = candidates[pair.candidate]
        if used.get(pair.entity, 0) >= n_proj:
            continue
        if any(start < u and s < end for s, u in taken):
            continue
        chosen.append(pair)
        used[pair.entity] = used.get(pair.entity, 0) + 1
        taken.append((start, end))
    return chosen


def solve_ilp(
    pairs: Sequence[ScoredPair],
    candidates: Sequence[tuple[int, int]],
    n_proj: int = 1,
) -> list[ScoredPair]:
    """Exact maximum-score assignment with scipy's MILP (HiGHS).

    Each entity is used at most ``n_proj`` times; no target word is covered twice.
    """
    if not pairs:
        return []
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    n_vars = len(pairs)
    entity_ids = sorted({p.entity for p in pairs})
    entity_row = {e: r for r, e in enumerate(entity_ids)}
    words = sorted({k for p in pairs for k in range(*candidates[p.candidate])})
    word_row = {k: len(entity_ids) + r for r, k in enumerate(words)}
    rows, cols = [], []
    for v, pair in enumerate(pairs):
        rows.append(entity_row[pair.entity])
        cols.append(v)
        for k in range(*candidates[pair.candidate]):
            rows.append(word_row[k])
            cols.append(v)
    n_rows = len(entity_ids) + len(words)
    matrix = coo_array((np.ones(len(rows)), (rows, cols)), shape=(n_rows, n_vars)).tocsr()
    upper = np.array([n_proj] * len(entity_ids) + [1] * len(words), dtype=float)
    result = milp(
        c=-np.array([p.score for p in pairs]),
        constraints=LinearConstraint(matrix, -np.inf, upper),
        integrality=np.ones(n_vars),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0},
    )
    if result.x is None:
        raise RuntimeError(f"the ILP solver failed: {result.message}")
    return [pair for pair, value in zip(pairs, result.x) if value > 0.5]


def project_matching(
    entities: Sequence[Span],
    candidates: Sequence[tuple[int, int]],
    alignment: Alignment,
    n_target: int,
    solver: str = "ilp",
    n_proj: int = 1,
    min_score: float = 0.0,
    allowed: PairFilter | None = None,
    scored: Sequence[ScoredPair] | None = None,
) -> list[Projection]:
    """Project source entities onto chosen target candidates (``scored``: the pairs, if already scored)."""
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}; choose one of {', '.join(SOLVERS)}")
    pairs = scored if scored is not None else score_pairs(entities, candidates, alignment, n_target, min_score, allowed)
    solve = solve_ilp if solver == "ilp" else solve_greedy
    projections = []
    for pair in solve(pairs, candidates, n_proj):
        entity = entities[pair.entity]
        start, end = candidates[pair.candidate]
        links = tuple(sorted((i, j) for i, j in alignment.links if entity.covers(i) and start <= j < end))
        projections.append(Projection(Span(start, end, entity.label, pair.score), entity, "matching", links, pair.score))
    return sorted(projections, key=lambda p: p.span.start)


def top_candidates(pairs: Sequence[ScoredPair], candidates: Sequence[tuple[int, int]], limit: int = 6) -> dict[int, tuple[tuple[int, int, float], ...]]:
    """Each entity's ``limit`` best-scoring candidates, ``(start, end, score)``, best first."""
    table: dict[int, list[tuple[int, int, float]]] = {}
    for p in pairs:
        table.setdefault(p.entity, []).append((*candidates[p.candidate], p.score))
    return {e: tuple(sorted(c, key=lambda x: (-x[2], x[0], x[1]))[:limit]) for e, c in table.items()}


def objective(pairs: Sequence[ScoredPair]) -> float:
    """The total score of a solution."""
    return float(sum(p.score for p in pairs))
