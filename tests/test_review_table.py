"""The review-session table (benchmarks/review_table.py): its core function on the demo
corpus and on small corpora written here, through the real re-projection and key model."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from conftest import DEMO
from helpers import REPO

from core.corpus.evaluate import evaluate
from core.corpus.io import read_parallel, read_pharaoh
from core.datamodel import Alignment, Sentence, SentencePair, Span
from core.projection.pipeline import ProjectionConfig, project_corpus, with_lexical_links

spec = importlib.util.spec_from_file_location("review_table", REPO / "benchmarks" / "review_table.py")
assert spec is not None and spec.loader is not None
review_table = importlib.util.module_from_spec(spec)
sys.modules["review_table"] = review_table  # dataclasses look their module up
spec.loader.exec_module(review_table)

CONFIG = ProjectionConfig(source_lang="en", target_lang="es")
METHODS = list(review_table.METHODS)


def pair(source: str, source_spans, target: str, gold) -> SentencePair:
    return SentencePair(
        Sentence(tuple(source.split()), tuple(source_spans)), Sentence(tuple(target.split()), tuple(gold))
    )


def demo():
    pairs = read_parallel(DEMO / "en.conll", DEMO / "es.conll")
    return pairs, with_lexical_links(pairs, read_pharaoh(DEMO / "en-es.pharaoh", pairs))


def test_nothing_reviewed_is_the_plain_projection():
    pairs, links = demo()
    done = review_table.session(pairs, links, CONFIG, 0)
    assert done.rest == len(pairs) and done.after == done.before
    scores = done.after
    blind = [SentencePair(p.source, Sentence(p.target.tokens)) for p in pairs]
    gold = [p.target for p in pairs]
    for column, (run, method) in review_table.METHODS.items():
        config = CONFIG if run == "evidence" else CONFIG.with_options(corpus_evidence=False)
        plain = project_corpus(blind, config, links)
        assert abs(scores[column].f1 - 100 * evaluate(gold, [r.target_with(method) for r in plain]).overall.f1) < 1e-9
        assert scores[column].keys >= 1  # at least Enter on every sentence


def test_proposals_equal_to_gold_cost_one_key_a_sentence():
    # a target that copies the source word for word, linked one to one: every method is exact
    pairs = [
        pair("Ana met Luis Gomez in Lima", [Span(0, 1, "PER"), Span(2, 4, "PER"), Span(5, 6, "LOC")],
             "Ana met Luis Gomez in Lima", [Span(0, 1, "PER"), Span(2, 4, "PER"), Span(5, 6, "LOC")]),
        pair("the United Nations met", [Span(1, 3, "ORG")], "the United Nations met", [Span(1, 3, "ORG")]),
    ] * 3  # fmt: skip
    links = [Alignment.from_pairs([(i, i) for i in range(len(p.source))]) for p in pairs]
    for share in (0, 50):
        done = review_table.session(pairs, links, CONFIG, share)
        assert done.rest == len(pairs) - round(len(pairs) * share / 100)
        for column in METHODS:
            assert done.after[column] == done.before[column] == review_table.Score(100.0, 1.0), column


def test_a_reviewed_translation_fixes_the_rest():
    # "United Kingdom" -> "Reino Unido", but the aligner links "Kingdom" nowhere: the
    # projection keeps "Reino" alone until a reviewer gives the whole name
    source, target = "I saw the United Kingdom today", "vi el Reino Unido hoy"
    pairs = [pair(source, [Span(3, 5, "LOC")], target, [Span(2, 4, "LOC")])] * 4
    links = [Alignment.from_pairs([(1, 0), (2, 1), (3, 2), (5, 4)])] * 4
    done = review_table.session(pairs, links, CONFIG, 50)
    assert done.rest == 2
    # before: the plain projection of the same two sentences, as scored alone
    assert done.before == review_table.session(pairs[2:], links[2:], CONFIG, 0).after
    for column in METHODS:
        assert done.before[column].f1 < 100 and done.before[column].keys > 1, column
        assert done.after[column] == review_table.Score(100.0, 1.0), column


def test_the_reverse_direction_swaps_gold_and_links():
    pairs, links = demo()
    back = review_table.reversed_pairs(pairs)
    assert [p.source for p in back] == [p.target for p in pairs] and [p.target for p in back] == [
        p.source for p in pairs
    ]
    flipped = review_table.reversed_links(links[0])
    assert {(j, i) for i, j in links[0]} == set(flipped)
    assert review_table.reversed_links(flipped) == links[0]
    done = review_table.session(
        back,
        [review_table.reversed_links(a) for a in links],
        CONFIG.with_options(source_lang="es", target_lang="en"),
        25,
    )
    assert done.rest == len(pairs) - round(len(pairs) / 4)
    assert all(0 <= s.f1 <= 100 and s.keys >= 1 for s in [*done.after.values(), *done.before.values()])


def test_bad_arguments_are_refused_by_the_command():
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "review_table.py"), "--shares", "100"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "every share in [0, 100)" in done.stderr and "Traceback" not in done.stderr
