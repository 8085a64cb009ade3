"""Matching scores learned from the reviewed sentences.

Matching's plain score, ``2n / (|e| + |t|)``, counts links and nothing else. The reviewed
sentences say which of an entity's candidates was right, so a small logistic regression
(numpy, no extra dependency) learns from them how much the score, the candidate's length
against the entity's, capitalisation at and beyond its edges, links at its edges and words
linked elsewhere count. Its probability then replaces the plain score when the unreviewed
sentences are matched (the same candidates, the same exact solver).

Pure functions: :func:`pair_features` (one entity against many candidates),
:func:`training_examples`, :func:`fit`, :class:`ScoreModel`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.datamodel import Alignment, Span
from core.projection.candidates import ngram_candidates
from core.projection.matching import ScoredPair, score_pairs
from core.projection.stopwords import is_punctuation

LABELS = ("PER", "LOC", "ORG", "MISC")
FEATURES = (
    (
        "bias",
        "score",
        "target words linked",
        "entity words covered",
        "target words linked elsewhere",
        "log length ratio",
        "first capitalised",
        "last capitalised",
        "word before capitalised",
        "word after capitalised",
        "capitalised share",
        "first linked",
        "last linked",
        "word before linked",
        "word after linked",
        "punctuation inside",
        "same string",
        "reviewed translation",
        "matching's choice",
        "heuristic's choice",
    )
    + tuple(f"{label}" for label in LABELS)
    + tuple(f"{label} x log length ratio" for label in LABELS)
)


def _capitalised(token: str) -> bool:
    return token[:1].isupper()


def pair_features(
    source_tokens: Sequence[str],
    entity: Span,
    others: Sequence[Span],
    target_tokens: Sequence[str],
    alignment: Alignment,
    starts: np.ndarray,
    ends: np.ndarray,
    translations: Sequence[tuple[str, ...]] = (),
    chosen: dict[str, tuple[int, int]] | None = None,
) -> np.ndarray:
    """One row of :data:`FEATURES` per candidate ``[starts[k], ends[k])`` of ``entity``.
    ``translations``: the entity string's reviewed target strings (lower-cased words);
    ``chosen``: the span each plain method chose for the entity (method -> (start, end))."""
    n_t = len(target_tokens)
    to_entity = np.zeros(n_t)
    elsewhere = np.zeros(n_t)
    per_word = np.zeros((len(entity), n_t), dtype=bool)
    for (i, j), w in alignment.weight_map().items():
        if j >= n_t:
            continue
        if entity.start <= i < entity.end:
            to_entity[j] += w
            per_word[i - entity.start, j] = True
        else:
            elsewhere[j] += w
    linked = to_entity > 0
    other = (elsewhere > 0) & ~linked
    cap = np.array([_capitalised(t) for t in target_tokens], dtype=float)
    punct = np.array([is_punctuation(t) for t in target_tokens], dtype=float)

    def cum(values: np.ndarray) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(values, dtype=float)])

    c_links, c_linked, c_other, c_cap, c_punct = cum(to_entity), cum(linked), cum(other), cum(cap), cum(punct)
    length = (ends - starts).astype(float)
    n = c_links[ends] - c_links[starts]
    covered = np.zeros(len(starts))
    for row in per_word:
        c_row = cum(row)
        covered += (c_row[ends] - c_row[starts]) > 0
    ratio = np.log(length / len(entity))
    before = starts - 1
    after = ends
    has_before, has_after = before >= 0, after < n_t
    source_string = tuple(t.lower() for t in source_tokens[entity.start : entity.end])
    lowered = [t.lower() for t in target_tokens]
    same = np.array([tuple(lowered[s:u]) == source_string for s, u in zip(starts.tolist(), ends.tolist())], dtype=float)
    wanted = set(translations)
    reviewed = (
        np.array([tuple(lowered[s:u]) in wanted for s, u in zip(starts.tolist(), ends.tolist())], dtype=float)
        if wanted
        else np.zeros(len(starts))
    )
    columns = [
        np.ones(len(starts)),
        2 * n / (len(entity) + length),
        (c_linked[ends] - c_linked[starts]) / length,
        covered / len(entity),
        (c_other[ends] - c_other[starts]) / length,
        ratio,
        cap[starts],
        cap[ends - 1],
        np.where(has_before, cap[np.maximum(before, 0)], 0.0),
        np.where(has_after, cap[np.minimum(after, n_t - 1)], 0.0),
        (c_cap[ends] - c_cap[starts]) / length,
        linked[starts].astype(float),
        linked[ends - 1].astype(float),
        np.where(has_before, linked[np.maximum(before, 0)], 0.0),
        np.where(has_after, linked[np.minimum(after, n_t - 1)], 0.0),
        (c_punct[ends] - c_punct[starts] > 0).astype(float),
        same,
        reviewed,
    ]
    for method in ("matching", "heuristic"):
        span = (chosen or {}).get(method)
        columns.append(((starts == span[0]) & (ends == span[1])).astype(float) if span else np.zeros(len(starts)))
    for label in LABELS:
        columns.append(np.full(len(starts), float(entity.label == label)))
    for label in LABELS:
        columns.append(ratio * float(entity.label == label))
    return np.stack(columns, axis=1)


@dataclass(frozen=True)
class ScoreModel:
    """Conditional-logit weights over standardised :data:`FEATURES`: an entity's candidates
    compete, ``softmax(x @ weights)`` over them is how likely each is the right one."""

    weights: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    examples: int
    groups: int

    def utility(self, features: np.ndarray) -> np.ndarray:
        return ((features - self.mean) / self.scale) @ self.weights

    def probability(self, features: np.ndarray) -> np.ndarray:
        """The share of each candidate among one entity's candidates (they sum to 1)."""
        if not len(features):
            return np.zeros(0)
        u = self.utility(features)
        e = np.exp(u - u.max())
        return e / e.sum()


def fit(
    features: np.ndarray, labels: np.ndarray, groups: np.ndarray, l2: float = 1.0, iterations: int = 50
) -> ScoreModel:
    """A conditional logit by Newton's method: in each group (an entity's candidates) the
    candidate labelled 1 should win. L2-regularised; the bias column drops out."""
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale == 0] = 1.0
    x = (features - mean) / scale
    d = x.shape[1]
    w = np.zeros(d)
    order = np.argsort(groups, kind="stable")
    x, labels, groups = x[order], labels[order], groups[order]
    bounds = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1], True])
    spans = list(itertools.pairwise(bounds.tolist()))

    def loss(w: np.ndarray) -> float:
        total = 0.5 * l2 * float(w @ w)
        for a, b in spans:
            u = x[a:b] @ w
            top = u.max()
            total += top + np.log(np.exp(u - top).sum()) - float(labels[a:b] @ u)
        return total

    current = loss(w)
    for _ in range(iterations):
        gradient = l2 * w
        hessian = np.eye(d) * (l2 + 1e-9)
        for a, b in spans:
            xs = x[a:b]
            u = xs @ w
            p = np.exp(u - u.max())
            p /= p.sum()
            mean_x = p @ xs
            gradient += mean_x - labels[a:b] @ xs
            centred = xs - mean_x
            hessian += (centred * p[:, None]).T @ centred
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        while size > 1e-4:  # a damped Newton step: never let the loss grow
            trial = w - size * step
            value = loss(trial)
            if value <= current + 1e-12:
                break
            size /= 2
        else:
            break
        w, improvement, current = trial, current - value, value
        if improvement < 1e-9 or np.abs(size * step).max() < 1e-7:
            break
    return ScoreModel(w, mean, scale, len(labels), len(bounds) - 1)


def fit_chosen(
    features: np.ndarray, labels: np.ndarray, groups: np.ndarray, strengths=(1.0, 3.0, 10.0), folds: int = 3
) -> ScoreModel:
    """:func:`fit` with the L2 strength that ranks the right candidate first most often on
    held-out entities (``folds``-fold, entities split by number; ties: the stronger)."""
    ids = np.unique(groups)
    if len(ids) < 2 * folds:
        return fit(features, labels, groups, strengths[-1])
    fold_of = {g: k % folds for k, g in enumerate(ids)}
    which = np.array([fold_of[g] for g in groups])
    best, best_hits = strengths[-1], -1
    for l2 in sorted(strengths, reverse=True):
        hits = 0
        for k in range(folds):
            train, test = which != k, which == k
            model = fit(features[train], labels[train], groups[train], l2)
            for g in np.unique(groups[test]):
                rows = test & (groups == g)
                hits += int(labels[rows][np.argmax(model.utility(features[rows]))] == 1)
        if hits > best_hits:
            best, best_hits = l2, hits
    return fit(features, labels, groups, best)


def candidate_pairs(
    source_tokens: Sequence[str],
    entities: Sequence[Span],
    target_tokens: Sequence[str],
    alignment: Alignment,
    allowed=None,
    length_cap=None,
) -> list[ScoredPair]:
    """Every n-gram with a link to its entity (and allowed by the edge rule), plain scores."""
    grams = ngram_candidates(target_tokens)
    return score_pairs(list(entities), grams, alignment, len(target_tokens), 0.0, allowed, length_cap)


def training_examples(
    source_tokens: Sequence[str],
    entities: Sequence[Span],
    target_tokens: Sequence[str],
    alignment: Alignment,
    final: Sequence[tuple[Span, int | None]],
    translations=lambda source: (),
    allowed=None,
    length_cap=None,
    chosen: dict[int, dict] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, 0/1 labels and entity numbers of every candidate of every entity with a
    reviewed span: 1 for the reviewed span (added when no candidate equals it), 0 for the others."""
    gold = {e: (s.start, s.end) for s, e in final if e is not None}
    grams = ngram_candidates(target_tokens)
    pairs = score_pairs(list(entities), grams, alignment, len(target_tokens), 0.0, allowed, length_cap)
    by_entity: dict[int, list[tuple[int, int]]] = {}
    for p in pairs:
        by_entity.setdefault(p.entity, []).append(grams[p.candidate])
    rows, labels, groups = [], [], []
    for e, right in gold.items():
        spans = by_entity.get(e, [])
        if right not in spans:
            spans = spans + [right]
        starts = np.array([s for s, _ in spans], dtype=np.int64)
        ends = np.array([u for _, u in spans], dtype=np.int64)
        entity = entities[e]
        source = tuple(t.lower() for t in source_tokens[entity.start : entity.end])
        rows.append(
            pair_features(
                source_tokens,
                entity,
                entities,
                target_tokens,
                alignment,
                starts,
                ends,
                translations(source),
                (chosen or {}).get(e),
            )
        )
        labels.append(np.array([span == right for span in spans], dtype=float))
        groups.append(np.full(len(spans), e))
    if not rows:
        return np.zeros((0, len(FEATURES))), np.zeros(0), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(labels), np.concatenate(groups)


def rescore(
    pairs: Sequence[ScoredPair],
    grams,
    source_tokens: Sequence[str],
    entities: Sequence[Span],
    target_tokens: Sequence[str],
    alignment: Alignment,
    model: ScoreModel,
    translations=lambda source: (),
    min_probability: float = 0.0,
    chosen: dict[int, dict] | None = None,
) -> list[ScoredPair]:
    """The same pairs with the model's probability as their score (below ``min_probability`` dropped)."""
    by_entity: dict[int, list[ScoredPair]] = {}
    for p in pairs:
        by_entity.setdefault(p.entity, []).append(p)
    out: list[ScoredPair] = []
    for e, group in by_entity.items():
        entity = entities[e]
        starts = np.array([grams[p.candidate][0] for p in group], dtype=np.int64)
        ends = np.array([grams[p.candidate][1] for p in group], dtype=np.int64)
        source = tuple(t.lower() for t in source_tokens[entity.start : entity.end])
        probability = model.probability(
            pair_features(
                source_tokens,
                entity,
                entities,
                target_tokens,
                alignment,
                starts,
                ends,
                translations(source),
                (chosen or {}).get(e),
            )
        )
        out.extend(
            ScoredPair(p.entity, p.candidate, float(q)) for p, q in zip(group, probability) if q > min_probability
        )
    return sorted(out, key=lambda p: (p.entity, p.candidate))
