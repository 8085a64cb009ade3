"""Bounded work per sentence in projection: long sentences, budgets with their fallbacks,
the token cap per sentence, and the doctests of the projection modules."""

from __future__ import annotations

import doctest
import logging

import pytest

import core.projection.boundaries
import core.projection.candidates
import core.projection.heuristic
import core.projection.matching
from core.cli import main
from core.corpus.io import read_parallel, write_conll, write_pharaoh
from core.datamodel import Alignment, Sentence, SentencePair, Span
from core.errors import LabelBridgeError
from core.projection.pipeline import (
    ProjectionConfig,
    SentenceTooLongError,
    align,
    project_corpus,
    project_pair,
)


def oracle_sentence(europarl, min_tokens: int) -> tuple[SentencePair, Alignment, list[Span]]:
    """Europarl pairs whose source and target entity labels line up in order, joined into one
    pair of at least ``min_tokens`` target tokens, with an oracle alignment: every word of the
    k-th source entity linked to every word of the k-th target entity."""
    source: list[str] = []
    target: list[str] = []
    entities: list[Span] = []
    gold: list[Span] = []
    links: list[tuple[int, int]] = []
    for pair in read_parallel(europarl / "en.conll", europarl / "es.conll"):
        if len(target) >= min_tokens:
            break
        src, tgt = pair.source.spans, pair.target.spans
        if not src or [s.label for s in src] != [t.label for t in tgt]:
            continue
        for s, t in zip(src, tgt):
            entities.append(Span(s.start + len(source), s.end + len(source), s.label))
            gold.append(Span(t.start + len(target), t.end + len(target), s.label))
            links += [(i + len(source), j + len(target)) for i in range(s.start, s.end) for j in range(t.start, t.end)]
        source += pair.source.tokens
        target += pair.target.tokens
    return SentencePair(Sentence(source, entities), Sentence(target)), Alignment.from_pairs(links), gold


def test_a_2000_token_sentence_projects_the_oracle_spans(europarl):
    """Before the bounds, matching listed all two million n-grams of such a sentence for each
    of its entities (out of memory). Now both solvers give every entity its gold span, the
    unique best candidate, and the heuristic keeps those that pass its length ratio."""
    pair, alignment, gold = oracle_sentence(europarl, 2000)
    assert len(pair.target) >= 2000 and len(gold) >= 60
    for solver in ("ilp", "greedy"):
        config = ProjectionConfig(solver=solver, edge_rule=False)
        result = project_pair(pair, alignment, config)
        assert [p.span for p in result.matching] == gold
        assert [p.source_span for p in result.matching] == list(pair.source.spans)
        assert result.notes == ()
    kept = [t for s, t in zip(pair.source.spans, gold) if len(t) / len(s) > 0.8]
    assert [p.span for p in result.heuristic] == kept


def small_pair() -> tuple[SentencePair, Alignment]:
    """ "Nikitin met the Barents council" / "Nikitin se reunió con el consejo de Barents"."""
    source = Sentence(["Nikitin", "met", "the", "Barents", "council"], [Span(0, 1, "PER"), Span(3, 4, "LOC")])
    target = Sentence(["Nikitin", "se", "reunió", "con", "el", "consejo", "de", "Barents"])
    return SentencePair(source, target), Alignment.from_pairs([(0, 0), (1, 2), (3, 7), (4, 5)])


def test_too_many_pairs_to_score_falls_back_to_the_heuristic_with_a_note(caplog):
    pair, alignment = small_pair()
    normal = project_pair(pair, alignment, ProjectionConfig(target_lang="es"), number=3)
    assert [(p.span.start, p.span.end) for p in normal.matching] == [(0, 1), (7, 8)] and normal.notes == ()
    with caplog.at_level(logging.WARNING, logger="core.projection.pipeline"):
        result = project_pair(pair, alignment, ProjectionConfig(target_lang="es", max_pairs=3), number=3)
    assert result.notes == (
        "sentence 3: matching skipped (more than 3 (entity, candidate) pairs to score); "
        "the heuristic's spans are used instead",
    )
    assert caplog.messages == list(result.notes)
    assert result.matching == result.heuristic and [p.method for p in result.matching] == ["heuristic", "heuristic"]
    # matching alone, without the heuristic asked for: still the heuristic's spans
    alone = project_pair(pair, alignment, ProjectionConfig(target_lang="es", max_pairs=3), methods=("matching",))
    assert alone.matching == result.heuristic and alone.heuristic == ()
    assert alone.notes[0].startswith("a sentence: matching skipped")


def chain_pair(n: int) -> tuple[SentencePair, Alignment]:
    """n one-word entities; entity k is linked to target words k and k+1, so each entity's
    best candidate [k, k+2) (score 4/3) overlaps its neighbours': one group of n colliding
    entities, too many for dynamic programming once n is large."""
    source = Sentence([f"N{k}" for k in range(n)], [Span(k, k + 1, "PER") for k in range(n)])
    target = Sentence([f"n{k}" for k in range(n + 1)])
    return SentencePair(source, target), Alignment.from_pairs(
        [(k, k) for k in range(n)] + [(k, k + 1) for k in range(n)]
    )


def test_an_ilp_past_its_budget_falls_back_to_greedy_with_a_note(caplog):
    pair, alignment = chain_pair(16)
    exact = project_pair(pair, alignment, ProjectionConfig())
    greedy = project_pair(pair, alignment, ProjectionConfig(solver="greedy"))
    assert exact.notes == () and sum(p.score for p in exact.matching) >= sum(p.score for p in greedy.matching)
    with caplog.at_level(logging.WARNING, logger="core.projection.pipeline"):
        result = project_pair(pair, alignment, ProjectionConfig(max_ilp_pairs=10), number=7)
    assert len(result.notes) == 1 and result.notes[0].startswith("sentence 7: ")
    assert "pairs in conflict, more than 10 for the ILP; greedy matching is used instead" in result.notes[0]
    assert caplog.messages == list(result.notes)
    assert result.matching == greedy.matching


def long_corpus(n_target: int) -> list[SentencePair]:
    short = SentencePair(Sentence(["Paris", "is", "big"], [Span(0, 1, "LOC")]), Sentence(["París", "es", "grande"]))
    long = SentencePair(Sentence(["Rome"], [Span(0, 1, "LOC")]), Sentence(["palabra"] * n_target))
    return [short, long, short]


def test_a_sentence_over_the_token_cap_is_refused_naming_it():
    pairs = long_corpus(12)
    config = ProjectionConfig(max_sentence_tokens=10)
    with pytest.raises(SentenceTooLongError) as raised:
        project_corpus(pairs, config, [Alignment()] * 3)
    message = str(raised.value)
    assert message == (
        "sentence 2 has 12 target tokens, more than the 10 allowed per sentence; split it into "
        "sentences (one a line), or raise the limit (max_sentence_tokens)"
    )
    assert isinstance(raised.value, LabelBridgeError)
    with pytest.raises(SentenceTooLongError, match="^sentence 2 has 12 target tokens"):
        align(pairs, config)  # refused before the aligner starts
    with pytest.raises(SentenceTooLongError, match="^the sentence has 12 target"):
        project_pair(pairs[1], Alignment(), config)
    assert len(project_corpus(pairs, config.with_options(max_sentence_tokens=None), [Alignment()] * 3)) == 3
    source_long = [SentencePair(Sentence(["w"] * 11), Sentence(["v"]))]
    with pytest.raises(SentenceTooLongError, match="^sentence 1 has 11 source tokens"):
        project_corpus(source_long, config, [Alignment()])


@pytest.mark.parametrize("with_alignments", [False, True])
def test_the_command_line_names_the_sentence_over_the_default_cap(tmp_path, capsys, with_alignments):
    pairs = long_corpus(5001)
    source, target, out = tmp_path / "en.conll", tmp_path / "es.txt", tmp_path / "out.conll"
    write_conll(source, [p.source for p in pairs])
    target.write_text("".join(" ".join(p.target.tokens) + "\n" for p in pairs), encoding="utf-8")
    args = ["project", "--source", str(source), "--target", str(target), "--out", str(out), "--quiet"]
    if with_alignments:
        write_pharaoh(tmp_path / "links.pharaoh", [Alignment.from_pairs([(0, 0)])] * 3)
        args += ["--alignments", str(tmp_path / "links.pharaoh")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: sentence 2 has 5,001 target tokens, more than the 5,000 allowed per sentence")
    assert "Traceback" not in err and not out.exists()


@pytest.mark.parametrize(
    "module",
    [core.projection.boundaries, core.projection.candidates, core.projection.heuristic, core.projection.matching],
)
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
