"""Corpus evidence: how each source entity string is translated across the whole corpus.

The same English name is translated the same way nearly everywhere in a corpus
(*United Kingdom* -> *Reino Unido*). A sentence's own alignment is sometimes weak
for one word of a name, and projection then keeps half of it (*Reino*). This module
collects, from the projections the evidence is strong for, a table of source string ->
target string, and turns it into a score bonus for the (entity, target span) pairs
where the target span is a known translation of the entity's text.

All functions are pure; :func:`core.projection.pipeline.project_corpus` runs them between a
first and a second matching pass.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from core.alignment.lexical import fold
from core.datamodel import Projection, Sentence

Key = tuple[str, ...]
Bonus = dict[tuple[int, tuple[int, int]], float]


@dataclass(frozen=True)
class EvidenceSettings:
    """When a projection counts as strong evidence, and what the evidence is worth.

    ``min_score``: the matching score a projection needs to count (``2n / (|e| + |t|)``:
    most words of both sides linked). ``agree``: the heuristic must have projected the
    same span too. ``min_count`` / ``min_share``: how often, and in what share of the
    strong projections of that source string, a translation must have been seen.
    ``bonus``: added to the matching score of a pair whose target span is that
    translation (times the translation's share). ``light_discount``: how much of its
    length a target function word inside a candidate, not linked to the entity, loses;
    function words are the corpus's ``function_word_rank`` most frequent lower-case
    words of at most ``function_word_length`` letters.
    """

    min_score: float = 0.75
    agree: bool = False
    min_count: int = 1
    min_share: float = 0.6
    bonus: float = 0.5
    light_discount: float = 0.3
    function_word_rank: int = 50
    function_word_length: int = 4


@dataclass(frozen=True)
class Translation:
    """A target string seen as the strong projection of a source string."""

    target: Key
    count: int
    share: float


TranslationTable = Mapping[tuple[Key, str], tuple[Translation, ...]]


def key_of(tokens: Sequence[str]) -> Key:
    """The comparison form of a token sequence: lower-cased, accents removed."""
    return tuple(fold(t) for t in tokens)


def strong_observations(
    sentences: Sequence[tuple[Sentence, Sentence]],
    matching: Sequence[Sequence[Projection]],
    heuristic: Sequence[Sequence[Projection]] | None,
    settings: EvidenceSettings = EvidenceSettings(),
) -> list[tuple[Key, str, Key]]:
    """``(source key, label, target key)`` of every matching projection the evidence is
    strong for (score at least ``min_score``; with ``agree``, the heuristic projected the
    same span). ``sentences`` are (source, target) pairs. Heuristic spans standing in for
    matching (a sentence past its budget) are not evidence: their score is a share."""
    observations = []
    for k, (source, target) in enumerate(sentences):
        agreed = {(p.source_span, p.span.start, p.span.end) for p in heuristic[k]} if heuristic is not None else set()
        for p in matching[k]:
            if p.method != "matching":  # a sentence past matching's budget took the heuristic's spans
                continue
            if p.score < settings.min_score - 1e-9:
                continue
            if settings.agree and (p.source_span, p.span.start, p.span.end) not in agreed:
                continue
            observations.append(
                (
                    key_of(source.tokens[p.source_span.start : p.source_span.end]),
                    p.source_span.label,
                    key_of(target.tokens[p.span.start : p.span.end]),
                )
            )
    return observations


def build_table(
    observations: Iterable[tuple[Key, str, Key]], settings: EvidenceSettings = EvidenceSettings()
) -> dict[tuple[Key, str], tuple[Translation, ...]]:
    """The translations of each (source key, label) seen at least ``min_count`` times
    with a share of at least ``min_share`` of its strong projections, most frequent first.

    >>> obs = [(("united", "kingdom"), "LOC", ("reino", "unido"))] * 3 + [(("united", "kingdom"), "LOC", ("reino",))]
    >>> build_table(obs)[(("united", "kingdom"), "LOC")]
    (Translation(target=('reino', 'unido'), count=3, share=0.75),)
    """
    seen: dict[tuple[Key, str], Counter] = defaultdict(Counter)
    for source, label, target in observations:
        seen[(source, label)][target] += 1
    table = {}
    for entry, counts in seen.items():
        total = sum(counts.values())
        kept = tuple(
            Translation(target, count, count / total)
            for target, count in sorted(counts.items(), key=lambda item: (-item[1], -len(item[0]), item[0]))
            if count >= settings.min_count and count / total >= settings.min_share - 1e-9
        )
        if kept:
            table[entry] = kept
    return table


def occurrences(tokens: Sequence[str], target: Key) -> list[tuple[int, int]]:
    """Every ``[start, end)`` where the folded ``tokens`` read ``target``.

    >>> occurrences(["el", "Reino", "Unido", "y", "reino", "unido"], ("reino", "unido"))
    [(1, 3), (4, 6)]
    """
    folded = key_of(tokens)
    n = len(target)
    return [(s, s + n) for s in range(len(folded) - n + 1) if folded[s : s + n] == target] if n else []


def evidence_bonus(
    source: Sentence,
    target_tokens: Sequence[str],
    table: TranslationTable,
    settings: EvidenceSettings = EvidenceSettings(),
) -> Bonus:
    """``{(entity index, (start, end)): bonus}`` for every entity of ``source`` whose text
    has a known translation and every place that translation occurs in the target."""
    bonus: Bonus = {}
    for e, entity in enumerate(source.spans):
        for translation in table.get((key_of(source.tokens[entity.start : entity.end]), entity.label), ()):
            for place in occurrences(target_tokens, translation.target):
                bonus[(e, place)] = max(bonus.get((e, place), 0.0), settings.bonus * translation.share)
    return bonus


def table_from_projections(
    sentences: Sequence[tuple[Sentence, Sentence]],
    matching: Sequence[Sequence[Projection]],
    heuristic: Sequence[Sequence[Projection]] | None = None,
    settings: EvidenceSettings = EvidenceSettings(),
) -> dict[tuple[Key, str], tuple[Translation, ...]]:
    """:func:`strong_observations` then :func:`build_table`."""
    return build_table(strong_observations(sentences, matching, heuristic, settings), settings)


def corpus_function_words(targets: Iterable[Sequence[str]], top: int = 50, max_length: int = 4) -> frozenset[str]:
    """The target corpus's own function words: lower-case words among its ``top`` most
    frequent lower-case words, at most ``max_length`` letters (articles, prepositions,
    conjunctions in most languages). Needs no word list, so it works for any language.

    >>> sorted(corpus_function_words([["la", "casa", "de", "la", "ciudad"], ["de", "Madrid"]], top=2))
    ['de', 'la']
    """
    freq: Counter = Counter()
    for tokens in targets:
        count_lower_case(freq, tokens)
    return function_words_of(freq, top, max_length)


def count_lower_case(freq: Counter, tokens: Sequence[str]) -> None:
    """Add one sentence's lower-case words to ``freq`` (what :func:`corpus_function_words` counts)."""
    freq.update(t for t in tokens if t[:1].islower())


def function_words_of(freq: Counter, top: int = 50, max_length: int = 4) -> frozenset[str]:
    """:func:`corpus_function_words` from counts :func:`count_lower_case` gathered (in a streamed pass)."""
    ranked = sorted(freq.items(), key=lambda item: (-item[1], item[0]))[:top]
    return frozenset(w for w, _ in ranked if len(w) <= max_length)


def light_weights(tokens: Sequence[str], function_words: frozenset[str], discount: float) -> list[float]:
    """Per target word, how much of its length matching may discount when the word is
    inside a candidate but not linked to the entity: ``discount`` for a lower-case
    function word, 0 for every other word.

    >>> light_weights(["Fondo", "de", "Cohesión"], frozenset({"de"}), 0.3)
    [0.0, 0.3, 0.0]
    """
    return [discount if t[:1].islower() and t in function_words else 0.0 for t in tokens]


def corpus_lights(pairs: Sequence, settings: EvidenceSettings = EvidenceSettings()) -> list[list[float]]:
    """:func:`light_weights` of every target sentence, with the corpus's own function words."""
    words = corpus_function_words(
        [p.target.tokens for p in pairs], settings.function_word_rank, settings.function_word_length
    )
    return [light_weights(p.target.tokens, words, settings.light_discount) for p in pairs]


def corpus_bonuses(
    pairs: Sequence, projected: Sequence, settings: EvidenceSettings = EvidenceSettings()
) -> list[Bonus]:
    """The bonus of every pair, from a table built on the first pass's projections
    (``projected``: :class:`core.projection.pipeline.ProjectedPair` or anything with ``matching``
    and ``heuristic``)."""
    table = table_from_projections(
        [(p.source, p.target) for p in pairs],
        [r.matching for r in projected],
        [r.heuristic for r in projected],
        settings,
    )
    return [evidence_bonus(p.source, p.target.tokens, table, settings) for p in pairs]
