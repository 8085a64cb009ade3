"""The projection pipeline: sentence pairs -> alignments -> heuristic and matching projections.

This is what the command line, the benchmark and the review app all call.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

from .aligners import make_aligner
from .candidates import ngram_candidates
from .datamodel import Alignment, Projection, Sentence, SentencePair, Span
from .heuristic import project_heuristic
from .matching import project_matching
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

    def projections(self, method: str) -> tuple[Projection, ...]:
        return self.heuristic if method == "heuristic" else self.matching

    def target_with(self, method: str, dropped_labels: frozenset[str] = frozenset()) -> Sentence:
        """The target sentence carrying one method's projected spans."""
        spans = [p.span for p in self.projections(method)]
        return self.pair.target.with_spans(drop_labels(spans, dropped_labels))


def align(pairs: Sequence[SentencePair], config: ProjectionConfig, progress: Progress | None = None) -> list[Alignment]:
    aligner = make_aligner(config.aligner, **config.aligner_options)
    return aligner.align_corpus([p.source.tokens for p in pairs], [p.target.tokens for p in pairs], progress)


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
    if "heuristic" in methods:
        heuristic = project_heuristic(entities, alignment, config.merge_distance, config.min_ratio)
    if "matching" in methods:
        if candidates is None:
            candidates = ngram_candidates(pair.target.tokens, config.max_ngram)
        matching = project_matching(entities, candidates, alignment, len(pair.target), config.solver, config.n_proj, config.min_score)
    return ProjectedPair(pair, alignment, tuple(heuristic), tuple(matching))


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
