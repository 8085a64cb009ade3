"""Re-projection from reviewed decisions: the evidence functions on small hand-made corpora,
the store's generations (decided sentences untouched, undo exact) and the command."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from helpers import REPO

from core.datamodel import Alignment, Sentence, SentencePair, Span
from core.projection.pipeline import ProjectionConfig, project_corpus
from core.review.project import create_project, open_project
from core.review.reproject import (
    Evidence,
    ReviewedPair,
    apply_evidence,
    attach_sources,
    diagonal_links,
    ner_training_data,
    occurrences,
    reproject_pairs,
    reproject_project,
    table_evidence,
    translation_table,
)
from core.review.store import PROJECTION_COLUMNS, REPROJECTION_STEP


def toks(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def reviewed(source: str, spans, target: str, final) -> ReviewedPair:
    return ReviewedPair(toks(source), tuple(spans), toks(target), tuple(final))


# --- the translation table --------------------------------------------------------------


def test_the_table_counts_reviewed_translations_lower_cased():
    pairs = [
        reviewed("the United Kingdom said", [Span(1, 3, "LOC")], "el Reino Unido dijo", [(Span(1, 3, "LOC"), 0)]),
        reviewed("United Kingdom", [Span(0, 2, "LOC")], "REINO UNIDO", [(Span(0, 2, "LOC"), 0)]),
        reviewed("United Kingdom", [Span(0, 2, "LOC")], "el Reino", [(Span(1, 2, "LOC"), 0)]),
        reviewed("Ana", [Span(0, 1, "PER")], "x", [(Span(0, 1, "PER"), None)]),  # no entity known: not used
    ]
    table = translation_table(pairs)
    assert table.targets(("united", "kingdom")) == [(("reino", "unido"), 2), (("reino",), 1)]
    assert table.targets(("ana",)) == [] and len(table) == 1


def test_attach_sources_prefers_the_linked_entity_of_the_same_label():
    source = [Span(0, 1, "PER"), Span(2, 3, "PER"), Span(4, 5, "LOC")]
    links = Alignment.from_pairs([(0, 3), (2, 0), (4, 5)])
    spans = [(Span(0, 1, "PER"), None), (Span(3, 4, "PER"), None), (Span(5, 6, "LOC"), None), (Span(7, 8, "ORG"), None)]
    assert attach_sources(source, spans, links) == [
        (Span(0, 1, "PER"), 1),
        (Span(3, 4, "PER"), 0),
        (Span(5, 6, "LOC"), 2),
        (Span(7, 8, "ORG"), None),
    ]


def test_attach_sources_keeps_known_entities_and_falls_back_to_order():
    source = [Span(0, 1, "PER"), Span(2, 3, "PER")]
    spans = [(Span(4, 5, "PER"), None), (Span(1, 2, "PER"), 0)]
    assert attach_sources(source, spans) == [(Span(1, 2, "PER"), 0), (Span(4, 5, "PER"), 1)]


def test_occurrences_compare_lower_cased():
    assert occurrences(toks("El Reino Unido y el reino unido"), ("reino", "unido")) == [1, 5]
    assert occurrences(toks("a b"), ()) == []


def test_evidence_takes_the_most_frequent_translation_that_occurs():
    table = translation_table(
        [
            reviewed("United Kingdom", [Span(0, 2, "LOC")], "Reino Unido", [(Span(0, 2, "LOC"), 0)]),
            reviewed("United Kingdom", [Span(0, 2, "LOC")], "Reino Unido", [(Span(0, 2, "LOC"), 0)]),
            reviewed("United Kingdom", [Span(0, 2, "LOC")], "Gran Bretaña", [(Span(0, 2, "LOC"), 0)]),
        ]
    )
    found = table_evidence(toks("the United Kingdom"), [Span(1, 3, "LOC")], toks("la Gran Bretaña"), table)
    assert found == [Evidence(0, 1, 3, ("united", "kingdom"), ("gran", "bretaña"), 1)]
    found = table_evidence(
        toks("the United Kingdom"), [Span(1, 3, "LOC")], toks("el Reino Unido o Gran Bretaña"), table
    )
    assert [(e.start, e.end, e.count) for e in found] == [(1, 3, 2)]
    assert table_evidence(toks("the United Kingdom"), [Span(1, 3, "LOC")], toks("nada"), table) == []


def test_two_mentions_take_two_occurrences_the_linked_one_first():
    table = translation_table([reviewed("Paris", [Span(0, 1, "LOC")], "París", [(Span(0, 1, "LOC"), 0)])])
    source, target = toks("Paris and Paris"), toks("París y París")
    entities = [Span(0, 1, "LOC"), Span(2, 3, "LOC")]
    links = Alignment.from_pairs([(0, 2), (2, 0)])
    found = table_evidence(source, entities, target, table, links)
    assert [(e.entity, e.start) for e in found] == [(0, 2), (1, 0)]
    # no overlapping occurrences: a third mention gets nothing
    found = table_evidence(
        toks("Paris Paris Paris"),
        [Span(0, 1, "LOC"), Span(1, 2, "LOC"), Span(2, 3, "LOC")],
        toks("París y París"),
        table,
    )
    assert len(found) == 2


def test_diagonal_links_cover_both_sides_in_order():
    assert diagonal_links(Span(0, 2, "LOC"), 5, 6) == [(0, 5), (1, 5)]
    assert diagonal_links(Span(3, 4, "ORG"), 0, 3) == [(3, 0), (3, 1), (3, 2)]
    assert diagonal_links(Span(0, 2, "PER"), 1, 3) == [(0, 1), (1, 2)]


def test_apply_evidence_replaces_the_entitys_links():
    links = Alignment.from_pairs([(0, 0), (1, 1), (2, 3), (3, 2)], {(3, 2): 0.4})
    ev = [Evidence(0, 1, 3, ("united", "kingdom"), ("reino", "unido"), 1)]
    entities = [Span(1, 3, "LOC")]
    assert set(apply_evidence(links, entities, ev, replace=True).links) == {(0, 0), (1, 1), (2, 2)}
    added = apply_evidence(links, entities, ev, replace=False)
    assert set(added.links) == {(0, 0), (1, 1), (2, 3), (3, 2), (2, 2)} and added.weight((3, 2)) == 0.4
    assert apply_evidence(links, entities, []) is links


def test_reviewed_translation_fixes_a_misaligned_mention():
    # "Kingdom" is not linked in the second pair, so neither method finds "Reino Unido" there
    pairs = [
        SentencePair(Sentence(toks("The United Kingdom agrees .")), Sentence(toks("El Reino Unido está de acuerdo ."))),
        SentencePair(Sentence(toks("Spain agrees .")), Sentence(toks("España está de acuerdo ."))),
    ]
    pairs = [
        SentencePair(Sentence(pairs[0].source.tokens, (Span(1, 3, "LOC"),)), pairs[0].target),
        SentencePair(Sentence(pairs[1].source.tokens, (Span(0, 1, "LOC"),)), pairs[1].target),
    ]
    links = [Alignment.from_pairs([(0, 0), (1, 1), (3, 3), (4, 6)]), Alignment.from_pairs([(0, 0), (1, 1), (2, 4)])]
    config = ProjectionConfig(target_lang="es")
    before = project_corpus(pairs, config, links)
    assert [p.span for p in before[0].heuristic] == [] and [p.span for p in before[0].matching] == [
        Span(1, 2, "LOC", 2 / 3)
    ]
    table = translation_table(
        [reviewed("the United Kingdom", [Span(1, 3, "LOC")], "el Reino Unido", [(Span(1, 3, "LOC"), 0)])]
    )
    after = reproject_pairs(pairs, links, config, table)
    assert [(p.span.start, p.span.end) for p in after[0].result.heuristic] == [(1, 3)]
    assert [(p.span.start, p.span.end) for p in after[0].result.matching] == [(1, 3)]
    assert [e.describe()["target"] for e in after[0].evidence] == ["reino unido"]
    assert after[1].evidence == () and after[1].result.matching == before[1].matching


def test_ner_training_data_puts_reviewed_spans_in_place_and_weighs_them():
    targets = [toks("a b"), toks("c d")]
    data = ner_training_data(targets, [[Span(0, 1, "PER")], [Span(1, 2, "LOC")]], {1: [Span(0, 2, "ORG")]}, weight=3)
    assert data == [(targets[0], [Span(0, 1, "PER")])] + [(targets[1], [Span(0, 2, "ORG")])] * 3


# --- the store: generations, untouched decisions, exact undo ------------------------------

SOURCE = """The\tO\nUnited\tB-LOC\nKingdom\tI-LOC\nvoted\tO\n.\tO\n
The\tO\nUnited\tB-LOC\nKingdom\tI-LOC\nagrees\tO\n.\tO\n
Ana\tB-PER\nsaw\tO\nthe\tO\nUnited\tB-LOC\nKingdom\tI-LOC\n.\tO\n
The\tO\nUnited\tB-LOC\nKingdom\tI-LOC\nwaits\tO\n.\tO\n
"""
TARGET = """El Reino Unido votó .
El Reino Unido está de acuerdo .
Ana vio el Reino Unido .
El Reino Unido espera .
"""
LINKS = """0-0 1-1 2-2 3-3 4-4
0-0 1-1 3-3 4-6
0-0 1-1 2-2 3-3 5-5
0-0 1-1 3-3 4-4
"""


@pytest.fixture
def small_project(tmp_path):
    (tmp_path / "en.conll").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "es.txt").write_text(TARGET, encoding="utf-8")
    (tmp_path / "links.pharaoh").write_text(LINKS, encoding="utf-8")
    return create_project(
        tmp_path / "uk",
        tmp_path / "en.conll",
        tmp_path / "es.txt",
        target_lang="es",
        alignments=tmp_path / "links.pharaoh",
    )


def raw_rows(project) -> dict[int, tuple]:
    with sqlite3.connect(project.folder / "review.sqlite") as db:
        return {
            r[0]: r[1:] for r in db.execute(f"SELECT id, {', '.join(PROJECTION_COLUMNS)} FROM sentences ORDER BY id")
        }


def json_spans(text: str):
    return [(Span(a, b, label), e, score) for a, b, label, e, score in json.loads(text)]


def test_reprojection_leaves_decisions_alone_and_undo_restores_exactly(small_project):
    store = small_project.store
    first = store.sentence(0)
    assert [s for s, _, _ in first.matching] == [Span(1, 3, "LOC")]
    assert store.set_done(0, "tab") == 1  # reviewed: "Reino Unido" accepted
    # sentence 3 has one decision (a rejection) and is not done: it stays as it is too
    third = store.sentence(3)
    store.decide(3, third.proposals()[0].item, "reject", None, 0, "tab")
    before, decisions, events = raw_rows(small_project), store.all_decisions(), store.events()
    assert store.reprojectable_ids() == [1, 2]

    report = reproject_project(small_project, reviewer="ana")
    assert (report.generation, report.reviewed, report.table_size, report.considered) == (1, 1, 1, 2)
    after = raw_rows(small_project)
    assert after[0] == before[0] and after[3] == before[3]  # done and decided sentences untouched
    assert store.all_decisions() == decisions and store.events() == events and store.done_ids() == {0}
    assert report.changed == 2  # the misaligned mentions now have "Reino Unido"
    for sid, span in ((1, Span(1, 3, "LOC")), (2, Span(3, 5, "LOC"))):
        assert after[sid] != before[sid]
        assert span in [s for s, _, _ in store.sentence(sid).matching]
        assert span in [s for s, _, _ in store.sentence(sid).heuristic]
        assert span not in [s for s, _, _ in json_spans(before[sid][1])]
    provenance = store.projection_provenance(1)
    assert provenance[0]["generation"] == 1 and provenance[0]["evidence"][0]["target"] == "reino unido"
    generations = store.projection_generations()
    assert generations[0]["reviewer"] == "ana" and generations[0]["evidence"]["reviewed_sentences"] == [0]
    assert store.current_generation() == 1

    assert store.undo_reprojection("ana") == (1, 2, 0)
    assert raw_rows(small_project) == before
    assert store.current_generation() == 0 and store.undo_reprojection() == (None, 0, 0)
    assert store.projection_generations()[0]["undone_at"] is not None


def test_a_second_generation_starts_from_the_built_links_and_undo_goes_back_one_at_a_time(small_project):
    store = small_project.store
    built = raw_rows(small_project)
    store.set_done(0, "tab")
    reproject_project(small_project)
    first = raw_rows(small_project)
    assert store.base_alignments([1])[1] == tuple((i, j, w) for i, j, w in json.loads(built[1][0]))
    again = reproject_project(small_project)  # the same evidence: nothing changes, no generation
    assert again.generation is None and again.changed == 0
    assert raw_rows(small_project) == first and len(store.projection_generations()) == 1
    # a sentence decided after the re-projection keeps the proposals it was decided on
    record = store.sentence(1)
    store.decide(1, record.proposals()[0].item, "accept", record.proposals()[0].span, 0, "tab")
    assert store.undo_reprojection() == (1, 2, 1)  # sentences 2 and 3 restored
    assert raw_rows(small_project)[1] == first[1]


def test_reprojection_without_reviewed_sentences_changes_nothing(small_project):
    before = raw_rows(small_project)
    report = reproject_project(small_project)
    assert report.reviewed == 0 and report.changed == 0 and report.generation is None
    assert raw_rows(small_project) == before and small_project.store.projection_generations() == []


def test_a_database_of_the_previous_schema_gains_the_generation_tables(small_project):
    path = small_project.folder / "review.sqlite"
    small_project.store.close()
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE projection_history")
        db.execute("DROP TABLE projection_generations")
        db.execute(f"PRAGMA user_version = {REPROJECTION_STEP - 1}")
    project = open_project(small_project.folder)
    project.store.set_done(0, "tab")
    assert reproject_project(project).changed == 3


# --- the command ---------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "core", "reproject", *args],
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_command_reprojects_lists_and_undoes(small_project):
    before = raw_rows(small_project)
    small_project.store.set_done(0, "tab")
    done = run_cli(str(small_project.folder), "--quiet")
    assert done.returncode == 0, done.stderr
    assert "generation 1: 1 reviewed sentences, 1 entity strings; 3 of 3 unreviewed sentences changed" in done.stderr
    listed = run_cli(str(small_project.folder), "--list")
    assert "generation 1 (standing) by command line" in listed.stdout
    undone = run_cli(str(small_project.folder), "--undo")
    assert undone.returncode == 0 and "undid generation 1: 3 sentences" in undone.stderr
    assert raw_rows(small_project) == before


def test_the_command_refuses_a_folder_that_is_not_a_project(tmp_path):
    for path in (tmp_path, tmp_path / "missing", REPO / "README.md"):
        result = run_cli(str(path))
        assert result.returncode == 2 and "not a LabelBridge project folder" in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_the_command_names_a_damaged_project_file(small_project):
    (small_project.folder / "project.json").write_text('{"name": ', encoding="utf-8")
    result = run_cli(str(small_project.folder))
    assert (
        result.returncode == 2
        and "its project.json cannot be read" in result.stderr
        and "Traceback" not in result.stderr
    )


def test_the_command_with_nothing_reviewed_or_nothing_to_undo_says_so(small_project):
    result = run_cli(str(small_project.folder), "--undo")
    assert result.returncode == 0 and "nothing to undo" in result.stderr
    result = run_cli(str(small_project.folder), "--quiet")
    assert result.returncode == 0 and "no sentence is marked done yet" in result.stderr
    assert "nothing changed, no generation stored" in result.stderr


# --- learned matching scores -------------------------------------------------------------


def test_pair_features_describe_candidates():
    import numpy as np

    from core.review.learned_scores import FEATURES, pair_features

    source, target = toks("the United Kingdom voted"), toks("el Reino Unido votó")
    entity = Span(1, 3, "LOC")
    links = Alignment.from_pairs([(1, 1), (2, 2), (3, 3)])
    x = pair_features(
        source,
        entity,
        [entity],
        target,
        links,
        np.array([1, 1, 0]),
        np.array([3, 2, 3]),
        [("reino", "unido")],
        {"matching": (1, 3)},
    )
    row = dict(zip(FEATURES, x[0]))
    assert x.shape == (3, len(FEATURES))
    assert row["score"] == 1.0 and row["entity words covered"] == 1.0 and row["reviewed translation"] == 1.0
    assert row["matching's choice"] == 1.0 and row["heuristic's choice"] == 0.0 and row["LOC"] == 1.0
    assert row["word after capitalised"] == 0.0 and row["first capitalised"] == 1.0
    short = dict(zip(FEATURES, x[1]))
    assert (
        short["entity words covered"] == 0.5
        and short["word after capitalised"] == 1.0
        and short["reviewed translation"] == 0.0
    )
    assert dict(zip(FEATURES, x[2]))["word before capitalised"] == 0.0


def test_the_ranker_learns_which_candidate_reviewers_keep():
    import numpy as np

    from core.review.learned_scores import fit, fit_chosen

    rng = np.random.default_rng(0)
    rows, labels, groups = [], [], []
    for g in range(60):  # feature 1 marks the right candidate; feature 2 is noise
        x = np.c_[np.ones(5), np.zeros(5), rng.normal(size=5)]
        right = rng.integers(5)
        x[right, 1] = 1.0
        rows.append(x)
        labels.append(np.eye(5)[right])
        groups.append(np.full(5, g))
    x, y, g = np.concatenate(rows), np.concatenate(labels), np.concatenate(groups)
    for model in (fit(x, y, g), fit_chosen(x, y, g)):
        assert model.weights[1] > 1.0 and abs(model.weights[2]) < model.weights[1] / 3
        test = np.c_[np.ones(3), [0.0, 1.0, 0.0], [2.0, -1.0, 0.5]]
        p = model.probability(test)
        assert p.argmax() == 1 and abs(p.sum() - 1) < 1e-9


def test_learned_scores_need_enough_reviewed_entities():
    from core.review.reproject import learn_scores

    pair = reviewed("the United Kingdom voted", [Span(1, 3, "LOC")], "el Reino Unido votó", [(Span(1, 3, "LOC"), 0)])
    links = Alignment.from_pairs([(1, 1), (2, 2), (3, 3)])
    config = ProjectionConfig(target_lang="es")
    assert learn_scores([pair], [links], translation_table([pair]), config) is None
    model = learn_scores([pair] * 3, [links] * 3, translation_table([pair]), config, min_positives=3)
    assert model is not None and model.groups == 3


def test_word_links_carry_reviewed_word_translations_to_other_entities():
    from core.review.reproject import word_links, word_table

    pairs = [
        reviewed("the United Kingdom", [Span(1, 3, "LOC")], "el Reino Unido", [(Span(1, 3, "LOC"), 0)]),
        reviewed("the Kingdom of Spain", [Span(1, 4, "LOC")], "el Reino de España", [(Span(1, 4, "LOC"), 0)]),
    ]
    words = word_table(pairs, skip=frozenset({"de", "el"}), source_skip=frozenset({"of", "the"}))
    assert words.get("Kingdom") == "reino" and words.get("of") is None  # function words never pair
    assert words.get("Spain") == "españa"
    # "Kingdom" unlinked: it gets "Reino", the occurrence nearest the entity's other links
    source, target = toks("the Kingdom of Spain and the Kingdom"), toks("el Reino de España y el Reino")
    entities = [Span(1, 4, "LOC"), Span(6, 7, "LOC")]
    links = Alignment.from_pairs([(3, 3), (4, 4)])
    assert word_links(source, entities, target, words, links) == [
        (1, 1),
        (3, 3),
    ]  # the second mention: no anchor, two places
    assert word_links(source, entities, target, words, links, skip=[0]) == []


def test_an_ner_candidate_project_retrains_its_model_or_keeps_it(tmp_path):
    (tmp_path / "en.conll").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "es.txt").write_text(TARGET, encoding="utf-8")
    (tmp_path / "links.pharaoh").write_text(LINKS, encoding="utf-8")
    project = create_project(
        tmp_path / "uk-ner",
        tmp_path / "en.conll",
        tmp_path / "es.txt",
        target_lang="es",
        alignments=tmp_path / "links.pharaoh",
        candidates="ner",
        ner_epochs=3,
    )
    first = project.store.sentence(0).proposals()[0]
    assert first.span == Span(1, 3, "LOC")
    project.store.decide(0, first.item, "accept", first.span, 0, "tab")
    project.store.set_done(0, "tab")
    kept = reproject_project(project, retrain_ner=False)
    assert kept.generation == 1 and not kept.ner_retrained and not list(project.folder.glob("ner-model-reviewed-*"))
    assert project.store.undo_reprojection()[0] == 1
    retrained = reproject_project(project, ner_epochs=3)
    assert retrained.ner_retrained and len(list(project.folder.glob("ner-model-reviewed-*"))) == 1
    assert project.store.projection_generations()[-1]["evidence"]["ner_retrained"] is True


WORD_TABLE_TIE = """
from core.datamodel import Span
from core.review.reproject import ReviewedPair, word_table
pair = ReviewedPair(tuple("the Alpha Beta".split()), (Span(1, 3, "ORG"),), tuple("la Gamma Delta Kappa Omega".split()),
                    ((Span(1, 5, "ORG"), 0),))
print(word_table([pair]).best)
"""


def test_word_table_ties_do_not_depend_on_the_hash_seed():
    # every source word pairs with every target word at Dice 1: the table must not take the
    # first pair a set happened to yield (re-projection differed from process to process)
    tables = {
        subprocess.run(
            [sys.executable, "-c", WORD_TABLE_TIE],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(6)
    }
    assert len(tables) == 1, tables
