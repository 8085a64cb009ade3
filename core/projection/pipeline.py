"""The projection pipeline: sentence pairs -> alignments -> heuristic and matching projections.

This is what the command line, the benchmark and the review app all call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal, get_args

from core.alignment import make_aligner
from core.alignment.lexical import add_lexical_links
from core.corpus.tags import drop_labels
from core.datamodel import Alignment, Projection, Sentence, SentencePair, Span
from core.errors import LabelBridgeError
from core.projection.boundaries import EdgeRule
from core.projection.candidates import ngram_candidates
from core.projection.corpus_evidence import (
    Findings,
    Observation,
    as_derived,
    corpus_findings,
    corpus_lights,
    evidence_bonus,
    whole_names,
)
from core.projection.heuristic import project_heuristic
from core.projection.matching import (
    Bonus,
    Budget,
    BudgetExceeded,
    LengthCap,
    PairFilter,
    matching_projections,
    score_pairs,
    solve,
    top_candidates,
)

Method = Literal["heuristic", "matching"]
CandidateSource = Literal["ngram", "ner"]
METHODS: tuple[Method, ...] = get_args(Method)
CANDIDATE_SOURCES: tuple[CandidateSource, ...] = get_args(CandidateSource)
Progress = Callable[[int, int], None]
logger = logging.getLogger(__name__)


class SentenceTooLongError(LabelBridgeError):
    """A sentence has more tokens than :attr:`ProjectionConfig.max_sentence_tokens`."""

    def __init__(self, number: int | None, side: str, n_tokens: int, limit: int):
        self.number, self.side, self.n_tokens, self.limit = number, side, n_tokens, limit
        which = f"sentence {number}" if number is not None else "the sentence"
        super().__init__(
            f"{which} has {n_tokens:,} {side} tokens, more than the {limit:,} allowed per sentence; "
            "split it into sentences (one a line), or raise the limit (max_sentence_tokens)"
        )


@dataclass(frozen=True)
class ProjectionConfig:
    """Every choice that shapes a projection; the defaults need no model download."""

    aligner: str = "eflomal"
    aligner_options: dict = field(default_factory=dict)
    candidates: CandidateSource = "ngram"
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
    # bounds on the work per sentence (see core.projection.matching): candidates longer than
    # span_cap_factor * entity length + span_cap_extra are not scored (None: no cap); past
    # max_pairs scored pairs the sentence falls back to the heuristic, past max_ilp_pairs
    # pairs in conflict or ilp_seconds the ILP falls back to greedy (None: no limit);
    # a sentence longer than max_sentence_tokens on either side is refused.
    span_cap_factor: int | None = 3
    span_cap_extra: int = 5
    max_pairs: int | None = 200_000
    max_ilp_pairs: int | None = 20_000
    ilp_seconds: float | None = 10.0
    max_sentence_tokens: int | None = 5_000
    # core.projection.corpus_evidence: known translations of recurring entity strings and
    # light function words, in a second matching pass (project_corpus)
    corpus_evidence: bool = True

    def with_options(self, **changes) -> ProjectionConfig:
        return replace(self, **changes)

    def length_cap(self) -> LengthCap | None:
        return LengthCap(self.span_cap_factor, self.span_cap_extra) if self.span_cap_factor is not None else None

    def budget(self) -> Budget:
        return Budget(self.max_pairs, self.max_ilp_pairs, self.ilp_seconds)


@dataclass(frozen=True)
class ProjectedPair:
    """One sentence pair with its alignment and both projections."""

    pair: SentencePair
    alignment: Alignment
    heuristic: tuple[Projection, ...]
    matching: tuple[Projection, ...]
    notes: tuple[str, ...] = ()  # e.g. that matching fell back to greedy on this pair
    candidates: dict = field(default_factory=dict)  # entity -> its best-scoring (start, end, score), threshold ignored

    def projections(self, method: Method) -> tuple[Projection, ...]:
        """One method's projections; an unknown method is an error, never a silent default."""
        if method == "heuristic":
            return self.heuristic
        if method == "matching":
            return self.matching
        raise ValueError(f"unknown projection method {method!r}; choose one of {', '.join(METHODS)}")

    def target_with(self, method: Method, dropped_labels: frozenset[str] = frozenset()) -> Sentence:
        """The target sentence carrying one method's projected spans."""
        spans = [p.span for p in self.projections(method)]
        return self.pair.target.with_spans(drop_labels(spans, dropped_labels))


def align(pairs: Sequence[SentencePair], config: ProjectionConfig, progress: Progress | None = None) -> list[Alignment]:
    """Align every pair with the configured aligner, plus lexical links if enabled."""
    check_lengths(pairs, config)
    aligner = make_aligner(config.aligner, **config.aligner_options)
    sources = [p.source.tokens for p in pairs]
    targets = [p.target.tokens for p in pairs]
    alignments = aligner.align_corpus(sources, targets, progress)
    return with_lexical_links(pairs, alignments) if config.lexical_links else alignments


def with_lexical_links(pairs: Sequence[SentencePair], alignments: Sequence[Alignment]) -> list[Alignment]:
    """Each alignment plus the lexical anchors of its pair (see :mod:`core.alignment.lexical`)."""
    return [add_lexical_links(a, p.source.tokens, p.target.tokens) for a, p in zip(alignments, pairs)]


def strong_links(alignment: Alignment, min_weight: float) -> Alignment:
    """The links whose weight is at least ``min_weight`` (all of them for unweighted aligners)."""
    kept = {link: w for link, w in alignment.weight_map().items() if w >= min_weight - 1e-9}
    return Alignment.from_pairs(kept, kept)


def check_lengths(pairs: Sequence[SentencePair], config: ProjectionConfig) -> None:
    """Raise :class:`SentenceTooLongError` for the first pair with a side longer than
    ``config.max_sentence_tokens`` (sentences numbered from 1)."""
    limit = config.max_sentence_tokens
    if limit is None:
        return
    for number, pair in enumerate(pairs, start=1):
        for side, sentence in (("source", pair.source), ("target", pair.target)):
            if len(sentence) > limit:
                raise SentenceTooLongError(number, side, len(sentence), limit)


@lru_cache(maxsize=16)
def edge_rule(source_lang: str | None, target_lang: str | None) -> EdgeRule:
    return EdgeRule.for_languages(source_lang, target_lang)


def pair_filter(pair: SentencePair, config: ProjectionConfig) -> PairFilter | None:
    """Which (entity, candidate) pairs matching may consider in this pair: the edge rule."""
    if not config.edge_rule:
        return None
    return edge_rule(config.source_lang, config.target_lang).for_pair(pair.source.tokens, pair.target.tokens)


def project_pair(
    pair: SentencePair,
    alignment: Alignment,
    config: ProjectionConfig,
    candidates: Sequence[tuple[int, int]] | None = None,
    methods: Sequence[str] = METHODS,
    number: int | None = None,
    bonus: Bonus | None = None,
    light: Sequence[float] | None = None,
    reviewer_candidates: bool = True,
) -> ProjectedPair:
    """The projections of one pair by ``methods`` (both by default); ``candidates``
    defaults to the n-grams of the target. ``number`` names the pair in messages.
    ``bonus`` and ``light`` are corpus evidence for matching (see
    :func:`core.projection.matching.score_pairs`); :func:`project_corpus` computes them.
    ``reviewer_candidates=False`` skips :attr:`ProjectedPair.candidates` (a second scoring
    pass the review app uses and a written corpus does not).

    Matching stays within ``config``'s budget: a pair with too many scored pairs takes the
    heuristic's spans, an ILP past its limits takes greedy's choice; either way a note is
    logged and kept in :attr:`ProjectedPair.notes`.
    """
    limit = config.max_sentence_tokens
    for side, sentence in (("source", pair.source), ("target", pair.target)):
        if limit is not None and len(sentence) > limit:
            raise SentenceTooLongError(number, side, len(sentence), limit)
    entities: list[Span] = list(pair.source.spans)
    heuristic: list[Projection] = []
    matching: list[Projection] = []
    best: dict = {}
    notes: list[str] = []
    which = f"sentence {number}" if number is not None else "a sentence"

    def heuristic_projections() -> list[Projection]:
        strong = strong_links(alignment, config.heuristic_min_weight)
        return project_heuristic(entities, strong, config.merge_distance, config.min_ratio)

    if "heuristic" in methods:
        heuristic = heuristic_projections()
    if "matching" in methods:
        if candidates is None:
            candidates = ngram_candidates(pair.target.tokens, config.max_ngram)
        budget = config.budget()
        edges = pair_filter(pair, config)
        try:
            pairs = score_pairs(
                entities,
                candidates,
                alignment,
                len(pair.target),
                config.min_score,
                edges,
                config.length_cap(),
                budget.max_pairs,
                undominated=True,
                bonus=bonus,
                light=light,
            )
        except BudgetExceeded as exc:
            notes.append(f"{which}: matching skipped ({exc}); the heuristic's spans are used instead")
            matching = heuristic if "heuristic" in methods else heuristic_projections()
        else:
            try:
                chosen = solve(pairs, candidates, config.solver, config.n_proj, budget)
            except BudgetExceeded as exc:
                notes.append(f"{which}: {exc}; greedy matching is used instead")
                chosen = solve(pairs, candidates, "greedy", config.n_proj)
            matching = matching_projections(entities, candidates, alignment, chosen)
            if reviewer_candidates:
                # what the reviewer can cycle through with `c`: threshold ignored, longer spans kept
                best = top_candidates(
                    score_pairs(
                        entities,
                        candidates,
                        alignment,
                        len(pair.target),
                        0.0,
                        edges,
                        config.length_cap(),
                        budget.max_pairs,
                        bonus=bonus,
                        light=light,
                    ),
                    candidates,
                )
    for note in notes:
        logger.warning(note)
    return ProjectedPair(pair, alignment, tuple(heuristic), tuple(matching), tuple(notes), best)


def second_matching_pass(
    pairs: Sequence[SentencePair],
    alignments: Sequence[Alignment],
    config: ProjectionConfig,
    candidates: Sequence[Sequence[tuple[int, int]]] | None,
    first: Sequence[ProjectedPair],
    lights: Sequence[Sequence[float] | None],
    reviewed: Sequence[Observation] = (),
) -> list[ProjectedPair]:
    """Corpus evidence's second pass over a first pass's results: the pairs where a translation
    found elsewhere occurs get matching (notes, reviewer candidates) again with that bonus, and a
    name projected onto the adjective made from it is labelled MISC (:class:`Findings`)."""
    result = list(first)
    findings = corpus_findings(pairs, result, reviewed=reviewed)
    for k, pair in enumerate(pairs):
        redo = second_pass(
            pair, alignments[k], config, candidates[k] if candidates else None, result[k], findings, lights[k], k + 1
        )
        if redo is not None:
            result[k] = redo
    return result


def second_pass(
    pair: SentencePair,
    alignment: Alignment,
    config: ProjectionConfig,
    candidates: Sequence[tuple[int, int]] | None,
    first: ProjectedPair,
    findings: Findings,
    light: Sequence[float] | None,
    number: int | None = None,
) -> ProjectedPair | None:
    """One pair's second matching pass with the corpus's ``findings`` (known translations as a
    bonus, then :func:`with_findings`), or ``None`` when they change nothing for it."""
    result = first
    bonus = evidence_bonus(pair.source, pair.target.tokens, findings.table)
    if bonus:
        second = project_pair(pair, alignment, config, candidates, ("matching",), number, bonus, light)
        result = replace(first, matching=second.matching, notes=second.notes, candidates=second.candidates)
    result = with_findings(result, findings, candidates)
    return result if result is not first else None


def with_findings(
    projected: ProjectedPair, findings: Findings, candidates: Sequence[tuple[int, int]] | None = None
) -> ProjectedPair:
    """``projected`` with :func:`core.projection.corpus_evidence.as_derived`, then
    :func:`~core.projection.corpus_evidence.whole_names` (onto ``candidates`` only, when a
    target NER model gave them), applied to its matching (the same object when nothing changes)."""
    pair = projected.pair
    matching = as_derived(projected.matching, pair.source, pair.target.tokens, findings)
    allowed = frozenset(candidates) if candidates is not None else None
    matching = whole_names(matching, pair.target.tokens, findings.names, allowed)
    return replace(projected, matching=matching) if matching != projected.matching else projected


def project_corpus(
    pairs: Sequence[SentencePair],
    config: ProjectionConfig = ProjectionConfig(),
    alignments: Sequence[Alignment] | None = None,
    candidates: Sequence[Sequence[tuple[int, int]]] | None = None,
    progress: Progress | None = None,
    methods: Sequence[str] = METHODS,
    reviewed: Sequence[Observation] = (),
) -> list[ProjectedPair]:
    """Align (unless ``alignments`` are given) and project every pair.

    With ``config.corpus_evidence`` (and matching among ``methods``), matching weighs the
    corpus's function words lightly, and a second matching pass runs on the pairs where a
    translation the first pass found for an entity string elsewhere occurs
    (:mod:`core.projection.corpus_evidence`); those pairs get the second pass's matching,
    notes and reviewer candidates. ``reviewed``, what reviewers decided in other sentences of
    the corpus (observations: :func:`core.projection.corpus_evidence.observe`), joins that
    evidence.
    """
    check_lengths(pairs, config)
    if alignments is None:
        alignments = align(pairs, config)
    evidence = config.corpus_evidence and "matching" in methods
    lights: Sequence[Sequence[float] | None] = corpus_lights(pairs) if evidence else [None] * len(pairs)
    result = []
    for k, (pair, alignment) in enumerate(zip(pairs, alignments)):
        result.append(
            project_pair(
                pair,
                alignment,
                config,
                candidates[k] if candidates is not None else None,
                methods,
                k + 1,
                light=lights[k],
            )
        )
        if progress:
            progress(k + 1, len(pairs))
    if evidence:
        result = second_matching_pass(pairs, alignments, config, candidates, result, lights, reviewed)
    return result
