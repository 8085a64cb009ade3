"""Combining the two directions of a statistical aligner into one alignment."""

from __future__ import annotations

from collections.abc import Iterable

from core.datamodel import Link

SYMMETRIZATIONS = ("intersection", "union", "grow-diag-final-and", "grow-diag")
_NEIGHBOURS = [(-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)]


def symmetrize(forward: Iterable[Link], reverse: Iterable[Link], method: str = "grow-diag-final-and") -> set[Link]:
    """Symmetrise two directional alignments given as ``(source, target)`` pairs.

    ``grow-diag-final-and`` is Koehn et al.'s heuristic: start from the intersection,
    add neighbouring union links that touch an unaligned word, then ("final-and")
    union links whose two words are both unaligned.
    """
    forward, reverse = set(forward), set(reverse)
    if method == "intersection":
        return forward & reverse
    if method == "union":
        return forward | reverse
    if method not in SYMMETRIZATIONS:
        raise ValueError(f"unknown symmetrisation {method!r}; choose one of {', '.join(SYMMETRIZATIONS)}")
    union = forward | reverse
    links = forward & reverse
    aligned_source = {i for i, _ in links}
    aligned_target = {j for _, j in links}
    added = True
    while added:
        added = False
        for i, j in sorted(links):
            for di, dj in _NEIGHBOURS:
                link = (i + di, j + dj)
                if (
                    link in union
                    and link not in links
                    and (link[0] not in aligned_source or link[1] not in aligned_target)
                ):
                    links.add(link)
                    aligned_source.add(link[0])
                    aligned_target.add(link[1])
                    added = True
    if method == "grow-diag-final-and":
        for direction in (forward, reverse):
            for i, j in sorted(direction):
                if i not in aligned_source and j not in aligned_target:
                    links.add((i, j))
                    aligned_source.add(i)
                    aligned_target.add(j)
    return links
