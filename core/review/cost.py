"""A simulated reviewer: how many key presses the Review screen needs to turn a
sentence's proposals into its gold spans.

The key model is the Review screen's (``ui/review_component/index.html``): the rows are
the distinct proposed spans sorted by position, the first one selected; ``↓``/``↑`` move
the selection one row; ``a`` accepts and ``x`` rejects the selected row (both then select
the next row); ``←``/``→`` move its start and ``⇧←``/``⇧→`` its end by one word (a chord
counts as one press); ``c`` replaces it with its source entity's next candidate (the
first press gives the best candidate); ``1``–``4`` set its label; ``i`` adds a one-word
span on the first free word after the selected row, with its label, and selects it;
``Enter`` accepts every undecided row of the primary method, rejects the others and
moves on (always one press). A source entity no row stands for has a row of its own after
the spans (in entity order): ``c`` there adds its best candidate as a span, and further
``c`` presses cycle to the next ones.

The reviewer is ideal and simple: each gold span is served by the proposal that is
cheapest to edit into it, the others are rejected only when ``Enter`` would keep them
and nothing edited overlaps them (an edited span beats an undecided one on export),
and rows are visited in order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.datamodel import Span

LABELS = ("PER", "LOC", "ORG", "MISC")


@dataclass(frozen=True)
class Row:
    """One proposal as the Review screen lists it."""

    span: Span
    primary: bool
    source: int = -1


@dataclass(frozen=True)
class Cost:
    """Key presses for one sentence, and what they were spent on."""

    keys: int
    accepted: int = 0
    fixed: int = 0
    rejected: int = 0
    added: int = 0
    moves: int = 0


def rows_of(primary: Sequence[tuple[Span, int]], others: Sequence[tuple[Span, int]] = ()) -> list[Row]:
    """The screen's rows: one per distinct (start, end, label), primary if the primary
    method proposed it, sorted by position. Items are ``(span, source entity index)``."""
    table: dict[tuple[int, int, str], Row] = {}
    for is_primary, items in ((True, primary), (False, others)):
        for span, source in items:
            key = (span.start, span.end, span.label)
            if key not in table:
                table[key] = Row(Span(*key), is_primary, source)
    return [table[k] for k in sorted(table)]


def edit_keys(span: Span, gold: Span, candidates: Sequence[tuple[int, int]] = ()) -> int:
    """Presses to turn ``span`` into ``gold``: boundary moves or ``c`` presses, whichever
    is fewer, plus one for the label if it differs."""
    moves = abs(span.start - gold.start) + abs(span.end - gold.end)
    for k, (start, end) in enumerate(candidates):
        if (start, end) == (gold.start, gold.end):
            moves = min(moves, k + 1)
            break
    return moves + (span.label != gold.label)


def review_keys(
    rows: Sequence[Row],
    gold: Sequence[Span],
    n_tokens: int,
    candidates: Mapping[int, Sequence[tuple[int, int]]] | None = None,
    entity_labels: Sequence[str] = (),
) -> Cost:
    """The key presses an ideal reviewer needs for one sentence (see the module doc).
    ``entity_labels``: the labels of the source entities, in order, for the rows of the
    entities no proposal stands for."""
    candidates = candidates or {}
    rows = sorted(rows, key=lambda r: (r.span.start, r.span.end, r.span.label))
    represented = {row.source for row in rows}
    missing = {  # row index -> (entity, its label), after the spans
        len(rows) + m: (e, label)
        for m, (e, label) in enumerate((e, lab) for e, lab in enumerate(entity_labels) if e not in represented)
    }
    plan: dict[int, tuple[str, int]] = {}  # row index -> (action, presses)
    open_gold = list(gold)
    for r, row in enumerate(rows):  # exact matches of the primary method cost nothing
        if row.primary and row.span in open_gold:
            open_gold.remove(row.span)
            plan[r] = ("keep", 0)
    added: list[Span] = []
    for g in sorted(open_gold):
        options = []
        for r, row in enumerate(rows):
            if r in plan:
                continue
            if row.span == g:
                options.append((1, 0, r, "keep"))  # a
            else:  # edit it: moves, c or a label; ties go to spans that overlap, then primary
                options.append(
                    (
                        edit_keys(row.span, g, candidates.get(row.source, ())),
                        int(not row.span.overlaps(g)) + int(not row.primary),
                        r,
                        "fix",
                    )
                )
        for r, (e, label) in missing.items():  # c adds the entity's best candidate, c again the next
            if r in plan or not candidates.get(e):
                continue
            first, *rest = candidates[e]
            best_start = Span(first[0], first[1], label)
            options.append((1 + edit_keys(best_start, g, rest), int(not best_start.overlaps(g)) + 1, r, "fill"))
        add_cost = 1 + abs(g.start) + abs(g.end - 1) + 1  # an upper bound on adding it
        best = min(options) if options else None
        if best is not None and best[0] <= add_cost:
            plan[best[2]] = (best[3], best[0])
        else:
            added.append(g)
    decided = [g for g in gold if g not in [rows[r].span for r, (a, p) in plan.items() if a == "keep" and p == 0]]
    for r, row in enumerate(rows):
        if r in plan:
            continue
        if row.primary and not any(row.span.overlaps(d) for d in decided):
            plan[r] = ("reject", 1)
    keys = moves = 0
    selected = 0
    for r in sorted(plan):
        action, presses = plan[r]
        if presses == 0:
            continue
        moves += abs(r - selected)
        keys += abs(r - selected) + presses
        selected = r + 1 if action in ("keep", "reject") else r
    covered = {t for row in rows for t in range(row.span.start, row.span.end)}
    for g in added:
        # i adds a word on the first free word after the selected row, with its label;
        # the reviewer first selects the row that leaves the fewest presses
        costs: list[int] = []
        places: list[Row | None] = list(rows) or [None]
        for r, place in enumerate(places):
            after = place.span.end if place is not None else 0
            start = next(((after + t) % n_tokens for t in range(n_tokens) if (after + t) % n_tokens not in covered), 0)
            label = place.span.label if place is not None else LABELS[0]
            nav = abs(r - min(selected, max(len(rows) - 1, 0)))
            costs.append(nav + 1 + edit_keys(Span(start, start + 1, label), g))
        keys += min(costs)
        covered.update(range(g.start, g.end))
    actions = [a for a, _ in plan.values()]
    return Cost(
        keys=keys + 1,  # Enter
        accepted=sum(1 for r, (a, p) in plan.items() if a == "keep" and p),
        fixed=actions.count("fix"),
        rejected=actions.count("reject"),
        added=len(added) + actions.count("fill"),
        moves=moves,
    )
