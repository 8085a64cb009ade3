"""Lexical anchors, the function-word edge rule, eflomal's soft voting, error categories."""
from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import DEMO

from core.alignment.eflomal_aligner import EflomalAligner
from core.alignment.lexical import add_lexical_links, fold, lexical_links
from core.corpus.diagnosis import classify_sentence, summarize
from core.corpus.io import read_conll
from core.datamodel import Alignment, Span
from core.projection.boundaries import EdgeRule
from core.projection.pipeline import strong_links
from core.projection.stopwords import stop_words


def test_fold_removes_case_and_accents():
    assert fold("Países") == "paises"
    assert fold("ÉVORA") == "evora"


def test_lexical_links_join_names_and_numbers_as_mutual_best_matches():
    source = "I met Alexander Nikitin in Lisbon in 1999 .".split()
    target = "Conocí a Alexander Nikitin en Lisboa en 1999 .".split()
    # Lisbon/Lisboa: 5 of 6 letters in common, ratio 10/12 = 0.83 >= 0.8
    assert lexical_links(source, target) == {(2, 2), (3, 3), (5, 5), (7, 7)}
    # lower-case words are not names: "in"/"en" are never linked
    assert not any(source[i] == "in" for i, _ in lexical_links(source, target))


def test_lexical_links_need_exact_match_for_short_words():
    assert lexical_links(["EU"], ["UE"]) == set()
    assert lexical_links(["UN"], ["UN"]) == {(0, 0)}


def test_lexical_anchor_replaces_conflicting_statistical_links():
    source, target = ["Nikitin", "said"], ["dijo", "Nikitin"]
    statistical = Alignment.from_pairs([(0, 0), (1, 1)], {(0, 0): 0.3, (1, 1): 0.3})
    combined = add_lexical_links(statistical, source, target)
    assert combined.links == {(0, 1)}
    assert combined.weight((0, 1)) == 1.0


@pytest.mark.parametrize(
    "source, entity, target, candidate, allowed",
    [
        ("the Member States agreed".split(), Span(1, 3, "ORG"), "los Estados miembros acordaron".split(), (0, 3), False),
        ("the Member States agreed".split(), Span(1, 3, "ORG"), "los Estados miembros acordaron".split(), (1, 3), True),
        # the entity starts with a function word too: the candidate may
        ("The Hague".split(), Span(0, 2, "LOC"), "la Haya".split(), (0, 2), True),
        # the same word on both sides ("de Palacio") is not a function word to strip
        ("Mrs de Palacio".split(), Span(1, 3, "PER"), "señora de Palacio".split(), (1, 3), True),
        # a capitalised function word is part of a name
        ("in The Hague".split(), Span(1, 3, "LOC"), "en La Haya".split(), (1, 3), True),
        # punctuation at an edge
        ("Industry Committee ,".split(), Span(0, 2, "ORG"), "Comisión de Industria ,".split(), (0, 4), False),
    ],
)
def test_edge_rule(source, entity, target, candidate, allowed):
    rule = EdgeRule(stop_words("en"), stop_words("es"))
    assert rule.allows(source, target, entity, candidate) is allowed


def test_stop_words_come_from_spacy_lists_without_importing_spacy():
    code = "import sys; from core.projection.stopwords import stop_words; w = stop_words('es'); print(len(w), 'los' in w, 'spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert int(out[0]) > 300 and out[1:] == ["True", "False"]
    assert stop_words("xx-unknown") == frozenset() and stop_words(None) == frozenset()


def test_strong_links_keep_weight_threshold():
    alignment = Alignment.from_pairs([(0, 0), (1, 1), (2, 2)], {(1, 1): 0.5, (2, 2): 0.2})
    assert strong_links(alignment, 0.5).links == {(0, 0), (1, 1)}


@pytest.fixture(scope="module")
def demo_tokens():
    """The demo corpus, English and Spanish, as token lists."""
    english = read_conll(DEMO / "en.conll")
    spanish = read_conll(DEMO / "es.conll")
    return [s.tokens for s in english], [s.tokens for s in spanish]


def test_eflomal_soft_voting_weights_are_shares_of_directional_runs(demo_tokens):
    sources, targets = demo_tokens
    alignments = EflomalAligner(n_runs=2, min_share=0.25).align_corpus(sources, targets)
    assert len(alignments) == len(sources)
    weights = [w for a in alignments for w in a.weight_map().values()]
    assert weights and set(weights) <= {0.25, 0.5, 0.75, 1.0}
    for alignment, s, t in zip(alignments, sources, targets):
        assert all(i < len(s) and j < len(t) for i, j in alignment.links)


def test_eflomal_links_parliament_to_parlamento_in_most_pairs(europarl):
    """eflomal has no seed, so no single link is certain; over the 150 first Europarl pairs
    with one "Parliament" and one "Parlamento", most runs link the two in most pairs."""
    english = [s.tokens for s in read_conll(europarl / "en.conll")[:150]]
    spanish = [s.tokens for s in read_conll(europarl / "es.conll")[:150]]
    alignments = EflomalAligner(n_runs=2).align_corpus(english, spanish)
    found = []
    for alignment, s, t in zip(alignments, english, spanish):
        if s.count("Parliament") == 1 and t.count("Parlamento") == 1:
            found.append(alignment.weight((s.index("Parliament"), t.index("Parlamento"))) >= 0.5)
    assert len(found) >= 10
    assert sum(found) >= 0.8 * len(found), found


def test_eflomal_majority_vote_of_a_symmetrisation(demo_tokens):
    sources, targets = demo_tokens
    alignments = EflomalAligner(n_runs=3, symmetrization="intersection").align_corpus(sources, targets)
    weights = {w for a in alignments for w in a.weight_map().values()}
    assert weights <= {2 / 3, 1.0}


def test_eflomal_rejects_empty_sentences_and_bad_options():
    with pytest.raises(ValueError, match="pair 2 has an empty side"):
        EflomalAligner(n_runs=1).align_corpus([["a"], []], [["b"], ["c"]])
    with pytest.raises(ValueError, match="unknown symmetrization"):
        EflomalAligner(symmetrization="diagonal")


def test_error_categories():
    gold = [Span(0, 2, "LOC"), Span(3, 4, "PER"), Span(5, 6, "ORG"), Span(7, 8, "MISC")]
    predicted = [Span(1, 2, "LOC"), Span(3, 4, "ORG"), Span(9, 10, "PER"), Span(7, 8, "MISC")]
    errors = classify_sentence(0, gold, predicted)
    assert sorted(e.category for e in errors) == ["boundary", "label", "missed", "spurious"]
    assert summarize(errors)["LOC"]["boundary"] == 1
    assert summarize(errors)["ORG"]["missed"] == 1
