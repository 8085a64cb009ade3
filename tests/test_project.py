"""Project creation: exclusive and atomic under concurrent builds, and candidate spans for
every source entity (on the bundled demo and small corpora written here)."""

from __future__ import annotations

import threading

import pytest
from helpers import DEMO

from core.corpus.io import read_conll, read_parallel, read_pharaoh, write_conll
from core.datamodel import Sentence, Span
from core.projection.pipeline import ProjectionConfig, project_pair
from core.review.project import (
    ProjectError,
    create_project,
    entity_candidates,
    is_project,
    open_project,
)


def demo_args(lang: str) -> dict:
    return dict(
        source=DEMO / "en.conll",
        target=DEMO / f"{lang}.conll",
        gold=DEMO / f"{lang}.conll",
        alignments=DEMO / f"en-{lang}.pharaoh",
        target_lang=lang,
    )


def test_two_builds_of_one_name_at_once_give_one_whole_project_and_one_clear_error(tmp_path):
    """Two tabs create "race" at the same moment, one from the Spanish demo and one from the
    German. One wins; the other is refused at once with a sentence naming the project; the
    project holds one build's files and database, never a mix."""
    folder = tmp_path / "race"
    both_started = threading.Barrier(2, timeout=60)
    loser_done = threading.Event()
    outcome: dict[str, object] = {}

    def progress(fraction: float, message: str) -> None:
        if message == "reading the corpus":
            both_started.wait()
        elif fraction >= 0.9 and not loser_done.is_set():
            loser_done.wait(timeout=30)  # the winner is mid-build while the other tries

    def build(lang: str) -> None:
        try:
            outcome[lang] = create_project(folder, **demo_args(lang), name="race", progress=progress)
        except BaseException as err:  # noqa: BLE001 - recorded for the assertions
            outcome[lang] = err
            loser_done.set()

    threads = [threading.Thread(target=build, args=(lang,)) for lang in ("es", "de")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    errors = [v for v in outcome.values() if isinstance(v, BaseException)]
    assert len(outcome) == 2 and len(errors) == 1, outcome
    assert isinstance(errors[0], ProjectError), repr(errors[0])
    message = str(errors[0])
    assert "'race'" in message and ("being created" in message or "already exists" in message)
    assert str(tmp_path) not in message  # no server path
    winner = next(lang for lang, v in outcome.items() if not isinstance(v, BaseException))
    project = open_project(folder)
    stored_targets = [r.target_tokens for r in project.store.sentences()]
    copied = read_conll(folder / project.settings.target_file)
    assert stored_targets == [s.tokens for s in copied] == [s.tokens for s in read_conll(DEMO / f"{winner}.conll")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race"]  # no staging folder or lock file left


def test_a_name_in_use_is_refused_and_an_interrupted_build_does_not_block_it(tmp_path):
    stale = tmp_path / ".p.building"
    (stale / "input").mkdir(parents=True)  # what a build killed half-way leaves behind
    (stale / "input" / "source.conll").write_text("junk", encoding="utf-8")
    project = create_project(tmp_path / "p", **demo_args("es"))
    assert project.store.count() == 36 and not stale.exists()
    with pytest.raises(ProjectError, match="a project called 'p' already exists"):
        create_project(tmp_path / "p", **demo_args("es"))
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ProjectError, match="a project called 'other' already exists"):
        create_project(tmp_path / "other", **demo_args("es"))
    assert (tmp_path / "other" / "notes.txt").read_text(encoding="utf-8") == "mine"
    (tmp_path / "empty").mkdir()  # an empty folder of that name is fine
    assert is_project(create_project(tmp_path / "empty", **demo_args("es")).folder)


def test_every_source_entity_has_candidates_even_when_the_model_candidates_miss_it(tmp_path):
    """Model candidates that never reach "Venice Biennale" (sentence 4 of the demo): neither
    method projects it, yet the reviewer gets its best-scoring n-grams to pick from."""
    pairs = read_parallel(DEMO / "en.conll", DEMO / "es.conll")
    only_first_word = [[(0, 1)] for _ in pairs]
    project = create_project(tmp_path / "p", **demo_args("es"), candidates="model", candidate_spans=only_first_word)
    for record in project.store.sentences():
        assert set(record.candidates) == set(range(len(record.source_spans))), record.id
    venice = project.store.sentence(3)
    assert venice.source_spans == (Span(6, 8, "MISC"),) and not venice.matching
    spans = [(a, b) for a, b, _ in venice.candidates[0]]
    assert (8, 11) in spans  # "Bienal de Venecia", the gold span
    scores = [s for _, _, s in venice.candidates[0]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


def test_an_entity_without_links_gets_spans_near_its_place(tmp_path):
    source = [
        Sentence(("Anna", "met", "Kofi", "in", "Oslo", "."), (Span(0, 1, "PER"), Span(2, 3, "PER"), Span(4, 5, "LOC")))
    ]
    target = [Sentence(("Anna", "traf", "Kofi", "in", "Oslo", "."))]
    write_conll(tmp_path / "en.conll", source)
    write_conll(tmp_path / "de.conll", target)
    (tmp_path / "links.pharaoh").write_text("0-0 1-1 3-3 5-5\n", encoding="utf-8")  # Kofi and Oslo unaligned
    project = create_project(
        tmp_path / "p",
        tmp_path / "en.conll",
        tmp_path / "de.conll",
        alignments=tmp_path / "links.pharaoh",
        target_lang="de",
    )
    record = project.store.sentence(0)
    # "Anna" -> "Anna" (score 1) is the corpus's known translation of "Anna", so the second
    # matching pass adds the corpus evidence bonus of 0.5 (core/projection/corpus_evidence.py)
    assert record.candidates[0][0] == (0, 1, pytest.approx(1.5))
    assert [c[:2] for c in record.candidates[1][:1]] == [(2, 3)]
    assert [c[:2] for c in record.candidates[2][:1]] == [(4, 5)]
    assert all(score == 0.0 for _, _, score in record.candidates[1] + record.candidates[2])


def test_candidates_come_from_the_projection_itself(tmp_path):
    """The stored candidate list is what matching scored: each matching projection is its
    entity's candidate with the same score, and entity_candidates reads the projection."""
    pairs = read_parallel(DEMO / "en.conll", DEMO / "es.conll")
    links = read_pharaoh(DEMO / "en-es.pharaoh", pairs)
    config = ProjectionConfig(target_lang="es")
    checked = 0
    for pair, alignment in zip(pairs, links):
        result = project_pair(pair, alignment, config)
        table = entity_candidates(result, config)
        assert set(table) == set(range(len(pair.source.spans)))
        for p in result.matching:
            e = pair.source.spans.index(p.source_span)
            assert (p.span.start, p.span.end) in [(a, b) for a, b, _ in table[e]]
            assert table[e][0][2] == pytest.approx(p.score) or p.score <= table[e][0][2]
            checked += 1
    assert checked > 50
