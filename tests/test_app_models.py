"""The app's second way in: unlabelled target text labelled by models (tiny local ones,
see model_fixtures), through the core glue and through the Home page."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.corpus_io import write_conll, write_text
from core.datamodel import Sentence, Span
from core.errors import ModelLoadError
from core.project import create_project_from_text, open_project

from helpers import REPO

pytest_plugins = ["tests.model_fixtures"]

SPANISH = [
    ("El", "señor", "Barroso", "visitó", "Madrid", "el", "lunes", "."),
    ("La", "Comisión", "Europea", "aprobó", "el", "informe", "."),
    ("Gracias", "."),
    ("El", "Parlamento", "Europeo", "se", "reúne", "en", "Estrasburgo", "."),
]
GOLD = [
    Sentence(SPANISH[0], (Span(2, 3, "PER"), Span(4, 5, "LOC"))),
    Sentence(SPANISH[1], (Span(1, 3, "ORG"),)),
    Sentence(SPANISH[2]),
    Sentence(SPANISH[3], (Span(1, 3, "ORG"), Span(6, 7, "LOC"))),
]


@pytest.fixture(scope="module")
def texts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("texts")
    write_text(folder / "es.txt", [Sentence(t) for t in SPANISH])
    write_conll(folder / "gold.conll", GOLD)
    return folder


def tiny_options(tiny_translator, tiny_ner, tiny_encoder, **changes):
    from core.model_pipeline import ModelPipelineOptions, model_projection

    base = dict(target_lang="spa_Latn", translator=str(tiny_translator), ner=str(tiny_ner), encoder=str(tiny_encoder),
                layer=2, device="cpu", max_new_tokens=12, projection=model_projection("spa_Latn"))
    return ModelPipelineOptions(**(base | changes))


def test_a_project_from_unlabelled_text(tmp_path, texts, tiny_translator, tiny_ner, tiny_encoder, tiny_spacy):
    options = tiny_options(tiny_translator, tiny_ner, tiny_encoder, candidates="ner", candidate_ner=str(tiny_spacy))
    steps = []
    created = create_project_from_text(tmp_path / "p" / "es-models", texts / "es.txt", options, gold=texts / "gold.conll",
                                       cache_dir=tmp_path / "cache", progress=lambda f, m: steps.append((f, m)))
    project = open_project(created.folder)
    records = list(project.store.sentences())
    assert [r.target_tokens for r in records] == SPANISH  # the original tokens, one row per sentence
    assert [r.gold_spans for r in records] == [g.spans for g in GOLD]
    assert all(r.source_tokens for r in records) and any(r.source_spans for r in records)  # tagged English
    s = project.settings
    assert s.candidates == "model" and s.target_lang == "es" and s.config["target_lang"] == "es"
    assert s.models["translator"] == str(tiny_translator) and s.models["candidate_ner"] == str(tiny_spacy)
    assert s.source_note.startswith("Source: English machine-translated")
    for record in records:  # matching chose among the target NER model's spans
        assert all((span.start, span.end) in {(a, b) for cands in record.candidates.values() for a, b, _ in cands}
                   for span, _, _ in record.matching)
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert "translating to English" in {m for _, m in steps}
    assert (tmp_path / "cache" / "translations.sqlite").exists()


def test_a_missing_model_leaves_no_project(tmp_path, texts, tiny_translator, tiny_ner, tiny_encoder):
    missing = tmp_path / "no-such-ner"
    options = tiny_options(tiny_translator, missing, tiny_encoder)
    with pytest.raises(ModelLoadError, match=str(missing)):
        create_project_from_text(tmp_path / "p" / "broken", texts / "es.txt", options, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "p").exists() or not any((tmp_path / "p").iterdir())
