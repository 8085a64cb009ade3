"""The projection pipeline: sentence pairs -> alignments -> heuristic and matching projections.

This is what the command line, the benchmark and the review app all call.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

from functools import lru_cache, partial

from .aligners import make_aligner
from .aligners.lexical import add_lexical_links
from .boundaries import EdgeRule
from .candidates import ngram_candidates
from .datamodel import Alignment, Projection, Sentence, SentencePair, Span
from .heuristic import project_heuristic
from .matching import PairFilter, project_matching, score_pairs, top_candidates
from .tags import drop_labels

METHODS = ("heuristic", "matching")
CANDIDATE_SOURCES = ("ngram", "ner")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ProjectionConfig:
    """Every choice that shapes a projection; the defaults need no model download."""

    aligner: str = "eflomal"
    aligner_options: dict = field(default_factory=dict)
    candidates: str = "ngram"
    max_ngram: int | None = None
    solver: str = "ilp"
    n_proj: int = 1
    min_score: float = 0.0
    merge_distance: int = 1
    min_ratio: float = 0.8
    heuristic_min_weight: float = 0.5
    lexical_links: bool = True
    source_lang: str | None = "en"
    target_lang: str | None = None
    edge_rule: bool = True
    dropped_labels: frozenset[str] = frozenset()

    def with_options(self, **changes) -> "ProjectionConfig":
        return replace(self, **changes)


@dataclass(frozen=True)
class ProjectedPair:
    """One sentence pair with its alignment and both projections."""

    pair: SentencePair
    alignment: Alignment
    heuristic: tuple[Projection, ...]
    matching: tuple[Projection, ...]
    candidates: dict = field(default_factory=dict)  # entity -> its best-scoring (start, end, score), threshold ignored

    def projections(self, method: str) -> tuple[Projection, ...]:
        return self.heuristic if method == "heuristic" else self.matching

    def target_with(self, method: str, dropped_labels: frozenset[str] = frozenset()) -> Sentence:
        """The target sentence carrying one method's projected spans."""
        spans = [p.span for p in self.projections(method)]
        return self.pair.target.with_spans(drop_labels(spans, dropped_labels))


def align(pairs: Sequence[SentencePair], config: ProjectionConfig, progress: Progress | None = None) -> list[Alignment]:
    """Align every pair with the configured aligner, plus lexical links if enabled."""
    aligner = make_aligner(config.aligner, **config.aligner_options)
    sources = [p.source.tokens for p in pairs]
    targets = [p.target.tokens for p in pairs]
    alignments = aligner.align_corpus(sources, targets, progress)
    return with_lexical_links(pairs, alignments) if config.lexical_links else alignments


def with_lexical_links(pairs: Sequence[SentencePair], alignments: Sequence[Alignment]) -> list[Alignment]:
    """Each alignment plus the lexical anchors of its pair (see :mod:`core.aligners.lexical`)."""
    return [add_lexical_links(a, p.source.tokens, p.target.tokens) for a, p in zip(alignments, pairs)]


def strong_links(alignment: Alignment, min_weight: float) -> Alignment:
    """The links whose weight is at least ``min_weight`` (all of them for unweighted aligners)."""
    kept = {link: w for link, w in alignment.weight_map().items() if w >= min_weight - 1e-9}
    return Alignment.from_pairs(kept, kept)


@lru_cache(maxsize=16)
def edge_rule(source_lang: str | None, target_lang: str | None) -> EdgeRule:
    return EdgeRule.for_languages(source_lang, target_lang)


def pair_filter(pair: SentencePair, config: ProjectionConfig) -> PairFilter | None:
    """Which (entity, candidate) pairs matching may consider in this pair: the edge rule."""
    if not config.edge_rule:
        return None
    rule = edge_rule(config.source_lang, config.target_lang)
    return partial(rule.allows, pair.source.tokens, pair.target.tokens)


def project_pair(
    pair: SentencePair,
    alignment: Alignment,
    config: ProjectionConfig,
    candidates: Sequence[tuple[int, int]] | None = None,
    methods: Sequence[str] = METHODS,
) -> ProjectedPair:
    """The projections of one pair by ``methods`` (both by default); ``candidates``
    defaults to the n-grams of the target."""
    entities: list[Span] = list(pair.source.spans)
    heuristic: list[Projection] = []
    matching: list[Projection] = []
    best: dict = {}
    if "heuristic" in methods:
        strong = strong_links(alignment, config.heuristic_min_weight)
        heuristic = project_heuristic(entities, strong, config.merge_distance, config.min_ratio)
    if "matching" in methods:
        if candidates is None:
            candidates = ngram_candidates(pair.target.tokens, config.max_ngram)
        scored = score_pairs(entities, candidates, alignment, len(pair.target), 0.0, pair_filter(pair, config))
        matching = project_matching(entities, candidates, alignment, len(pair.target), config.solver, config.n_proj, config.min_score,
                                    scored=[p for p in scored if p.score > config.min_score])
        best = top_candidates(scored, candidates)
    return ProjectedPair(pair, alignment, tuple(heuristic), tuple(matching), best)


def project_corpus(
    pairs: Sequence[SentencePair],
    config: ProjectionConfig = ProjectionConfig(),
    alignments: Sequence[Alignment] | None = None,
    candidates: Sequence[Sequence[tuple[int, int]]] | None = None,
    progress: Progress | None = None,
    methods: Sequence[str] = METHODS,
) -> list[ProjectedPair]:
    """Align (unless ``alignments`` are given) and project every pair."""
    if alignments is None:
        alignments = align(pairs, config)
    result = []
    for k, (pair, alignment) in enumerate(zip(pairs, alignments)):
        result.append(project_pair(pair, alignment, config, candidates[k] if candidates is not None else None, methods))
        if progress:
            progress(k + 1, len(pairs))
    return result
