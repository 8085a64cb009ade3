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
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from core.alignment.lexical import fold
from core.datamodel import Projection, Sentence, Span

Key = tuple[str, ...]
Bonus = dict[tuple[int, tuple[int, int]], float]
Observation = tuple[Key, str, Key, bool]  # source key, label, target key, target capitalised


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
    words of at most ``function_word_length`` letters. A label is *cased* when at least
    ``cased_min_count`` strong projections of it were seen and ``cased_share`` of them hold
    a capitalised word; the second pass then projects that label only onto spans that do.
    A target name of several words seen ``name_min_count`` times is *known*: the second pass
    widens a projection that cuts one in two (:func:`whole_names`).
    """

    min_score: float = 0.75
    agree: bool = False
    min_count: int = 1
    min_share: float = 0.6
    bonus: float = 0.5
    light_discount: float = 0.3
    function_word_rank: int = 50
    function_word_length: int = 4
    cased_share: float = 0.9
    cased_min_count: int = 20
    name_min_count: int = 1


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


def is_capitalised(token: str) -> bool:
    """Whether the first letter of ``token`` is upper case ("-Parlamento" is).

    >>> [is_capitalised(t) for t in ("Reino", "-Parlamento", "europea", "1999", "東京")]
    [True, True, False, False, False]
    """
    return next((ch for ch in token if ch.isalpha()), "").isupper()


def strong_observations(
    sentences: Sequence[tuple[Sentence, Sentence]],
    matching: Sequence[Sequence[Projection]],
    heuristic: Sequence[Sequence[Projection]] | None,
    settings: EvidenceSettings = EvidenceSettings(),
) -> list[Observation]:
    """``(source key, label, target key, capitalised)`` of every matching projection the evidence is
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
            observations.append(observe(source.tokens, p.source_span, target.tokens, p.span))
    return observations


def observe(source_tokens: Sequence[str], entity: Span, target_tokens: Sequence[str], span: Span) -> Observation:
    """The observation that ``entity`` is projected onto ``span`` (the entity's label is kept).

    >>> observe(["the", "UK"], Span(1, 2, "LOC"), ["el", "Reino", "Unido"], Span(1, 3, "LOC"))
    (('uk',), 'LOC', ('reino', 'unido'), True)
    """
    words = target_tokens[span.start : span.end]
    return (
        key_of(source_tokens[entity.start : entity.end]),
        entity.label,
        key_of(words),
        any(is_capitalised(w) for w in words),
    )


def cased_labels(observations: Iterable[Sequence], settings: EvidenceSettings = EvidenceSettings()) -> frozenset[str]:
    """The labels whose strong projections hold a capitalised word often enough to require
    one (see :class:`EvidenceSettings`): in Spanish PER, LOC and ORG, not MISC (*europea*);
    in a script without case, none.

    >>> obs = [((), "LOC", (), True)] * 19 + [((), "LOC", (), False)] + [((), "MISC", (), False)] * 20
    >>> sorted(cased_labels(obs, EvidenceSettings(cased_min_count=20)))
    ['LOC']
    """
    seen: Counter = Counter()
    capitalised: Counter = Counter()
    for _, label, _, upper in observations:
        seen[label] += 1
        capitalised[label] += bool(upper)
    return frozenset(
        label
        for label, n in seen.items()
        if n >= settings.cased_min_count and capitalised[label] >= settings.cased_share * n - 1e-9
    )


def build_table(
    observations: Iterable[Sequence], settings: EvidenceSettings = EvidenceSettings()
) -> dict[tuple[Key, str], tuple[Translation, ...]]:
    """The translations of each (source key, label) seen at least ``min_count`` times
    with a share of at least ``min_share`` of its strong projections, most frequent first.

    >>> obs = [(("united", "kingdom"), "LOC", ("reino", "unido"))] * 3 + [(("united", "kingdom"), "LOC", ("reino",))]
    >>> build_table(obs)[(("united", "kingdom"), "LOC")]
    (Translation(target=('reino', 'unido'), count=3, share=0.75),)
    """
    seen: dict[tuple[Key, str], Counter] = defaultdict(Counter)
    for source, label, target, *_ in observations:
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


#: the CoNLL label of words derived from names (*European*, *europea*)
DERIVED_LABEL = "MISC"


@dataclass(frozen=True)
class KnownNames:
    """Target names of several words the corpus has seen, with how often (``counts``). Looked
    up through a word trie built from the counts on first use (in the process that uses it:
    a task sent to a worker carries only the counts)."""

    counts: Mapping[Key, int] = field(default_factory=dict)

    @cached_property
    def trie(self) -> Mapping[str | None, Any]:
        """word -> subtrie; the key ``None`` holds the count of the name ending there."""
        trie: dict[str | None, Any] = {}
        for name, count in self.counts.items():
            node = trie
            for word in name:
                node = node.setdefault(word, {})
            node[None] = count
        return trie

    @cached_property
    def longest(self) -> int:
        """The most words a known name has: names written at one place are found in as many steps."""
        return max(map(len, self.counts), default=0)

    def at(self, folded: Key, start: int) -> list[tuple[int, int]]:
        """``(end, count)`` of every known name written at ``start`` of the folded tokens.

        >>> KnownNames({("reino", "unido"): 4, ("unido", "y"): 1}).at(("el", "reino", "unido"), 1)
        [(3, 4)]
        """
        out = []
        node = self.trie
        for end in range(start, len(folded)):
            child = node.get(folded[end])
            if child is None:
                break
            node = child
            if None in node:
                out.append((end + 1, node[None]))
        return out


@dataclass(frozen=True)
class Findings:
    """What a first matching pass over the whole corpus says: the known translations of
    entity strings, the labels the target writes capitalised, and the labels seen at all
    (see :func:`as_derived`)."""

    table: TranslationTable
    cased: frozenset[str] = frozenset()
    labels: frozenset[str] = frozenset()
    names: KnownNames = KnownNames()


def findings_from(observations: Sequence[Observation], settings: EvidenceSettings = EvidenceSettings()) -> Findings:
    """:func:`build_table`, :func:`cased_labels` and :func:`known_names` of the same observations."""
    labels = frozenset(label for _, label, *_ in observations)
    return Findings(
        build_table(observations, settings),
        cased_labels(observations, settings),
        labels,
        known_names(observations, settings),
    )


def describe(findings: Findings) -> str:
    """What corpus evidence learned, in one line for the command line.

    >>> table = {(("uk",), "LOC"): (Translation(("reino", "unido"), 3, 1.0),)}
    >>> describe(Findings(table, frozenset({"PER", "LOC"}), names=KnownNames({("reino", "unido"): 3})))
    'corpus evidence: 1 known translation, 1 known name; labels written capitalised: LOC, PER'
    """
    n_table, n_names = len(findings.table), len(findings.names.counts)
    cased = ", ".join(sorted(findings.cased)) or "none found"
    return (
        f"corpus evidence: {n_table} known translation{'s' * (n_table != 1)}, "
        f"{n_names} known name{'s' * (n_names != 1)}; labels written capitalised: {cased}"
    )


def known_names(observations: Iterable[Sequence], settings: EvidenceSettings = EvidenceSettings()) -> KnownNames:
    """The target names of two words or more that strong projections (or reviewers) gave at
    least ``name_min_count`` times, with how often.

    >>> obs = [(("uk",), "LOC", ("reino",))] + [(("united", "kingdom"), "LOC", ("reino", "unido"))] * 2
    >>> known_names(obs).counts
    {('reino', 'unido'): 2}
    """
    seen = Counter(target for _, _, target, *_ in observations if len(target) >= 2)
    return KnownNames({name: n for name, n in seen.items() if n >= settings.name_min_count})


#: how many strong projections one reviewed span counts as
REVIEWED_WEIGHT = 3


def corpus_findings(
    pairs: Sequence,
    projected: Sequence,
    settings: EvidenceSettings = EvidenceSettings(),
    reviewed: Sequence[Observation] = (),
) -> Findings:
    """:class:`Findings` of a first pass (``projected``: :class:`core.projection.pipeline.ProjectedPair`
    or anything with ``matching`` and ``heuristic``), and of
    the spans reviewers kept in sentences not among ``pairs`` (``reviewed``, each counted
    :data:`REVIEWED_WEIGHT` times: they are gold)."""
    observations = strong_observations(
        [(p.source, p.target) for p in pairs],
        [r.matching for r in projected],
        [r.heuristic for r in projected],
        settings,
    )
    return findings_from(observations + list(reviewed) * REVIEWED_WEIGHT, settings)


def as_derived(
    projections: Sequence[Projection], source: Sentence, target_tokens: Sequence[str], findings: Findings
) -> tuple[Projection, ...]:
    """Projections of a cased label onto one lower-case word: the adjective made from the
    name, labelled MISC, or a stray word, dropped.

    Where the target writes a label's names capitalised, a name projected onto a single
    lower-case word has either met the adjective made from it (*Community* ->
    *comunitarias*, *Europe* -> *europea*), which CoNLL-style annotation tags MISC (schemes
    without MISC, like PAN-X, do not tag it: dropped), or a word the alignment wrongly tied
    to it (*Greece* -> *euros*): dropped. An adjective begins as the name does, in the
    source or in a translation the corpus knows for it (:func:`_stem_of`). Nothing changes
    when MISC is cased itself or no label is (a script without case).
    """
    cased = findings.cased
    if DERIVED_LABEL in cased or not cased:
        return tuple(projections)
    out = []
    for p in projections:
        span = p.span
        word = target_tokens[span.start]
        if span.label in cased and span.end - span.start == 1 and not is_capitalised(word):
            if DERIVED_LABEL not in findings.labels or not _stem_of(word, p.source_span, source, findings.table):
                continue
            p = replace(p, span=Span(span.start, span.end, DERIVED_LABEL))
        out.append(p)
    return tuple(out)


def _stem_of(word: str, entity: Span, source: Sentence, table: TranslationTable, letters: int = 3) -> bool:
    """Whether ``word`` starts as a word of the entity, or of a known translation of it, does:
    with its first ``letters`` letters, or all of a shorter one (*EU* -> *europeos*).

    >>> _stem_of("comunitarias", Span(0, 1, "ORG"), Sentence(("Community",)), {})
    True
    >>> _stem_of("euros", Span(0, 1, "LOC"), Sentence(("Greece",)), {(("greece",), "LOC"): (Translation(("grecia",), 3, 1.0),)})
    False
    """
    folded = fold(word)
    key = key_of(source.tokens[entity.start : entity.end])
    names = list(key) + [w for t in table.get((key, entity.label), ()) for w in t.target]
    return any(len(name) >= 2 and folded.startswith(name[:letters]) for name in names)


def whole_names(
    projections: Sequence[Projection],
    target_tokens: Sequence[str],
    names: KnownNames,
    candidates: Collection[tuple[int, int]] | None = None,
) -> tuple[Projection, ...]:
    """Projections that cut a known name in two, widened to hold all of it.

    Annotators never cut a name: on Europarl, no multiword name that occurs twice in the
    gold (Spanish or English) is ever split or partly tagged. A projection does cut one
    where the alignment misses a word of it (*UK* -> *Reino* in *Reino Unido*, *Cohesion
    Funds* -> *Cohesión* in *Fondo de Cohesión*). ``names`` are the target names the corpus
    knows (:func:`known_names`, with their counts); a projection overlapping a place where
    one is written, without holding all of it, is widened to hold it, unless its own text
    is a known name seen as often (*Países Bajos* stays when *los Países Bajos* is rarer)
    or the widened span would overlap another projection. With ``candidates`` (a target NER
    model's spans), only onto a candidate. Only the places near a projection are looked at,
    one lookup a word.

    >>> p = Projection(Span(1, 2, "LOC"), Span(0, 1, "LOC"), "matching")
    >>> [q.span for q in whole_names([p], ["el", "Reino", "Unido"], KnownNames({("reino", "unido"): 4}))]
    [Span(start=1, end=3, label='LOC', score=None)]
    """
    if not projections or not names.counts:
        return tuple(projections)
    folded = key_of(target_tokens)
    found: dict[int, list[tuple[int, int]]] = {}  # start -> the names written there

    def cutting(start: int, end: int) -> list[tuple[int, int, int]]:
        """The names crossing an edge of [start, end): they begin before it and end inside or
        past it, or begin inside it and end past it. At most 2 x ``longest`` places are looked at."""
        out = []
        for a in (*range(max(0, start - names.longest + 1), start), *range(max(start, end - names.longest + 1), end)):
            if a not in found:
                found[a] = names.at(folded, a)
            out += [(a, b, count) for b, count in found[a] if b > start and (a < start or b > end)]
        return out

    taken = [0] * len(folded)  # how many projections hold each word
    for p in projections:
        for i in range(p.span.start, p.span.end):
            taken[i] += 1
    out = list(projections)
    for k, p in enumerate(out):
        start, end = p.span.start, p.span.end
        own = names.counts.get(folded[start:end], 0)
        clear = True
        while clear:  # a widened span may cut the next name; stop where it meets another projection
            wider = [(a, b) for a, b, count in cutting(start, end) if count > own]
            if not wider:
                break
            new_start, new_end = min(start, *(a for a, _ in wider)), max(end, *(b for _, b in wider))
            clear = not any(taken[i] for i in (*range(new_start, start), *range(end, new_end)))
            start, end = new_start, new_end
        if not clear or (start, end) == (p.span.start, p.span.end):
            continue
        if candidates is not None and (start, end) not in candidates:
            continue
        for i in (*range(start, p.span.start), *range(p.span.end, end)):
            taken[i] += 1
        out[k] = replace(p, span=Span(start, end, p.span.label))
    return tuple(out)
