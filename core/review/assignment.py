"""Split a project's sentences among reviewers, with an overlap every reviewer gets.

The overlap is a seeded random sample of the sentences (``round(overlap * n)`` of them,
at least one when ``overlap > 0``); it is what agreement is measured on. The other
sentences are dealt out once each: in contiguous runs of the corpus (``"contiguous"``) or
after a seeded shuffle (``"random"``). Shares differ in size by at most one, earlier
reviewers taking the extra sentence. Each queue lists its sentences in corpus order, so
the overlap sentences are spread through it rather than left for the end.

>>> a = assign(range(10), ["ana", "ben"], overlap=0.2, seed=1)
>>> a.overlap
(1, 2)
>>> a.queues["ana"]
(0, 1, 2, 3, 4, 5)
>>> a.queues["ben"]
(1, 2, 6, 7, 8, 9)
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.errors import LabelBridgeError

STRATEGIES = ("contiguous", "random")


class AssignmentError(LabelBridgeError):
    """Reviewers, sentence ids or an overlap share that cannot be assigned."""


@dataclass(frozen=True)
class Assignment:
    """``queues``: reviewer -> the sentence ids to review, in corpus order (overlap
    included); ``overlap``: the ids every reviewer gets, in corpus order."""

    queues: dict[str, tuple[int, ...]]
    overlap: tuple[int, ...]

    @property
    def reviewers(self) -> tuple[str, ...]:
        return tuple(self.queues)

    def reviewers_of(self, sentence_id: int) -> tuple[str, ...]:
        """The reviewers whose queue holds ``sentence_id`` (all of them for an overlap id)."""
        return tuple(name for name, queue in self.queues.items() if sentence_id in queue)


def assign(
    sentence_ids: Iterable[int],
    reviewers: Sequence[str],
    overlap: float = 0.1,
    strategy: str = "contiguous",
    seed: int = 0,
) -> Assignment:
    """Assign every sentence id to one reviewer, and the overlap sample to all of them.

    The same inputs and ``seed`` always give the same assignment. Raises
    :class:`AssignmentError` for no reviewers, a blank or repeated reviewer name (names
    compare without surrounding spaces and case), a repeated sentence id, an unknown
    ``strategy``, or an ``overlap`` outside ``[0, 1]``.
    """
    ids = _check_ids(sentence_ids)
    names = _check_reviewers(reviewers)
    share = _check_overlap(overlap)
    if strategy not in STRATEGIES:
        raise AssignmentError(f"unknown assignment strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    rng = random.Random(seed)
    count = 0 if not ids else max(1 if share > 0 else 0, math.floor(share * len(ids) + 0.5))
    overlap_ids = set(rng.sample(ids, count))
    rest = [i for i in ids if i not in overlap_ids]
    if strategy == "random":
        rng.shuffle(rest)
    position = {sentence_id: k for k, sentence_id in enumerate(ids)}
    queues = {}
    for name, share_ids in zip(names, _balanced_runs(rest, len(names))):
        queues[name] = tuple(sorted([*share_ids, *overlap_ids], key=position.__getitem__))
    return Assignment(queues, tuple(sorted(overlap_ids, key=position.__getitem__)))


def _balanced_runs(items: list[int], parts: int) -> list[list[int]]:
    """``items`` cut into ``parts`` consecutive runs whose sizes differ by at most one."""
    size, extra = divmod(len(items), parts)
    runs, start = [], 0
    for k in range(parts):
        end = start + size + (1 if k < extra else 0)
        runs.append(items[start:end])
        start = end
    return runs


def _check_ids(sentence_ids: Iterable[int]) -> list[int]:
    ids: list[int] = []
    seen: set[int] = set()
    for sentence_id in sentence_ids:
        if isinstance(sentence_id, bool) or not isinstance(sentence_id, numbers.Integral):
            raise AssignmentError(f"sentence ids must be integers, got {sentence_id!r}")
        sentence_id = int(sentence_id)
        ids.append(sentence_id)
        if sentence_id in seen:
            raise AssignmentError(f"sentence id {sentence_id} is listed twice")
        seen.add(sentence_id)
    return ids


def _check_reviewers(reviewers: Sequence[str]) -> list[str]:
    if isinstance(reviewers, str):
        raise AssignmentError("reviewers must be a list of names, not one string")
    names = list(reviewers)
    if not names:
        raise AssignmentError("no reviewers to assign sentences to")
    seen: dict[str, str] = {}
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise AssignmentError(f"a reviewer name must be a non-empty text, got {name!r}")
        key = name.strip().casefold()
        if key in seen:
            raise AssignmentError(f"reviewer {name.strip()!r} is listed twice")
        seen[key] = name
    return names


def _check_overlap(overlap: float) -> float:
    if isinstance(overlap, bool) or not isinstance(overlap, (int, float)) or not 0 <= overlap <= 1:
        raise AssignmentError(f"the overlap share must be a number from 0 to 1 (0.1 is 10%), got {overlap!r}")
    return float(overlap)
