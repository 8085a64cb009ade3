"""Progress bars on the terminal for long jobs, as ``progress(done, total)`` callbacks."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[[int, int], None]


@contextmanager
def terminal_progress(description: str, enabled: bool = True) -> Iterator[Progress]:
    """A tqdm bar on stderr driven by ``progress(done, total)`` calls."""
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if not enabled:
            return
        if bar is None:
            bar = tqdm(total=total, desc=description, file=sys.stderr, leave=False, dynamic_ncols=True)
        bar.total = total
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        if bar is not None:
            bar.close()
