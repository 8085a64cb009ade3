"""Heuristic projection (García-Ferrero et al. 2022, as Politov et al. 2025 re-implemented it).

For each source entity: the target words aligned to it, grouped into runs of adjacent
words, runs merged across gaps of at most ``merge_distance`` words not aligned to the
entity (a gap word may be aligned elsewhere), and a run kept only if
``len(run) / len(entity) > min_ratio`` (bridged words count in the run's length).

Overlaps are resolved deliberately (the paper's code let later entities overwrite
earlier ones): runs are taken in order of the number of links supporting them, then of
their length, then source order; a run that overlaps one already taken is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.datamodel import Alignment, Projection, Span


def group_runs(indices: Sequence[int], merge_distance: int = 1) -> list[tuple[int, int]]:
    """Sorted target indices -> half-open runs, bridging gaps of <= ``merge_distance`` words.

    >>> group_runs([2, 3, 5, 9], merge_distance=1)
    [(2, 6), (9, 10)]
    """
    runs: list[tuple[int, int]] = []
    for index in sorted(set(indices)):
        if runs and index - runs[-1][1] <= merge_distance:
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((index, index + 1))
    return runs


def entity_runs(
    entity: Span,
    alignment: Alignment,
    merge_distance: int = 1,
    min_ratio: float = 0.8,
    by_source: dict[int, list[int]] | None = None,
) -> list[Projection]:
    """The runs one source entity lands on, before overlaps are resolved. ``by_source``
    is ``alignment.source_to_target()``, when the caller has it already."""
    if by_source is None:
        by_source = alignment.source_to_target()
    links = [(i, j) for i in range(entity.start, entity.end) for j in by_source.get(i, ())]
    projections = []
    for start, end in group_runs([j for _, j in links], merge_distance):
        if (end - start) / len(entity) > min_ratio:
            support = tuple(sorted((i, j) for i, j in links if start <= j < end))
            share = len({i for i, _ in support}) / len(entity)
            projections.append(Projection(Span(start, end, entity.label, share), entity, "heuristic", support, share))
    return projections


def project_heuristic(
    entities: Sequence[Span],
    alignment: Alignment,
    merge_distance: int = 1,
    min_ratio: float = 0.8,
) -> list[Projection]:
    """Project source entities onto the target; the result never overlaps itself."""
    proposals = []
    by_source = alignment.source_to_target()
    for order, entity in enumerate(entities):
        for projection in entity_runs(entity, alignment, merge_distance, min_ratio, by_source):
            proposals.append((-len(projection.links), -len(projection.span), order, projection))
    chosen: list[Projection] = []
    for *_, projection in sorted(proposals, key=lambda item: item[:3] + (item[3].span.start,)):
        if not any(projection.span.overlaps(other.span) for other in chosen):
            chosen.append(projection)
    return sorted(chosen, key=lambda p: p.span.start)
