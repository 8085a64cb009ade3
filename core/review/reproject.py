"""Re-projecting the sentences nobody has reviewed yet, from what the reviewers decided.

Every span a reviewer accepted, fixed or added is a gold projection of a source entity. What
the app's re-projection takes from them (:func:`review_evidence`, :func:`reproject_reviewed`):

* **corpus evidence**: each reviewed span is an observation of how its entity string is
  projected (:func:`reviewed_observations`), counted as three strong projections in
  matching's known translations, cased labels and known names
  (:mod:`core.projection.corpus_evidence`), so *America* -> *Estados Unidos* reviewed once
  is the translation the rest of the corpus is rewarded for, and *Estados Unidos* a name no
  projection cuts in two;
* a **translation table** (source entity string -> the target strings reviewers gave it,
  :func:`translation_table`) whose occurrences in an unreviewed sentence get **fixed links**
  to the entity's words (:func:`table_evidence`, :func:`apply_evidence`), which the heuristic
  follows.

Measured alternatives, kept for the benchmarks (benchmarks/review_session.py): fixed links
that replace the aligner's, **word links** (:func:`word_table`, :func:`word_links`), the
reviewers' span edges, labels and drops (:func:`refine_projections`).

Once reviewers have settled :data:`MIN_POSITIVES` entities, matching's scores are learned
from them too (:func:`learn_scores`, :mod:`core.review.learned_scores`): which of an entity's
candidates reviewers keep, from the plain score, length, capitalisation and links at the
edges. The reviewed sentences' final spans also train the project's NER candidate model in
place of their heuristic projections (:func:`ner_training_data`).

:func:`reproject_project` is the thin store-facing part: it reads the decisions, re-projects
every sentence that is not done and has no decision, and stores the new proposals as a new
generation (:meth:`core.review.store.ReviewStore.replace_projections`), which
:meth:`~core.review.store.ReviewStore.undo_reprojection` takes back as a whole.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from core.datamodel import Alignment, Sentence, SentencePair, Span
from core.projection.corpus_evidence import Observation, observe
from core.projection.pipeline import ProjectedPair, ProjectionConfig

if TYPE_CHECKING:
    from core.review.learned_scores import ScoreModel

Phrase = tuple[str, ...]
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ReviewedPair:
    """A reviewed sentence pair: its final target spans, each with the index of the source
    entity it stands for (None when no decision says so; see :func:`attach_sources`)."""

    source_tokens: tuple[str, ...]
    source_spans: tuple[Span, ...]
    target_tokens: tuple[str, ...]
    spans: tuple[tuple[Span, int | None], ...]


@dataclass
class TranslationTable:
    """Source entity string -> reviewed target strings with how often reviewers chose them."""

    entries: dict[Phrase, Counter] = field(default_factory=dict)
    labels: dict[Phrase, Counter] = field(default_factory=dict)  # source string -> reviewed labels
    dropped: Counter = field(default_factory=Counter)  # source string -> times reviewers kept no span for it

    def add(self, source: Phrase, target: Phrase, label: str | None = None) -> None:
        self.entries.setdefault(source, Counter())[target] += 1
        if label is not None:
            self.labels.setdefault(source, Counter())[label] += 1

    def label(self, source: Phrase, label: str) -> str:
        """The label reviewers gave ``source`` most often when they gave it another label
        than ``label`` more often than ``label`` itself; else ``label``."""
        found = self.labels.get(source)
        if not found:
            return label
        best, count = max(found.items(), key=lambda kv: (kv[1], kv[0] == label))
        return best if count > found.get(label, 0) else label

    def is_dropped(self, source: Phrase) -> bool:
        """Reviewers kept no span for ``source`` more often than they kept one."""
        kept = sum(self.entries.get(source, Counter()).values())
        return self.dropped.get(source, 0) > kept

    def targets(self, source: Phrase) -> list[tuple[Phrase, int]]:
        """The reviewed target strings of ``source``, most frequent first (then longest)."""
        found = self.entries.get(source)
        if not found:
            return []
        return sorted(found.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))

    def __len__(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class Evidence:
    """Why an entity of an unreviewed sentence is re-projected: the reviewed target string
    of its source string found at ``[start, end)`` of the target (seen ``count`` times)."""

    entity: int
    start: int
    end: int
    source: Phrase
    target: Phrase
    count: int

    def describe(self) -> dict:
        return {
            "entity": self.entity,
            "span": [self.start, self.end],
            "source": " ".join(self.source),
            "target": " ".join(self.target),
            "count": self.count,
        }


def phrase(tokens: Sequence[str], start: int, end: int) -> Phrase:
    """The lower-cased words ``[start, end)``: the key of the translation table."""
    return tuple(t.lower() for t in tokens[start:end])


def attach_sources(
    source_spans: Sequence[Span], spans: Sequence[tuple[Span, int | None]], alignment: Alignment | None = None
) -> list[tuple[Span, int | None]]:
    """Give each final span without a known source entity the entity it most likely stands
    for: an unused entity of the same label with the most links into the span, else the
    first unused entity of that label in order (spans in target order). A span no entity of
    its label is left for keeps None (e.g. an entity the reviewer added without a source)."""
    used = {e for _, e in spans if e is not None}
    counts: dict[tuple[int, int], float] = {}
    if alignment is not None:
        for (i, j), w in alignment.weight_map().items():
            counts[(i, j)] = w
    result = []
    for span, entity in sorted(spans, key=lambda se: se[0].start):
        if entity is None:
            options = [e for e, s in enumerate(source_spans) if e not in used and s.label == span.label]
            if options:
                # the most links, then the first entity; the keys differ for every entity (-e)
                _, entity = max(
                    ((_links_between(counts, source_spans[e], span.start, span.end), -e), e) for e in options
                )
                used.add(entity)
        result.append((span, entity))
    return result


def _links_between(weights: dict, entity: Span, start: int, end: int) -> float:
    """The weight of the links from ``entity`` into target words ``[start, end)``."""
    return sum(w for (i, j), w in weights.items() if entity.start <= i < entity.end and start <= j < end)


def translation_table(reviewed: Iterable[ReviewedPair]) -> TranslationTable:
    """Every (source entity string, reviewed target string) of the reviewed sentences."""
    table = TranslationTable()
    for pair in reviewed:
        kept = set()
        for span, entity in pair.spans:
            if entity is None or not 0 <= entity < len(pair.source_spans):
                continue
            kept.add(entity)
            source = pair.source_spans[entity]
            table.add(
                phrase(pair.source_tokens, source.start, source.end),
                phrase(pair.target_tokens, span.start, span.end),
                span.label,
            )
        for e, source in enumerate(pair.source_spans):
            if e not in kept:
                table.dropped[phrase(pair.source_tokens, source.start, source.end)] += 1
    return table


@dataclass
class SpanEdges:
    """Which neighbouring target words reviewers keep in one span (``inside``) and which
    they split at a span's edge (``across``): lower-cased word pairs with counts."""

    inside: Counter = field(default_factory=Counter)
    across: Counter = field(default_factory=Counter)

    def joins(self, left: str, right: str) -> bool:
        key = (left.lower(), right.lower())
        return self.inside.get(key, 0) > self.across.get(key, 0)

    def splits(self, left: str, right: str) -> bool:
        key = (left.lower(), right.lower())
        return self.across.get(key, 0) > self.inside.get(key, 0)


def span_edges(reviewed: Iterable[ReviewedPair]) -> SpanEdges:
    """The word pairs inside the reviewed spans and across their edges."""
    edges = SpanEdges()
    for pair in reviewed:
        tokens = pair.target_tokens
        for span, _ in pair.spans:
            for k in range(span.start, span.end - 1):
                edges.inside[(tokens[k].lower(), tokens[k + 1].lower())] += 1
            if span.start > 0:
                edges.across[(tokens[span.start - 1].lower(), tokens[span.start].lower())] += 1
            if span.end < len(tokens):
                edges.across[(tokens[span.end - 1].lower(), tokens[span.end].lower())] += 1
    return edges


def adjust_span(span: Span, tokens: Sequence[str], edges: SpanEdges, blocked: Sequence[Span] = ()) -> Span:
    """``span`` with its edges moved as reviewers move them: a word that reviewers keep
    together with the edge word is taken in, an edge word reviewers split from its inner
    neighbour is left out (never emptying the span, never into a ``blocked`` span)."""
    start, end = span.start, span.end

    def free(k: int) -> bool:
        return not any(b.start <= k < b.end for b in blocked)

    while (
        end - start > 1
        and edges.splits(tokens[start], tokens[start + 1])
        and not edges.joins(tokens[start], tokens[start + 1])
    ):
        start += 1
    while (
        end - start > 1
        and edges.splits(tokens[end - 2], tokens[end - 1])
        and not edges.joins(tokens[end - 2], tokens[end - 1])
    ):
        end -= 1
    while start > 0 and free(start - 1) and edges.joins(tokens[start - 1], tokens[start]):
        start -= 1
    while end < len(tokens) and free(end) and edges.joins(tokens[end - 1], tokens[end]):
        end += 1
    if (start, end) == (span.start, span.end):
        return span
    return Span(start, end, span.label, span.score)


def occurrences(tokens: Sequence[str], target: Phrase) -> list[int]:
    """Where ``target`` (lower-cased words) starts in ``tokens``, compared lower-cased."""
    n = len(target)
    if n == 0:
        return []
    lowered = [t.lower() for t in tokens]
    return [k for k in range(len(lowered) - n + 1) if tuple(lowered[k : k + n]) == target]


def table_evidence(
    source_tokens: Sequence[str],
    source_spans: Sequence[Span],
    target_tokens: Sequence[str],
    table: TranslationTable,
    alignment: Alignment | None = None,
) -> list[Evidence]:
    """For each entity whose string has reviewed translations, the occurrence in the target
    of its most frequent reviewed translation that occurs there at all.

    Entities sharing one string take distinct occurrences; among several, an entity takes
    the one with the most links from its words (then the earliest). Two entities never take
    overlapping occurrences (the earlier entity in the source first)."""
    links = alignment.weight_map() if alignment is not None else {}
    taken: list[tuple[int, int]] = []
    evidence = []
    for e, entity in enumerate(source_spans):
        source = phrase(source_tokens, entity.start, entity.end)
        for target, count in table.targets(source):
            free = [
                (k, k + len(target))
                for k in occurrences(target_tokens, target)
                if not any(k < b and a < k + len(target) for a, b in taken)
            ]
            if not free:
                continue

            # the most links, then the first occurrence; the keys differ for every occurrence (-a)
            _, (start, end) = max(((_links_between(links, entity, a, b), -a), (a, b)) for a, b in free)
            taken.append((start, end))
            evidence.append(Evidence(e, start, end, source, target, count))
            break
    return evidence


@dataclass
class WordTable:
    """Source word -> target word from the reviewed (entity, span) pairs: the words of a
    reviewed span translate the words of its entity. Kept: pairs whose Dice coefficient over
    the reviewed pairs is at least ``min_dice``."""

    best: dict[str, tuple[str, float]] = field(default_factory=dict)

    def get(self, word: str) -> str | None:
        found = self.best.get(word.lower())
        return found[0] if found else None


def word_table(
    reviewed: Iterable[ReviewedPair],
    min_dice: float = 0.5,
    skip: frozenset[str] = frozenset(),
    source_skip: frozenset[str] = frozenset(),
) -> WordTable:
    """The :class:`WordTable` of the reviewed sentences (target words of ``skip`` and source
    words of ``source_skip``, e.g. each side's function words, and punctuation never pair)."""
    from core.projection.stopwords import is_punctuation

    together: Counter = Counter()
    source_count: Counter = Counter()
    target_count: Counter = Counter()
    for pair in reviewed:
        for span, entity in pair.spans:
            if entity is None or not 0 <= entity < len(pair.source_spans):
                continue
            e = pair.source_spans[entity]
            src = {
                w.lower()
                for w in pair.source_tokens[e.start : e.end]
                if not is_punctuation(w) and w.lower() not in source_skip
            }
            tgt = {
                w.lower()
                for w in pair.target_tokens[span.start : span.end]
                if not is_punctuation(w) and w.lower() not in skip
            }
            source_count.update(src)
            target_count.update(tgt)
            together.update((w, v) for w in src for v in tgt)
    table = WordTable()
    # ties (equal Dice) go to the pair seen together more often, then to the target word
    # first in order: never to the first pair a set happened to yield (hash-seed dependent)
    for (w, v), c in sorted(together.items(), key=lambda item: (item[0][0], -item[1], item[0][1])):
        dice = 2 * c / (source_count[w] + target_count[v])
        if dice >= min_dice and (w not in table.best or dice > table.best[w][1]):
            table.best[w] = (v, dice)
    return table


def word_links(
    source_tokens: Sequence[str],
    entities: Sequence[Span],
    target_tokens: Sequence[str],
    words: WordTable,
    alignment: Alignment,
    skip: Iterable[int] = (),
) -> list[tuple[int, int]]:
    """Links from entity words to their reviewed word translations in the target: for each
    word of an entity (not in ``skip``, the entities a reviewed translation already settles),
    the occurrence of its translation nearest the entity's other links (the only one, or
    none when the entity has no link and the word occurs more than once)."""
    skip = set(skip)
    lowered = [t.lower() for t in target_tokens]
    by_source = alignment.source_to_target()
    links = []
    for e, entity in enumerate(entities):
        if e in skip:
            continue
        anchors = [j for i in range(entity.start, entity.end) for j in by_source.get(i, ())]
        for i in range(entity.start, entity.end):
            v = words.get(source_tokens[i])
            if v is None:
                continue
            places = [j for j, t in enumerate(lowered) if t == v]
            if not places or (not anchors and len(places) > 1):
                continue
            centre = sum(anchors) / len(anchors) if anchors else places[0]
            links.append((i, min(places, key=lambda j: (abs(j - centre), j))))
    return links


def diagonal_links(entity: Span, start: int, end: int) -> list[tuple[int, int]]:
    """Links between the words of ``entity`` and of target ``[start, end)`` in order: every
    word on both sides gets at least one, the i-th source word the proportional target word."""
    n_s, n_t = len(entity), end - start
    pairs = set()
    for k in range(max(n_s, n_t)):
        pairs.add((entity.start + k * n_s // max(n_s, n_t), start + k * n_t // max(n_s, n_t)))
    return sorted(pairs)


def apply_evidence(
    alignment: Alignment, source_spans: Sequence[Span], evidence: Sequence[Evidence], replace: bool = True
) -> Alignment:
    """The alignment with each evidence's entity linked to its occurrence (weight 1); with
    ``replace`` the entity's other links are dropped, and so are other source words' links
    into the occurrence."""
    if not evidence:
        return alignment
    weights = alignment.weight_map()
    for ev in evidence:
        entity = source_spans[ev.entity]
        if replace:
            weights = {
                (i, j): w
                for (i, j), w in weights.items()
                if not (entity.start <= i < entity.end) and not (ev.start <= j < ev.end)
            }
        for link in diagonal_links(entity, ev.start, ev.end):
            weights[link] = 1.0
    return Alignment.from_pairs(weights, weights)


def ner_training_data(
    targets: Sequence[Sequence[str]],
    heuristic: Sequence[Sequence[Span]],
    reviewed: dict[int, Sequence[Span]],
    weight: int = 2,
) -> list[tuple[Sequence[str], list[Span]]]:
    """Training sentences for the NER candidate model: each sentence's heuristic spans, but a
    reviewed sentence's final spans instead, repeated ``weight`` times."""
    data = []
    for k, tokens in enumerate(targets):
        if k in reviewed:
            data.extend([(tokens, list(reviewed[k]))] * max(weight, 1))
        else:
            data.append((tokens, list(heuristic[k])))
    return data


# --- re-projecting a corpus (no store) ------------------------------------------------------


@dataclass(frozen=True)
class Reprojected:
    """One sentence's new projection and the evidence that produced it."""

    result: ProjectedPair
    evidence: tuple[Evidence, ...]


def refine_projections(
    projections: Sequence,
    source_tokens: Sequence[str],
    target_tokens: Sequence[str],
    table: TranslationTable,
    edges: SpanEdges | None,
    settled: Iterable[Span] = (),
    relabel: bool = True,
    drop: bool = True,
) -> list:
    """One method's projections of a pair after the reviewers' habits: the label reviewers
    give an entity string (``relabel``), no span for a string they keep rejecting (``drop``),
    and edges moved as :func:`adjust_span` moves them (not for the entities in ``settled``,
    whose span a reviewed translation fixed). Spans never come to overlap."""
    settled = set(settled)
    kept: list = []
    ordered = sorted(projections, key=lambda p: (p.span.start, p.span.end))
    for k, p in enumerate(ordered):
        source = phrase(source_tokens, p.source_span.start, p.source_span.end)
        fixed = p.source_span in settled
        if drop and not fixed and table.is_dropped(source):
            continue
        span = p.span
        if edges is not None and not fixed:
            blocked = [q.span for q in kept] + [q.span for q in ordered[k + 1 :]]
            span = adjust_span(span, target_tokens, edges, blocked)
        label = table.label(source, span.label) if relabel else span.label
        if (span.start, span.end, span.label) != (p.span.start, p.span.end, label):
            p = dataclasses.replace(p, span=Span(span.start, span.end, label, p.span.score))
        kept.append(p)
    return kept


MIN_POSITIVES = 20  # reviewed entities needed before learned scores replace the plain ones


def learn_scores(
    reviewed: Sequence[ReviewedPair],
    alignments: Sequence[Alignment],
    table: TranslationTable,
    config,
    min_positives: int = MIN_POSITIVES,
):
    """A :class:`~core.review.learned_scores.ScoreModel` trained on the reviewed sentences'
    candidates (their final spans are the right ones), or None with fewer than
    ``min_positives`` reviewed entities."""
    import numpy as np

    from core.projection.pipeline import pair_filter, project_pair
    from core.review.learned_scores import fit_chosen, training_examples

    rows, labels, groups = [], [], []
    offset = 0
    for pair, alignment in zip(reviewed, alignments):
        sp = SentencePair(Sentence(pair.source_tokens, pair.source_spans), Sentence(pair.target_tokens))
        own = translation_table([pair])  # left out: the feature must not know the answer it is trained on
        others = lambda source, own=own: [
            t for t, c in table.targets(source) if c > own.entries.get(source, Counter()).get(t, 0)
        ]
        plain = project_pair(sp, alignment, config)
        x, y, g = training_examples(
            pair.source_tokens,
            pair.source_spans,
            pair.target_tokens,
            alignment,
            pair.spans,
            others,
            pair_filter(sp, config),
            config.length_cap(),
            plain_choices(plain),
        )
        rows.append(x)
        labels.append(y)
        groups.append(g + offset)
        offset += len(pair.source_spans)
    if not rows:
        return None
    x, y, g = np.concatenate(rows), np.concatenate(labels), np.concatenate(groups)
    if y.sum() < min_positives or y.sum() == len(y):
        return None
    return fit_chosen(x, y, g)


def plain_choices(result) -> dict[int, dict[str, tuple[int, int]]]:
    """entity -> method -> the span the plain heuristic and matching chose for it."""
    entities = list(result.pair.source.spans)
    chosen: dict[int, dict[str, tuple[int, int]]] = {}
    for method in ("heuristic", "matching"):
        for p in result.projections(method):
            if p.source_span in entities:
                chosen.setdefault(entities.index(p.source_span), {}).setdefault(method, (p.span.start, p.span.end))
    return chosen


def _translations(table: TranslationTable):
    return lambda source: [target for target, _ in table.targets(source)]


def _learned_matching(
    pair: SentencePair, links: Alignment, config, candidates, model, table: TranslationTable, plain=None
):
    """Matching of one pair with the model's probabilities as scores (None past the budget)."""
    from core.projection.candidates import ngram_candidates
    from core.projection.matching import (
        BudgetExceeded,
        matching_projections,
        score_pairs,
        solve,
    )
    from core.projection.pipeline import pair_filter
    from core.review.learned_scores import rescore

    entities = list(pair.source.spans)
    grams = candidates if candidates is not None else ngram_candidates(pair.target.tokens, config.max_ngram)
    try:
        scored = score_pairs(
            entities,
            grams,
            links,
            len(pair.target),
            0.0,
            pair_filter(pair, config),
            config.length_cap(),
            config.budget().max_pairs,
        )
        scored = rescore(
            scored,
            grams,
            pair.source.tokens,
            entities,
            pair.target.tokens,
            links,
            model,
            _translations(table),
            chosen=plain_choices(plain) if plain is not None else None,
        )
        chosen = solve(scored, grams, config.solver, config.n_proj, config.budget())
    except BudgetExceeded:
        return None
    return tuple(matching_projections(entities, grams, links, chosen))


def reproject_pairs(
    pairs: Sequence[SentencePair],
    alignments: Sequence[Alignment],
    config,
    table: TranslationTable,
    candidates: Sequence[Sequence[tuple[int, int]]] | None = None,
    replace: bool = True,
    progress: Callable[[int, int], None] | None = None,
    edges: SpanEdges | None = None,
    relabel: bool = False,
    drop: bool = False,
    model=None,
    words: WordTable | None = None,
    observations: Sequence[Observation] = (),
    fixed_links: bool = True,
) -> list[Reprojected]:
    """Project each pair again with the table's fixed links added to its alignment, matching
    with ``model``'s learned scores when given (:func:`learn_scores`), then (optionally)
    :func:`refine_projections` with the reviewers' span edges, labels, drops."""
    from core.projection.pipeline import project_corpus

    evidences, new_links = [], []
    for pair, alignment in zip(pairs, alignments):
        evidence = table_evidence(pair.source.tokens, pair.source.spans, pair.target.tokens, table, alignment)
        links = apply_evidence(alignment, pair.source.spans, evidence, replace) if fixed_links else alignment
        if words is not None:
            extra = word_links(
                pair.source.tokens, pair.source.spans, pair.target.tokens, words, links, [ev.entity for ev in evidence]
            )
            if extra:
                weights = links.weight_map()
                weights.update({link: 1.0 for link in extra if link not in weights})
                links = Alignment.from_pairs(weights, weights)
        evidences.append(evidence)
        new_links.append(links)
    # the whole default method on the new links, corpus evidence included
    results = project_corpus(pairs, config, new_links, candidates, progress, reviewed=observations)
    out = []
    for k, (pair, links, evidence, result) in enumerate(zip(pairs, new_links, evidences, results)):
        own = candidates[k] if candidates is not None else None
        if model is not None:
            learned = _learned_matching(pair, links, config, own, model, table, result)
            if learned is not None:
                result = dataclasses.replace(result, matching=learned)
        if edges is not None or relabel or drop:
            settled = [pair.source.spans[ev.entity] for ev in evidence]
            heuristic, matching = (
                tuple(
                    refine_projections(ps, pair.source.tokens, pair.target.tokens, table, edges, settled, relabel, drop)
                )
                for ps in (result.heuristic, result.matching)
            )
            result = dataclasses.replace(result, heuristic=heuristic, matching=matching)
        out.append(Reprojected(result, tuple(evidence)))
    return out


@dataclass(frozen=True)
class ReviewEvidence:
    """What re-projection takes from the reviewed sentences: the translation table (fixed
    links), the reviewed spans as corpus-evidence observations and (with learned scores)
    the score model."""

    table: TranslationTable
    observations: tuple[Observation, ...] = ()
    model: ScoreModel | None = None


def reviewed_observations(reviewed: Iterable[ReviewedPair]) -> list[Observation]:
    """Each kept span with its source entity, as corpus evidence observes a projection."""
    return [
        observe(pair.source_tokens, pair.source_spans[entity], pair.target_tokens, span)
        for pair in reviewed
        for span, entity in pair.spans
        if entity is not None and 0 <= entity < len(pair.source_spans)
    ]


def review_evidence(
    reviewed: Sequence[ReviewedPair],
    alignments: Sequence[Alignment],
    config,
    learned_scores: bool = False,
) -> ReviewEvidence:
    """The evidence of the reviewed sentences (``alignments``: their links), as the app's
    re-projection uses it; learned scores only when asked."""
    table = translation_table(reviewed)
    model = learn_scores(reviewed, alignments, table, config) if reviewed and learned_scores else None
    return ReviewEvidence(table, tuple(reviewed_observations(reviewed)), model)


def reproject_reviewed(
    pairs: Sequence[SentencePair],
    alignments: Sequence[Alignment],
    config,
    evidence: ReviewEvidence,
    candidates: Sequence[Sequence[tuple[int, int]]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Reprojected]:
    """Re-project ``pairs`` from ``evidence`` exactly as :func:`reproject_project` does: the
    reviewed spans join matching's corpus evidence, the reviewed translations are added as
    links (the heuristic follows them; existing links stay), no word, edge, label or drop
    rules. The one function the app and the benchmarks call.

    On the shared Europarl corpus (benchmarks/review_table.py) the reviewed spans as corpus
    evidence beat fixed links that replace the aligner's and word links: with those, matching
    on the rest lost up to 0.7 F1 against the plain projection on EN->ES."""
    return reproject_pairs(
        pairs,
        alignments,
        config,
        evidence.table,
        candidates,
        replace=False,
        progress=progress,
        model=evidence.model,
        observations=evidence.observations,
    )


# --- the store-facing part -------------------------------------------------------------


@dataclass(frozen=True)
class ReprojectionReport:
    generation: int | None  # None when nothing changed (or nothing was reviewed yet): no generation stored
    reviewed: int  # sentences whose decisions served as evidence
    table_size: int  # distinct source entity strings in the translation table
    considered: int  # sentences re-projected (not done, no decision)
    changed: int  # of them, sentences whose proposals changed
    with_evidence: int  # of them, sentences where the table found a reviewed translation
    seconds: float
    ner_retrained: bool = False
    learned_scores: bool = False  # matching scored by a model learned from the reviewed sentences


def reviewed_pairs(store) -> list[tuple[int, ReviewedPair]]:
    """The done sentences with their final spans (decisions kept: accept, fix, add) and the
    entity each stands for (from the proposal or the added span's ``@e``, else inferred)."""
    from core.review.model import KEPT_ACTIONS

    decisions = store.all_decisions()
    out = []
    for sentence_id in sorted(store.done_ids()):
        record = store.sentence(sentence_id)
        by_item = {p.item: p for p in record.proposals()}
        spans = []
        for item, decision in decisions.get(sentence_id, {}).items():
            if decision.action not in KEPT_ACTIONS or decision.span is None:
                continue
            entity = None
            if item in by_item:
                entity = by_item[item].source
            elif "@" in item:
                try:
                    entity = int(item.rsplit("@", 1)[1])
                except ValueError:
                    entity = None
            if entity is not None and not 0 <= entity < len(record.source_spans):
                entity = None
            span = Span(decision.span.start, decision.span.end, decision.span.label)
            spans.append((span, entity))
        alignment = Alignment.from_pairs(
            [(i, j) for i, j, _ in record.alignment], {(i, j): w for i, j, w in record.alignment}
        )
        spans = attach_sources(record.source_spans, spans, alignment)
        out.append(
            (sentence_id, ReviewedPair(record.source_tokens, record.source_spans, record.target_tokens, tuple(spans)))
        )
    return out


def _config(settings) -> ProjectionConfig:
    data = dict(settings.config)
    data["dropped_labels"] = frozenset(data.get("dropped_labels", ()))
    known = {f.name for f in dataclasses.fields(ProjectionConfig)}
    return ProjectionConfig(**{k: v for k, v in data.items() if k in known})


def reproject_project(
    project,
    reviewer: str = "",
    retrain_ner: bool = True,
    progress: Progress | None = None,
    ner_epochs: int | None = None,
    learned_scores: bool = False,
) -> ReprojectionReport:
    """Re-project every sentence of ``project`` that is not done and has no decision, from
    the evidence in the done sentences, and store the result as a new generation.

    Candidates: n-grams for n-gram projects; for NER-candidate projects the NER model is
    trained again (reviewed sentences' final spans in place of their heuristic spans) unless
    ``retrain_ner`` is False; a project whose candidates came from a target model is
    re-projected with n-grams (its model's spans are not stored), which the provenance says.
    Without retraining, an NER-candidate project's own model (``ner-model``) predicts them again.

    ``learned_scores`` replaces matching's score by one learned from the reviewed sentences. It
    is off by default: with corpus evidence in matching it cost about 3 F1 on the shared Europarl
    corpus (92.3 -> 89.3 with 10% reviewed, benchmarks/review_session.py)."""
    from core.review.model import NewSentence
    from core.review.project import entity_candidates

    started = time.perf_counter()
    report = progress or (lambda fraction, message: None)
    store = project.store
    report(0.0, "reading the reviewed sentences")
    reviewed = reviewed_pairs(store)
    table = translation_table(pair for _, pair in reviewed)
    config = _config(project.settings)
    open_ids = store.reprojectable_ids()
    base = store.base_alignments(open_ids)
    records = {sid: store.sentence(sid) for sid in open_ids}
    pairs = [
        SentencePair(Sentence(records[s].source_tokens, records[s].source_spans), Sentence(records[s].target_tokens))
        for s in open_ids
    ]
    alignments = [
        Alignment.from_pairs([(i, j) for i, j, _ in base[s]], {(i, j): w for i, j, w in base[s]}) for s in open_ids
    ]
    candidate_source = project.settings.candidates
    candidates = None
    ner_retrained = False
    if candidate_source == "ner" and retrain_ner and open_ids:
        candidates = _ner_candidates(project, store, reviewed, table, config, ner_epochs, report)
        ner_retrained = True
    elif candidate_source == "ner" and (Path(project.folder) / "ner-model").is_dir() and open_ids:
        from core.review.ner_training import predict_spans

        report(0.05, "NER candidates from the project's model")
        predicted = predict_spans(Path(project.folder) / "ner-model", [records[s].target_tokens for s in open_ids])
        candidates = dict(zip(open_ids, predicted))
    share = (0.1, 0.85) if not ner_retrained else (0.6, 0.95)
    report(share[0], "collecting the evidence of the reviewed sentences")
    reviewed_links = store.base_alignments([sid for sid, _ in reviewed])
    found = review_evidence(
        [pair for _, pair in reviewed],
        [
            Alignment.from_pairs(
                [(i, j) for i, j, _ in reviewed_links[sid]], {(i, j): w for i, j, w in reviewed_links[sid]}
            )
            for sid, _ in reviewed
        ],
        config,
        learned_scores,
    )
    table, model = found.table, found.model
    results = reproject_reviewed(
        pairs,
        alignments,
        config,
        found,
        [candidates[s] for s in open_ids] if candidates is not None else None,
        progress=lambda done, total: report(
            share[0] + (share[1] - share[0]) * done / max(total, 1), f"re-projecting sentence {done} of {total}"
        ),
    )
    rows: dict[int, NewSentence] = {}
    evidence: dict[int, list[dict]] = {}
    for sid, redone in zip(open_ids, results):
        result = redone.result
        record = records[sid]
        source_index = {span: e for e, span in enumerate(record.source_spans)}
        rows[sid] = NewSentence(
            source_tokens=record.source_tokens,
            source_spans=record.source_spans,
            target_tokens=record.target_tokens,
            gold_spans=record.gold_spans,
            alignment=[(i, j, w) for (i, j), w in sorted(result.alignment.weight_map().items())],
            heuristic=[(p.span, source_index.get(p.source_span, -1), min(p.score, 1.0)) for p in result.heuristic],
            matching=[(p.span, source_index.get(p.source_span, -1), min(p.score, 1.0)) for p in result.matching],
            candidates={
                e: [(a, b, min(c, 1.0)) for a, b, c in cands] for e, cands in entity_candidates(result, config).items()
            },
        )
        evidence[sid] = [ev.describe() for ev in redone.evidence]
    report(0.95, "saving the new proposals")
    summary = {
        "kind": "reviewed decisions",
        "reviewed_sentences": [sid for sid, _ in reviewed],
        "table_size": len(table),
        "candidates": candidate_source if candidate_source != "model" else "ngram (the model's spans are not stored)",
        "ner_retrained": ner_retrained,
        "reviewed_spans": len(found.observations),
        "learned_scores": None if model is None else {"entities": model.groups, "candidates": model.examples},
    }
    generation, changed = (
        store.replace_projections(rows, evidence, summary, reviewer) if rows and reviewed else (None, 0)
    )
    report(1.0, "done")
    return ReprojectionReport(
        generation,
        len(reviewed),
        len(table),
        len(rows),
        changed,
        sum(1 for e in evidence.values() if e),
        time.perf_counter() - started,
        ner_retrained,
        model is not None,
    )


def _ner_candidates(project, store, reviewed, table, config, ner_epochs, report) -> dict[int, list[tuple[int, int]]]:
    """Train the NER candidate model again, reviewed sentences' final spans in place of their
    heuristic spans (and the others' heuristic spans re-projected with the table), and
    return its predicted spans for every sentence."""
    from core.review.ner_training import predict_spans, train_ner
    from core.review.project import auto_epochs

    records = list(store.sentences())
    pairs = [SentencePair(Sentence(r.source_tokens, r.source_spans), Sentence(r.target_tokens)) for r in records]
    base = store.base_alignments([r.id for r in records])
    alignments = [
        Alignment.from_pairs([(i, j) for i, j, _ in base[r.id]], {(i, j): w for i, j, w in base[r.id]}) for r in records
    ]
    report(0.05, "projecting with the heuristic for the NER model")
    from core.projection.pipeline import project_pair

    heuristic = []
    for k, (pair, alignment) in enumerate(zip(pairs, alignments)):
        ev = table_evidence(pair.source.tokens, pair.source.spans, pair.target.tokens, table, alignment)
        result = project_pair(
            pair, apply_evidence(alignment, pair.source.spans, ev), config, methods=("heuristic",), number=k + 1
        )
        heuristic.append([p.span for p in result.heuristic])
    final = {sid: [span for span, _ in pair.spans] for sid, pair in reviewed}
    position = {r.id: k for k, r in enumerate(records)}
    data = ner_training_data([r.target_tokens for r in records], heuristic, {position[s]: v for s, v in final.items()})
    out_dir = Path(project.folder) / f"ner-model-reviewed-{int(time.time())}"
    epochs = ner_epochs or auto_epochs(len(records))
    trained = train_ner(
        data,
        project.settings.target_lang,
        out_dir,
        epochs=epochs,
        progress=lambda done, total: report(
            0.1 + 0.5 * done / total, f"training the NER candidate model (epoch {done} of {total})"
        ),
    )
    spans = predict_spans(trained.path, [r.target_tokens for r in records])
    return {r.id: spans[k] for k, r in enumerate(records)}
