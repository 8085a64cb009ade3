"""Corpus evidence (core/projection/corpus_evidence.py): the corpus-wide translation table of entity
strings, the bonus it gives matching, and the corpus's own function words."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_matching import sentence_instances

from core.corpus.io import read_conll, read_parallel, read_pharaoh, write_conll
from core.datamodel import Alignment, Projection, Sentence, SentencePair, Span
from core.projection.boundaries import EdgeRule
from core.projection.candidates import ngram_candidates
from core.projection.corpus_evidence import (
    EvidenceSettings,
    Findings,
    KnownNames,
    Translation,
    as_derived,
    build_table,
    corpus_findings,
    corpus_function_words,
    evidence_bonus,
    key_of,
    known_names,
    light_weights,
    occurrences,
    strong_observations,
    whole_names,
)
from core.projection.matching import (
    LengthCap,
    objective,
    project_matching,
    score_pairs,
    solve_greedy,
    solve_ilp,
    solve_milp,
)
from core.projection.pipeline import ProjectionConfig, project_corpus

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
UK = ("united", "kingdom")


def sentence(text: str, *spans: Span) -> Sentence:
    return Sentence(tuple(text.split()), spans)


def test_build_table_keeps_the_dominant_translation_seen_often_enough():
    obs = [(UK, "LOC", ("reino", "unido"))] * 3 + [(UK, "LOC", ("reino",))]
    table = build_table(obs, EvidenceSettings(min_count=2, min_share=0.6))
    assert [t.target for t in table[(UK, "LOC")]] == [("reino", "unido")]
    assert table[(UK, "LOC")][0].count == 3 and table[(UK, "LOC")][0].share == 0.75
    # seen once: not enough; two equal translations of 50% each: neither reaches 60%
    assert build_table([(("wales",), "LOC", ("gales",))], EvidenceSettings(min_count=2)) == {}
    split = [(("eu",), "ORG", ("ue",))] * 2 + [(("eu",), "ORG", ("union",))] * 2
    assert build_table(split, EvidenceSettings(min_count=2, min_share=0.6)) == {}
    # a lower share keeps both, most frequent first, then more words, then alphabetical
    split.append((("eu",), "ORG", ("union", "europea")))
    split.append((("eu",), "ORG", ("union", "europea")))
    both = build_table(split, EvidenceSettings(min_count=2, min_share=0.2))[(("eu",), "ORG")]
    assert [t.target for t in both] == [("union", "europea"), ("ue",), ("union",)]
    # the label is part of the key
    assert (UK, "ORG") not in table


def test_keys_and_occurrences_ignore_case_and_accents():
    assert key_of(["Unión", "EUROPEA"]) == ("union", "europea")
    assert occurrences(["el", "Reino", "Unido", "y", "reino", "unido", "."], ("reino", "unido")) == [(1, 3), (4, 6)]
    assert occurrences(["Reino"], ("reino", "unido")) == []
    assert occurrences(["a"], ()) == []


def test_strong_observations_need_a_high_score_and_optionally_the_heuristic():
    source = sentence("the United Kingdom and Wales", Span(1, 3, "LOC"), Span(4, 5, "LOC"))
    target = sentence("el Reino Unido y Gales")
    uk = Projection(Span(1, 3, "LOC"), Span(1, 3, "LOC"), "matching", score=1.0)
    wales = Projection(Span(4, 5, "LOC"), Span(4, 5, "LOC"), "matching", score=0.5)
    obs = strong_observations([(source, target)], [[uk, wales]], None, EvidenceSettings(min_score=0.75))
    assert obs == [(UK, "LOC", ("reino", "unido"), True)]
    agreed = EvidenceSettings(min_score=0.75, agree=True)
    assert strong_observations([(source, target)], [[uk, wales]], [[]], agreed) == []
    heuristic_uk = Projection(Span(1, 3, "LOC"), Span(1, 3, "LOC"), "heuristic", score=1.0)
    assert strong_observations([(source, target)], [[uk, wales]], [[heuristic_uk]], agreed) == obs


def test_evidence_bonus_names_every_place_the_translation_occurs():
    table = build_table([(UK, "LOC", ("reino", "unido"))] * 2)
    source = sentence("United Kingdom", Span(0, 2, "LOC"))
    bonus = evidence_bonus(source, "Reino Unido o reino unido".split(), table, EvidenceSettings(bonus=0.5))
    assert bonus == {(0, (0, 2)): 0.5, (0, (3, 5)): 0.5}
    other_label = sentence("United Kingdom", Span(0, 2, "ORG"))
    assert evidence_bonus(other_label, "Reino Unido".split(), table) == {}


def test_the_bonus_lets_matching_keep_the_whole_name():
    # only "Reino" is linked to the entity: matching keeps half the name ...
    entity = Span(1, 3, "LOC")
    target = "el Reino Unido vota".split()
    alignment = Alignment.from_pairs([(0, 0), (1, 1), (3, 3)])
    candidates = ngram_candidates(target)
    plain = project_matching([entity], candidates, alignment, len(target))
    assert [(p.span.start, p.span.end) for p in plain] == [(1, 2)]
    # ... and the corpus's known translation brings "Unido" back
    bonused = project_matching([entity], candidates, alignment, len(target), bonus={(0, (1, 3)): 0.5})
    assert [(p.span.start, p.span.end) for p in bonused] == [(1, 3)]


def test_light_function_words_let_a_long_name_win():
    # "competition policy" -> "política de la competencia": "de la" carry no links
    entity = Span(0, 2, "MISC")
    target = "la política de la competencia".split()
    alignment = Alignment.from_pairs([(0, 4), (1, 1)], {(0, 4): 0.8})
    candidates = ngram_candidates(target)
    plain = project_matching([entity], candidates, alignment, len(target))
    assert [(p.span.start, p.span.end) for p in plain] == [(1, 2)]
    light = light_weights(target, frozenset({"de", "la"}), 0.5)
    assert light == [0.5, 0.0, 0.5, 0.5, 0.0]
    lighter = project_matching([entity], candidates, alignment, len(target), light=light)
    assert [(p.span.start, p.span.end) for p in lighter] == [(1, 5)]


def test_corpus_function_words_are_frequent_short_lower_case_words():
    targets = [
        ["la", "Comisión", "de", "la", "Unión"],
        ["de", "Madrid", "y", "Europa"],
        ["trabajaremos", "trabajaremos", "trabajaremos"],
    ]
    assert corpus_function_words(targets, top=3) == frozenset({"la", "de"})  # "trabajaremos" is too long
    assert corpus_function_words([], top=3) == frozenset()


def uk_corpus() -> tuple[list[SentencePair], list[Alignment]]:
    """Three sentences where "United Kingdom" is fully linked, one where only "Reino" is."""
    pairs, alignments = [], []
    for k in range(3):
        pairs.append(
            SentencePair(
                sentence(f"the United Kingdom said {k}", Span(1, 3, "LOC")), sentence(f"el Reino Unido dijo {k}")
            )
        )
        alignments.append(Alignment.from_pairs([(0, 0), (1, 2), (2, 1), (3, 3), (4, 4)]))
    pairs.append(SentencePair(sentence("the United Kingdom votes", Span(1, 3, "LOC")), sentence("el Reino Unido vota")))
    alignments.append(Alignment.from_pairs([(0, 0), (1, 1), (3, 3)]))
    return pairs, alignments


def test_project_corpus_uses_the_corpus_evidence_by_default_and_not_when_off():
    pairs, alignments = uk_corpus()
    on = project_corpus(pairs, ProjectionConfig(target_lang="es"), alignments, methods=("matching",))
    off = project_corpus(
        pairs, ProjectionConfig(target_lang="es", corpus_evidence=False), alignments, methods=("matching",)
    )
    assert [(p.span.start, p.span.end) for p in off[3].matching] == [(1, 2)]
    assert [(p.span.start, p.span.end) for p in on[3].matching] == [(1, 3)]
    for k in range(3):  # the strong sentences are unchanged
        assert [p.span for p in on[k].matching] == [p.span for p in off[k].matching]
    table = corpus_findings(pairs, off).table
    assert evidence_bonus(pairs[3].source, pairs[3].target.tokens, table) == {(0, (1, 3)): 0.5}


def conll_blocks(path: Path) -> list[str]:
    return [b for b in path.read_text(encoding="utf-8").strip().split("\n\n") if b.strip()]


def test_demo_end_to_end_corpus_evidence_restores_a_name_half_aligned(tmp_path):
    # The German demo plus sentence 7 again ("European Commission" -> "Europäische
    # Kommission"), its second copy without the links of "Commission": with the corpus
    # evidence on, the command line projects the whole name there (as the German gold
    # has it); off, only "Europäische".
    en, de = conll_blocks(DEMO / "en.conll"), conll_blocks(DEMO / "de.conll")
    links = (DEMO / "en-de.pharaoh").read_text(encoding="utf-8").splitlines()
    source = en[6].splitlines()
    commission = next(k for k, line in enumerate(source) if line.split()[0] == "Commission")
    weak = " ".join(link for link in links[6].split() if int(link.split("-")[0]) != commission)
    (tmp_path / "en.conll").write_text("\n\n".join(en + [en[6]]) + "\n", encoding="utf-8")
    (tmp_path / "de.conll").write_text("\n\n".join(de + [de[6]]) + "\n", encoding="utf-8")
    (tmp_path / "links.pharaoh").write_text("\n".join(links + [weak]) + "\n", encoding="utf-8")
    spans = {}
    for mode in ("on", "off"):
        out = tmp_path / f"{mode}.conll"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "core",
                "project",
                "--source",
                str(tmp_path / "en.conll"),
                "--target",
                str(tmp_path / "de.conll"),
                "--target-lang",
                "de",
                "--alignments",
                str(tmp_path / "links.pharaoh"),
                "--corpus-evidence",
                mode,
                "--out",
                str(out),
                "--quiet",
            ],
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        )
        last = read_conll(out)[-1]
        spans[mode] = [last.text(s) for s in last.spans]
    gold = read_conll(DEMO / "de.conll")[6]
    assert spans["on"] == [gold.text(s) for s in gold.spans] == ["Europäische Kommission"]
    assert spans["off"] == ["Europäische"]


# the hooks in the bounded matching (core/projection/matching.py) --------------------


def test_a_bonus_span_is_scored_when_dominated_unlinked_or_longer_than_the_cap():
    target = "el Reino Unido vota".split()
    candidates = ngram_candidates(target)
    entity = Span(1, 3, "LOC")
    alignment = Alignment.from_pairs([(1, 1)])  # only "Reino" is linked
    plain = score_pairs([entity], candidates, alignment, 4, undominated=True)
    assert (1, 3) not in {candidates[p.candidate] for p in plain}  # "Reino" beats it
    # dominated: kept with its score (2 * 1 / (2 + 2)) plus the bonus
    kept = score_pairs([entity], candidates, alignment, 4, undominated=True, bonus={(0, (1, 3)): 0.5})
    assert {candidates[p.candidate]: p.score for p in kept}[(1, 3)] == pytest.approx(1.0)
    assert [p.candidate for p in kept] == sorted(p.candidate for p in kept)  # still in candidate order
    # longer than the cap (1 word here): still scored
    capped = score_pairs([entity], candidates, alignment, 4, length_cap=LengthCap(0, 1), bonus={(0, (1, 3)): 0.5})
    assert {candidates[p.candidate] for p in capped} == {(1, 2), (1, 3)}
    # no linked word at all: the bonus alone
    unlinked = score_pairs([entity], candidates, Alignment.from_pairs([]), 4, bonus={(0, (2, 4)): 0.5})
    assert [(candidates[p.candidate], p.score) for p in unlinked] == [((2, 4), 0.5)]
    # an existing pair gets the bonus added, once
    both = score_pairs([entity], candidates, alignment, 4, bonus={(0, (1, 2)): 0.25})
    assert {candidates[p.candidate]: p.score for p in both}[(1, 2)] == pytest.approx(2 / 3 + 0.25)
    assert len(both) == len(score_pairs([entity], candidates, alignment, 4))


def test_a_bonus_span_still_obeys_the_edge_rule_the_threshold_and_the_candidates():
    source, target = "the United Kingdom".split(), "el Reino Unido ? vota".split()
    entity = Span(1, 3, "LOC")
    alignment = Alignment.from_pairs([(1, 1)])
    candidates = ngram_candidates(target)
    edges = EdgeRule(frozenset({"the"}), frozenset({"el"})).for_pair(source, target)
    bonus = {(0, (0, 3)): 0.5, (0, (1, 3)): 0.5, (0, (2, 5)): 0.5, (0, (4, 5)): 0.5, (5, (1, 3)): 0.5}
    got = {candidates[p.candidate] for p in score_pairs([entity], candidates, alignment, 5, allowed=edges, bonus=bonus)}
    # "el Reino Unido" starts on a function word; "Unido ? vota" holds a break, so it is no
    # n-gram; entity 5 does not exist; "vota", unlinked, gets the bonus alone
    assert got == {(1, 2), (1, 3), (4, 5)}
    assert (0, 3) in {candidates[p.candidate] for p in score_pairs([entity], candidates, alignment, 5, bonus=bonus)}
    # below the threshold: dropped, bonus or not
    low = score_pairs([entity], candidates, alignment, 5, min_score=0.6, bonus={(0, (4, 5)): 0.5})
    assert (4, 5) not in {candidates[p.candidate] for p in low}
    # NER candidates: a translation that is not one of them gets nothing
    ner = [(1, 2), (4, 5)]
    assert [ner[p.candidate] for p in score_pairs([entity], ner, alignment, 5, bonus={(0, (1, 3)): 0.5})] == [(1, 2)]


def test_light_discounts_must_leave_every_word_some_weight():
    target = "la política de la competencia".split()
    candidates = ngram_candidates(target)
    alignment = Alignment.from_pairs([(0, 4), (1, 1)])
    for light in ([0.3, 0.0, 1.0, 0.3, 0.0], [0.3] * 4, [-0.1] * 5):
        with pytest.raises(ValueError):
            score_pairs([Span(0, 2, "MISC")], candidates, alignment, 5, light=light)


def weighted_reference(entities, candidates, alignment, n_target, min_score, allowed, cap, light):
    """score_pairs with ``light`` by its definition: every candidate within the cap, the
    length a sum of word weights (1 for a word linked to the entity, 1 - discount otherwise)."""
    pairs = []
    for e, entity in enumerate(entities):
        linked = {j for i, j in alignment.links if entity.covers(i)}
        for c, (start, end) in enumerate(candidates):
            if cap is not None and end - start > cap(len(entity)):
                continue
            n = sum(alignment.weight((i, j)) for i, j in alignment.links if entity.covers(i) and start <= j < end)
            length = sum(1.0 if j in linked else 1.0 - light[j] for j in range(start, end))
            score = 2 * n / (len(entity) + length)
            if n > 0 and score > min_score + 1e-9 and (allowed is None or allowed(entity, (start, end))):
                pairs.append((e, c, score))
    return pairs


@settings(max_examples=150, deadline=None)
@given(sentence_instances(), st.lists(st.sampled_from([0.0, 0.3, 0.5, 0.9]), min_size=9, max_size=9), st.integers(1, 2))
def test_light_lengths_keep_the_dominance_filter_exact(case, discounts, n_proj):
    """With every word weighing more than 0, dropping an unlinked edge word still raises the
    score: the undominated pairs give greedy the same choice and the ILP the same optimum,
    and the scores are those of the definition."""
    source, target, entities, alignment, cap, min_score = case
    light = discounts[: len(target)]
    edges = EdgeRule(frozenset({"the", "of"}), frozenset({"de", "la", "el"})).for_pair(source, target)
    candidates = ngram_candidates(target)
    for allowed in (edges, None):
        every = score_pairs(entities, candidates, alignment, len(target), min_score, allowed, cap, light=light)
        expected = weighted_reference(
            entities, list(candidates), alignment, len(target), min_score, allowed, cap, light
        )
        scores = {(p.entity, p.candidate): p.score for p in every}
        assert all(scores.get((e, c)) == pytest.approx(s, abs=1e-9) for e, c, s in expected)
        kept = score_pairs(
            entities, candidates, alignment, len(target), min_score, allowed, cap, undominated=True, light=light
        )
        assert set(kept) <= set(every)
        assert solve_greedy(kept, candidates, n_proj) == solve_greedy(every, candidates, n_proj)
        best = objective(solve_milp(every, candidates, n_proj))
        assert objective(solve_ilp(kept, candidates, n_proj)) == pytest.approx(best, abs=1e-9)


def test_the_second_pass_gives_the_reviewer_the_known_translation_and_keeps_notes():
    pairs, alignments = uk_corpus()
    on = project_corpus(pairs, ProjectionConfig(target_lang="es"), alignments)
    off = project_corpus(pairs, ProjectionConfig(target_lang="es", corpus_evidence=False), alignments)
    assert (1, 3) in [(s, u) for s, u, _ in on[3].candidates[0]]
    assert on[3].candidates[0][0][:2] == (1, 3)  # best first
    assert [p.span for p in on[3].heuristic] == [p.span for p in off[3].heuristic]
    # past the scoring budget the heuristic's spans stand in, with the note, in both passes
    tight = project_corpus(pairs, ProjectionConfig(target_lang="es", max_pairs=2), alignments)
    assert all("matching skipped" in r.notes[0] for r in tight)
    assert [[p.span for p in r.matching] for r in tight] == [[p.span for p in r.heuristic] for r in tight]


def test_heuristic_spans_standing_in_for_matching_are_no_evidence():
    source = sentence("the United Kingdom", Span(1, 3, "LOC"))
    target = sentence("el Reino Unido")
    stand_in = Projection(Span(1, 2, "LOC"), Span(1, 3, "LOC"), "heuristic", score=1.0)
    assert strong_observations([(source, target)], [[stand_in]], None) == []


def test_doctests():
    import doctest

    import core.projection.corpus_evidence

    result = doctest.testmod(core.projection.corpus_evidence)
    assert result.attempted > 0 and result.failed == 0


# names met as adjectives -------------------------------------------------------------------


def projection(start: int, end: int, label: str, entity: int = 0) -> Projection:
    return Projection(Span(start, end, label), Span(entity, entity + 1, label), "matching", score=1.0)


SOURCE = Sentence(("Europe", "Greece", "Britain", "States", "Germany"))


def test_a_cased_label_on_one_lower_case_word_is_the_adjective_and_becomes_misc():
    tokens = "la política europea del Reino Unido y los estados miembros".split()
    findings = Findings({}, cased=frozenset({"LOC", "ORG"}), labels=frozenset({"LOC", "ORG", "MISC"}))
    projected = [
        projection(2, 3, "LOC"),  # Europe -> europea
        projection(4, 6, "LOC", 2),  # a capitalised name
        projection(8, 10, "ORG", 3),  # a lower-case phrase of two words
        projection(2, 3, "MISC"),  # MISC already
    ]
    labels = [(p.span.start, p.span.end, p.span.label) for p in as_derived(projected, SOURCE, tokens, findings)]
    assert labels == [(2, 3, "MISC"), (4, 6, "LOC"), (8, 10, "ORG"), (2, 3, "MISC")]


def test_a_stray_lower_case_word_is_dropped_unless_it_begins_as_a_known_translation():
    tokens = "los euros de los alemanes".split()
    findings = Findings({}, cased=frozenset({"LOC"}), labels=frozenset({"LOC", "MISC"}))
    # Greece -> euros: the alignment's mistake, not an adjective of Greece
    assert as_derived([projection(1, 2, "LOC", 1)], SOURCE, tokens, findings) == ()
    # Germany -> alemanes: nothing like the English name ...
    assert as_derived([projection(4, 5, "LOC", 4)], SOURCE, tokens, findings) == ()
    # ... but it begins as the corpus's translation of Germany (Alemania) does
    table = {(("germany",), "LOC"): (Translation(("alemania",), 3, 1.0),)}
    known = Findings(table, findings.cased, findings.labels)
    assert [p.span.label for p in as_derived([projection(4, 5, "LOC", 4)], SOURCE, tokens, known)] == ["MISC"]


def test_without_misc_the_adjective_is_dropped_and_a_caseless_script_is_left_alone():
    tokens = "la política europea".split()
    no_misc = Findings({}, cased=frozenset({"LOC"}), labels=frozenset({"LOC", "ORG"}))
    assert as_derived([projection(2, 3, "LOC")], SOURCE, tokens, no_misc) == ()
    caseless = Findings({}, cased=frozenset(), labels=frozenset({"LOC", "MISC"}))
    assert as_derived([projection(2, 3, "LOC")], SOURCE, tokens, caseless) == (projection(2, 3, "LOC"),)
    misc_cased = Findings({}, cased=frozenset({"LOC", "MISC"}), labels=frozenset({"LOC", "MISC"}))
    assert as_derived([projection(2, 3, "LOC")], SOURCE, tokens, misc_cased) == (projection(2, 3, "LOC"),)


def write_corpus(folder: Path, sources: list[Sentence], targets: list[tuple[str, ...]], links: list[str]) -> None:
    """en.conll, es.txt and links.pharaoh in ``folder``, as the `project` command reads them."""
    write_conll(folder / "en.conll", sources)
    (folder / "es.txt").write_text("".join(" ".join(t) + "\n" for t in targets), encoding="utf-8")
    (folder / "links.pharaoh").write_text("".join(line + "\n" for line in links), encoding="utf-8")


def read_corpus(folder: Path) -> tuple[list[SentencePair], list[Alignment]]:
    """What :func:`write_corpus` wrote: the pairs and their links."""
    pairs = read_parallel(folder / "en.conll", folder / "es.txt")
    return pairs, read_pharaoh(folder / "links.pharaoh", pairs)


def adjective_corpus(folder: Path) -> None:
    """25 cities projected onto capitalised names, one French (MISC) and one Europe that
    the Spanish says as the adjective *europea*; links as an aligner would give them."""
    cities = [("Paris", "París"), ("London", "Londres"), ("Rome", "Roma"), ("Lisbon", "Lisboa"), ("Athens", "Atenas")]
    sources, targets, links = [], [], []
    for k in range(25):
        en, es = cities[k % len(cities)]
        sources.append(Sentence(("We", "met", "in", en, "."), (Span(3, 4, "LOC"),)))
        targets.append(("Nos", "vimos", "en", es, "."))
        links.append("0-0 1-1 2-2 3-3 4-4")
    sources.append(Sentence(("He", "speaks", "French", "."), (Span(2, 3, "MISC"),)))
    targets.append(("Habla", "francés", "."))
    links.append("1-0 2-1 3-2")
    sources.append(Sentence(("Europe", "needs", "a", "policy", "."), (Span(0, 1, "LOC"),)))
    targets.append(("Una", "política", "europea", "es", "necesaria", "."))
    links.append("0-2 1-4 2-0 3-1 4-5")
    write_corpus(folder, sources, targets, links)


def test_corpus_evidence_labels_the_adjective_misc_and_the_chunked_run_writes_the_same(tmp_path):
    from test_chunked import project_args, today

    from core.cli import main

    adjective_corpus(tmp_path)
    pairs, links = read_corpus(tmp_path)
    for evidence, label in ((False, "LOC"), (True, "MISC")):
        config = ProjectionConfig(target_lang="es", corpus_evidence=evidence)
        europe = project_corpus(pairs, config, links)[-1]
        assert [(p.span.start, p.span.end, p.span.label) for p in europe.matching] == [(2, 3, label)]
    today(tmp_path, "matching", tmp_path / "expected.conll")
    out = tmp_path / "out.conll"
    assert main(project_args(tmp_path, out, "--chunk-size", "10", "--workers", "2")) == 0
    assert out.read_bytes() == (tmp_path / "expected.conll").read_bytes()
    assert "B-MISC" in out.read_text(encoding="utf-8").split("\n\n")[-2]


def test_a_reviewed_span_is_evidence_for_the_rest_of_the_corpus():
    """*America* is linked to *Unidos* alone; one reviewed sentence that says *Estados
    Unidos* makes that the known translation, and matching takes the whole name."""
    from core.projection.corpus_evidence import observe

    source = Sentence(("America", "votes", "."), (Span(0, 1, "LOC"),))
    target = ("Estados", "Unidos", "vota", ".")
    pairs = [SentencePair(source, Sentence(target))]
    links = [Alignment.from_pairs([(0, 1), (1, 2), (2, 3)])]
    config = ProjectionConfig(target_lang="es")
    plain = project_corpus(pairs, config, links)[0]
    assert [(p.span.start, p.span.end) for p in plain.matching] == [(1, 2)]
    seen = observe(("in", "America"), Span(1, 2, "LOC"), ("en", "Estados", "Unidos"), Span(1, 3, "LOC"))
    reviewed = project_corpus(pairs, config, links, reviewed=[seen])[0]
    assert [(p.span.start, p.span.end) for p in reviewed.matching] == [(0, 2)]


# names cut in two --------------------------------------------------------------------------


def spans_of(projections) -> list[tuple[int, int, str]]:
    return [(p.span.start, p.span.end, p.span.label) for p in projections]


def test_known_names_are_target_names_of_several_words_counted_over_the_corpus():
    obs = [(("uk",), "LOC", ("reino",), True)] * 5 + [(UK, "LOC", ("reino", "unido"), True)] * 2
    obs += [(("cohesion", "funds"), "MISC", ("fondo", "de", "cohesion"), True)]
    assert known_names(obs).counts == {("reino", "unido"): 2, ("fondo", "de", "cohesion"): 1}
    assert known_names(obs, EvidenceSettings(name_min_count=2)).counts == {("reino", "unido"): 2}
    assert known_names(obs).at(("el", "reino", "unido"), 1) == [(3, 2)]
    assert known_names(obs).longest == 3


def test_a_projection_that_cuts_a_known_name_is_widened_to_all_of_it():
    names = KnownNames({("reino", "unido"): 3, ("union", "europea"): 5, ("fondos", "estructurales"): 2})
    tokens = "el Reino Unido y la política de la Unión Europea para los Fondos Estructurales".split()
    projected = [
        projection(1, 2, "LOC"),  # UK -> Reino: the name's start
        projection(4, 9, "MISC", 1),  # ends inside Unión Europea
        projection(13, 14, "MISC", 2),  # the name's end; case and accents do not matter
    ]
    assert spans_of(whole_names(projected, tokens, names)) == [(1, 3, "LOC"), (4, 10, "MISC"), (12, 14, "MISC")]
    # a span holding the whole name already, or no name in sight, is left as it is
    assert spans_of(whole_names([projection(0, 3, "LOC")], tokens, names)) == [(0, 3, "LOC")]
    assert spans_of(whole_names([projection(5, 6, "MISC")], tokens, names)) == [(5, 6, "MISC")]
    assert whole_names([], tokens, names) == ()


def test_with_a_target_ner_model_a_name_is_widened_only_onto_one_of_its_spans():
    names = KnownNames({("reino", "unido"): 3})
    tokens = "el Reino Unido vota".split()
    reino = [projection(1, 2, "LOC")]
    assert spans_of(whole_names(reino, tokens, names, candidates={(1, 2)})) == [(1, 2, "LOC")]
    assert spans_of(whole_names(reino, tokens, names, candidates={(1, 2), (1, 3)})) == [(1, 3, "LOC")]


def test_widening_repeats_while_the_wider_span_cuts_another_name():
    names = KnownNames({("comision", "de", "asuntos"): 1, ("asuntos", "economicos"): 1})
    tokens = "la Comisión de Asuntos Económicos".split()
    assert spans_of(whole_names([projection(1, 2, "ORG")], tokens, names)) == [(1, 5, "ORG")]


def test_a_name_is_not_widened_over_another_projection_or_past_a_name_seen_as_often():
    names = KnownNames({("union", "europea"): 5, ("los", "paises", "bajos"): 1, ("paises", "bajos"): 4})
    tokens = "la Unión Europea y los Países Bajos".split()
    # Unión and Europea are two projections: widening either would overlap the other
    both = [projection(1, 2, "ORG"), projection(2, 3, "MISC", 1)]
    assert spans_of(whole_names(both, tokens, names)) == [(1, 2, "ORG"), (2, 3, "MISC")]
    # Países Bajos is a name seen more often than los Países Bajos: it stays
    assert spans_of(whole_names([projection(5, 7, "LOC")], tokens, names)) == [(5, 7, "LOC")]
    # a part no one saw as a name is widened
    assert spans_of(whole_names([projection(6, 7, "LOC")], tokens, names)) == [(4, 7, "LOC")]
    # a chain of names that runs into another projection is given up whole, not halfway
    chain = KnownNames({("comision", "de", "asuntos"): 1, ("asuntos", "economicos"): 1})
    tokens = "la Comisión de Asuntos Económicos".split()
    blocked = [projection(1, 2, "ORG"), projection(4, 5, "MISC", 1)]
    assert spans_of(whole_names(blocked, tokens, chain)) == [(1, 2, "ORG"), (4, 5, "MISC")]


def abbreviation_corpus(folder: Path) -> None:
    """Twelve sentences where *United Kingdom* is linked to *Reino Unido* word for word, and
    one where the aligner links *UK* to *Reino* alone."""
    sources, targets, links = [], [], []
    for k in range(12):
        sources.append(Sentence(("the", "United", "Kingdom", "votes", str(k)), (Span(1, 3, "LOC"),)))
        targets.append(("el", "Reino", "Unido", "vota", str(k)))
        links.append("0-0 1-2 2-1 3-3 4-4")
    sources.append(Sentence(("The", "UK", "agrees", "."), (Span(1, 2, "LOC"),)))
    targets.append(("El", "Reino", "Unido", "está", "de", "acuerdo", "."))
    links.append("0-0 1-1 2-3 2-5 3-6")
    write_corpus(folder, sources, targets, links)


def test_an_abbreviation_takes_the_whole_name_the_corpus_knows_also_when_chunked_and_resumed(tmp_path):
    from test_chunked import project_args, run_cli, today

    abbreviation_corpus(tmp_path)
    pairs, links = read_corpus(tmp_path)
    for evidence, span in ((False, (1, 2)), (True, (1, 3))):
        uk = project_corpus(pairs, ProjectionConfig(target_lang="es", corpus_evidence=evidence), links)[-1]
        assert [(p.span.start, p.span.end) for p in uk.matching] == [span]
    today(tmp_path, "matching", tmp_path / "expected.conll")
    out = tmp_path / "out.conll"
    argv = [a for a in project_args(tmp_path, out, "--chunk-size", "5", "--workers", "2") if a != "--quiet"]
    killed = run_cli(argv, {"LABELBRIDGE_STOP_AFTER_CHUNKS": "1"})
    assert killed.returncode == -9 and not out.exists()
    finished = run_cli(argv + ["--resume"])  # the known names come back from the work folder
    assert finished.returncode == 0, finished.stderr
    summary = "corpus evidence: 2 known translations, 1 known name; labels written capitalised: none found"
    assert summary in killed.stderr and summary in finished.stderr
    assert out.read_bytes() == (tmp_path / "expected.conll").read_bytes()
    last = out.read_text(encoding="utf-8").strip().split("\n\n")[-1].splitlines()
    assert last[1:3] == ["Reino\tB-LOC", "Unido\tI-LOC"]
