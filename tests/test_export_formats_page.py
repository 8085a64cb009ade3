"""The Export page offers every training and annotation-tool format, each with where it loads;
in Chromium each download gives a file that loads (the files are built when clicked)."""

from __future__ import annotations

import json
import zipfile

import pytest
from browser_support import free_port, start_server, stop_server  # noqa: F401
from helpers import REPO, build_demo_project, copy_project
from streamlit.testing.v1 import AppTest

from core.corpus.io import read_conll
from core.formats import EXPORTS
from core.review import export as review_export
from core.review.export import clean_sentences, save_export, to_conll, to_jsonl
from core.review.project import open_project


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_demo_project(tmp_path_factory.mktemp("built-export") / "demo-es").folder


@pytest.fixture
def projects(built, tmp_path, monkeypatch):
    folder = tmp_path / "projects"
    copy_project(built, folder / "demo-es")
    monkeypatch.setenv("LABELBRIDGE_PROJECTS", str(folder))
    return folder


def test_export_page_lists_each_format_with_where_it_loads(projects):
    at = AppTest.from_file(str(REPO / "pages/4_Export.py"), default_timeout=60)
    at.run()
    at.radio[0].set_value("all").run()
    assert not at.exception, at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [
        "Download CoNLL (IOB2)",
        "Download JSONL with provenance",
        "Download spaCy DocBin",
        "Download Hugging Face dataset as .zip",
        "Download Hugging Face JSONL",
        "Download Label Studio JSON",
        "Download Prodigy JSONL",
    ]
    captions = [c.value for c in at.caption]
    for fmt in EXPORTS.values():
        if fmt.name != "conll":
            assert fmt.loads in captions


def test_a_large_export_is_written_into_the_project_folder_not_held_for_a_download(projects, monkeypatch):
    """Streamlit holds a download's whole file in memory (77 MB of JSONL at 100,000 sentences):
    above the limit the page writes the files into <project>/exports/ instead, streamed."""
    monkeypatch.setattr(review_export, "DOWNLOAD_MAX_SENTENCES", 20)
    at = AppTest.from_file(str(REPO / "pages/4_Export.py"), default_timeout=60)
    at.run()
    at.radio[0].set_value("all").run()
    assert not at.exception, at.exception
    assert not at.get("download_button")
    assert "36 sentences are more than the 20" in at.info[0].value
    assert [b.label for b in at.button] == [
        "Write CoNLL (IOB2)",
        "Write JSONL with provenance",
        "Write spaCy DocBin",
        "Write Hugging Face dataset",
        "Write Hugging Face JSONL",
        "Write Label Studio JSON",
        "Write Prodigy JSONL",
    ]
    store = open_project(projects / "demo-es").store
    folder = projects / "demo-es" / "exports"
    for key in ("write-conll", "write-jsonl", "write-hf", "write-spacy"):
        at.button(key=key).click().run()
        assert not at.exception, at.exception
    expected = list(clean_sentences(store, "all", "matching"))
    assert (folder / "demo-es-all.conll").read_text(encoding="utf-8") == to_conll(expected)
    assert (folder / "demo-es-all.jsonl").read_text(encoding="utf-8") == to_jsonl(expected)
    assert [s.spans for s in read_conll(folder / "demo-es-all.conll")] == [s.sentence().spans for s in expected]
    assert (folder / "demo-es-all" / "dataset_info.json").exists() and (folder / "demo-es-all.spacy").stat().st_size
    shown = [s.value for s in at.success]
    assert any("demo-es/exports/demo-es-all.conll" in text for text in shown), shown
    assert not any(str(projects) in text for text in shown)  # the server's folders are not spelt out
    at.checkbox(key="export-drop-misc").check().run()
    for key in ("write-conll", "write-hf"):  # written again: replaced whole, nothing left beside it
        at.button(key=key).click().run()
        assert not at.exception and not at.error, (at.exception, at.error)
    assert "MISC" not in (folder / "demo-es-all.conll").read_text(encoding="utf-8")
    assert sorted(p.name for p in folder.iterdir()) == [
        "demo-es-all",
        "demo-es-all.conll",
        "demo-es-all.jsonl",
        "demo-es-all.spacy",
    ]


def test_an_export_folder_that_cannot_be_written_is_one_clear_error(projects, monkeypatch):
    monkeypatch.setattr(review_export, "DOWNLOAD_MAX_SENTENCES", 20)
    (projects / "demo-es" / "exports").write_text("not a folder")  # e.g. an operator's file in the way
    at = AppTest.from_file(str(REPO / "pages/4_Export.py"), default_timeout=60)
    at.run()
    at.radio[0].set_value("all").run()
    for key in ("write-conll", "write-label-studio"):
        at.button(key=key).click().run()
        assert not at.exception, at.exception
        (error,) = [e.value for e in at.error]
        assert "not written\\: the server could not write demo-es/exports/demo-es-all." in error, error
        assert str(projects) not in error
    assert (projects / "demo-es" / "exports").read_text() == "not a folder"


def test_files_written_to_the_project_folder_are_named_by_the_folder_not_the_display_name(projects, monkeypatch):
    """A project's display name is free text (project.json); a file name made of it could leave the folder."""
    monkeypatch.setattr(review_export, "DOWNLOAD_MAX_SENTENCES", 20)
    settings = projects / "demo-es" / "project.json"
    settings.write_text(json.dumps({**json.loads(settings.read_text()), "name": "../../escaped"}))
    at = AppTest.from_file(str(REPO / "pages/4_Export.py"), default_timeout=60)
    at.run()
    at.radio[0].set_value("all").run()
    at.button(key="write-jsonl").click().run()
    assert not at.exception, at.exception
    assert [p.name for p in (projects / "demo-es" / "exports").iterdir()] == ["demo-es-all.jsonl"]
    assert not list(projects.parent.rglob("escaped*"))


def test_an_export_that_fails_half_way_leaves_the_older_file_and_no_part(projects):
    store = open_project(projects / "demo-es").store
    dest = projects / "demo-es" / "exports" / "out.conll"
    save_export(clean_sentences(store, "all", "matching"), "conll", dest)
    before = dest.read_text(encoding="utf-8")

    def failing():
        yield from list(clean_sentences(store, "all", "matching"))[:5]
        raise OSError("disk full")

    with pytest.raises(OSError):
        save_export(failing(), "conll", dest)
    assert dest.read_text(encoding="utf-8") == before
    assert [p.name for p in dest.parent.iterdir()] == ["out.conll"]


@pytest.mark.browser
def test_downloads_in_the_browser_load_in_spacy_and_datasets(browser, projects, tmp_path):
    import datasets
    from spacy.tokens import DocBin

    store = open_project(projects / "demo-es").store
    expected = [s.sentence() for s in clean_sentences(store, "all", "matching")]
    n_entities = sum(len(s.spans) for s in expected)
    process = start_server(projects, port := free_port(), tmp_path / "server.log")
    try:
        page = browser.new_page(accept_downloads=True)
        page.goto(f"http://127.0.0.1:{port}/Export?project=demo-es")
        page.get_by_text("All 36, unreviewed ones from a method").click()
        page.get_by_text(f"36 sentences, {n_entities} entities.").wait_for(timeout=30_000)
        files = {}
        for title in (
            "Download spaCy DocBin",
            "Download Hugging Face dataset as .zip",
            "Download Label Studio JSON",
            "Download Prodigy JSONL",
            "Download Hugging Face JSONL",
        ):
            with page.expect_download(timeout=60_000) as info:
                page.get_by_role("button", name=title).click()
            download = info.value
            files[title] = tmp_path / "downloads" / download.suggested_filename
            download.save_as(files[title])
        assert sorted(p.name for p in (tmp_path / "downloads").iterdir()) == [
            "demo-es-all.hf.jsonl",
            "demo-es-all.json",
            "demo-es-all.prodigy.jsonl",
            "demo-es-all.spacy",
            "demo-es-all.zip",
        ]
        page.close()
    finally:
        stop_server(process)
    docs = list(DocBin().from_disk(files["Download spaCy DocBin"]).get_docs(__import__("spacy").blank("es").vocab))
    assert [tuple(t.text for t in d) for d in docs] == [s.tokens for s in expected]
    assert sum(len(d.ents) for d in docs) == n_entities
    with zipfile.ZipFile(files["Download Hugging Face dataset as .zip"]) as archive:
        archive.extractall(tmp_path / "unzipped")
    saved = datasets.load_from_disk(str(tmp_path / "unzipped" / "demo-es-all"))
    assert saved.num_rows == 36 and saved.features["ner_tags"].feature.names[0] == "O"
    tasks = json.loads(files["Download Label Studio JSON"].read_text(encoding="utf-8"))
    assert sum(len(t["annotations"][0]["result"]) for t in tasks) == n_entities
    lines = files["Download Prodigy JSONL"].read_text(encoding="utf-8").splitlines()
    assert sum(len(json.loads(line)["spans"]) for line in lines) == n_entities
    assert len(files["Download Hugging Face JSONL"].read_text(encoding="utf-8").splitlines()) == 36
