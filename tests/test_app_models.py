"""The app's second way in: unlabelled target text labelled by models (tiny local ones,
see model_fixtures), through the core glue and through the Home page."""

from __future__ import annotations

import pytest
from helpers import REPO, build_demo_project, copy_project
from streamlit.testing.v1 import AppTest

from core.corpus.io import write_conll, write_text
from core.datamodel import Sentence, Span
from core.errors import ModelLoadError
from core.review.project import create_project_from_text, open_project

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
    from core.models.pipeline import ModelPipelineOptions, model_projection

    base = dict(
        target_lang="spa_Latn",
        translator=str(tiny_translator),
        ner=str(tiny_ner),
        encoder=str(tiny_encoder),
        layer=2,
        device="cpu",
        max_new_tokens=12,
        projection=model_projection("spa_Latn"),
    )
    return ModelPipelineOptions(**(base | changes))


def test_a_project_from_unlabelled_text(tmp_path, texts, tiny_translator, tiny_ner, tiny_encoder, tiny_spacy):
    options = tiny_options(tiny_translator, tiny_ner, tiny_encoder, candidates="ner", candidate_ner=str(tiny_spacy))
    steps = []
    created = create_project_from_text(
        tmp_path / "p" / "es-models",
        texts / "es.txt",
        options,
        gold=texts / "gold.conll",
        cache_dir=tmp_path / "cache",
        progress=lambda f, m: steps.append((f, m)),
    )
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
        assert all(
            (span.start, span.end) in {(a, b) for cands in record.candidates.values() for a, b, _ in cands}
            for span, _, _ in record.matching
        )
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert "translating to English" in {m for _, m in steps}
    assert (tmp_path / "cache" / "translations.sqlite").exists()


def test_back_translation_makes_the_source_a_labelled_back_translation(
    tmp_path, texts, tiny_translator, tiny_ner, tiny_encoder
):
    options = tiny_options(
        tiny_translator,
        tiny_ner,
        tiny_encoder,
        back_translate=True,
        marker_model=str(tiny_translator),
        target_lang="es",
    )
    project = create_project_from_text(
        tmp_path / "bt", texts / "es.txt", options, cache_dir=tmp_path / "cache", primary_method="heuristic"
    )
    assert [r.target_tokens for r in project.store.sentences()] == SPANISH
    assert project.settings.models["back_translate"] and project.settings.source_note.startswith(
        "Source: a labelled back-translation"
    )
    assert project.settings.candidates == "ngram" and project.settings.primary_method == "heuristic"


def test_a_missing_model_leaves_no_project(tmp_path, texts, tiny_translator, tiny_ner, tiny_encoder):
    missing = tmp_path / "no-such-ner"
    options = tiny_options(tiny_translator, missing, tiny_encoder)
    with pytest.raises(ModelLoadError, match=str(missing)):
        create_project_from_text(tmp_path / "p" / "broken", texts / "es.txt", options, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "p").exists() or not any((tmp_path / "p").iterdir())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo_project(tmp_path_factory.mktemp("demo") / "demo-es").folder


def home(projects, demo, monkeypatch) -> AppTest:
    """The Home page with the demo open (as after a first start), the model form chosen."""
    copy_project(demo, projects / "demo-es")
    monkeypatch.setenv("LABELBRIDGE_PROJECTS", str(projects))
    monkeypatch.setenv("LABELBRIDGE_DATA_ROOT", str(projects.parent.parent))  # the test's files and tiny models
    monkeypatch.setenv("LABELBRIDGE_MODEL_ROOT", str(projects.parent.parent))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.run()
    at.radio(key="create-way").set_value("models").run()
    assert not at.exception, at.exception
    return at


def fill(at: AppTest, name: str, target, translator, ner, encoder) -> None:
    for key, value in (
        ("m-name", name),
        ("m-target", str(target)),
        ("m-translator", str(translator)),
        ("m-ner", str(ner)),
        ("m-encoder", str(encoder)),
    ):
        at.text_input(key=key).set_value(value)
    at.number_input(key="m-layer").set_value(2)
    at.radio(key="m-device").set_value("cpu")


def test_home_page_creates_a_project_with_models(
    tmp_path, monkeypatch, demo, texts, tiny_translator, tiny_ner, tiny_encoder
):
    projects = tmp_path / "projects"
    at = home(projects, demo, monkeypatch)
    fill(at, "es models", texts / "es.txt", tiny_translator, tiny_ner, tiny_encoder)
    at.text_input(key="m-gold").set_value(str(texts / "gold.conll"))
    at.radio(key="m-candidates").set_value("ner")  # a spaCy model trained in the project
    at.button[-1].click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    project = open_project(projects / "es-models")
    assert at.session_state["project"] == "es-models"  # created and opened
    assert "es-models" in at.subheader[0].value
    assert [r.target_tokens for r in project.store.sentences()] == SPANISH
    assert {m.label: m.value for m in at.metric}["Target gold"] == "yes"
    assert any("English machine-translated from the target" in c.value for c in at.caption), [
        c.value for c in at.caption
    ]
    assert project.settings.candidates == "ner" and (project.folder / "ner-model" / "meta.json").exists()
    export = AppTest.from_file(str(REPO / "pages/4_Export.py"), default_timeout=60)
    export.session_state["project"] = "es-models"
    export.run()
    assert export.checkbox(key="export-drop-misc").value  # MISC dropped by default, as the command line does


def test_home_page_reports_bad_input(tmp_path, monkeypatch, demo, texts, tiny_translator, tiny_ner, tiny_encoder):
    projects = tmp_path / "projects"
    at = home(projects, demo, monkeypatch)
    fill(at, "broken", texts / "es.txt", tiny_translator, tmp_path / "no-such-ner", tiny_encoder)
    at.button[-1].click().run()
    assert not at.exception, at.exception
    assert len(at.error) == 1 and "no-such-ner" in at.error[0].value.replace("\\", ""), [e.value for e in at.error]
    assert sorted(p.name for p in projects.iterdir() if p.name != ".cache") == ["demo-es"]  # nothing half-built
    assert at.session_state["project"] == "demo-es"
    at.text_input(key="m-ner").set_value(str(tiny_ner))
    at.text_input(key="m-lang").set_value("klingon")
    at.button[-1].click().run()
    assert len(at.error) == 1 and "unknown language 'klingon'" in at.error[0].value.replace("\\", ""), [
        e.value for e in at.error
    ]
