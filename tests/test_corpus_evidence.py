"""Corpus evidence (core/projection/corpus_evidence.py): the corpus-wide translation table of entity
strings, the bonus it gives matching, and the corpus's own function words."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from core.projection.corpus_evidence import (
    EvidenceSettings,
    build_table,
    corpus_bonuses,
    corpus_function_words,
    evidence_bonus,
    key_of,
    light_weights,
    occurrences,
    strong_observations,
)
from core.corpus.io import read_conll, read_parallel, read_pharaoh
from core.datamodel import Alignment, Projection, Sentence, SentencePair, Span
from core.projection.matching import project_matching
from core.projection.candidates import ngram_candidates
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
    assert obs == [(UK, "LOC", ("reino", "unido"))]
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
    targets = [["la", "Comisión", "de", "la", "Unión"], ["de", "Madrid", "y", "Europa"], ["trabajaremos", "trabajaremos", "trabajaremos"]]
    assert corpus_function_words(targets, top=3) == frozenset({"la", "de"})  # "trabajaremos" is too long
    assert corpus_function_words([], top=3) == frozenset()


def uk_corpus() -> tuple[list[SentencePair], list[Alignment]]:
    """Three sentences where "United Kingdom" is fully linked, one where only "Reino" is."""
    pairs, alignments = [], []
    for k in range(3):
        pairs.append(SentencePair(sentence(f"the United Kingdom said {k}", Span(1, 3, "LOC")), sentence(f"el Reino Unido dijo {k}")))
        alignments.append(Alignment.from_pairs([(0, 0), (1, 2), (2, 1), (3, 3), (4, 4)]))
    pairs.append(SentencePair(sentence("the United Kingdom votes", Span(1, 3, "LOC")), sentence("el Reino Unido vota")))
    alignments.append(Alignment.from_pairs([(0, 0), (1, 1), (3, 3)]))
    return pairs, alignments


def test_project_corpus_uses_the_corpus_evidence_by_default_and_not_when_off():
    pairs, alignments = uk_corpus()
    on = project_corpus(pairs, ProjectionConfig(target_lang="es"), alignments, methods=("matching",))
    off = project_corpus(pairs, ProjectionConfig(target_lang="es", corpus_evidence=False), alignments, methods=("matching",))
    assert [(p.span.start, p.span.end) for p in off[3].matching] == [(1, 2)]
    assert [(p.span.start, p.span.end) for p in on[3].matching] == [(1, 3)]
    for k in range(3):  # the strong sentences are unchanged
        assert [p.span for p in on[k].matching] == [p.span for p in off[k].matching]
    bonuses = corpus_bonuses(pairs, off)
    assert bonuses[3] == {(0, (1, 3)): 0.5}


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
    weak = " ".join(l for l in links[6].split() if int(l.split("-")[0]) != commission)
    (tmp_path / "en.conll").write_text("\n\n".join(en + [en[6]]) + "\n", encoding="utf-8")
    (tmp_path / "de.conll").write_text("\n\n".join(de + [de[6]]) + "\n", encoding="utf-8")
    (tmp_path / "links.pharaoh").write_text("\n".join(links + [weak]) + "\n", encoding="utf-8")
    spans = {}
    for mode in ("on", "off"):
        out = tmp_path / f"{mode}.conll"
        subprocess.run(
            [sys.executable, "-m", "core", "project", "--source", str(tmp_path / "en.conll"), "--target", str(tmp_path / "de.conll"),
             "--target-lang", "de", "--alignments", str(tmp_path / "links.pharaoh"), "--corpus-evidence", mode, "--out", str(out), "--quiet"],
            cwd=REPO, check=True, capture_output=True, text=True, timeout=600,
        )
        last = read_conll(out)[-1]
        spans[mode] = [last.text(s) for s in last.spans]
    gold = read_conll(DEMO / "de.conll")[6]
    assert spans["on"] == [gold.text(s) for s in gold.spans] == ["Europäische Kommission"]
    assert spans["off"] == ["Europäische"]
