"""The Export page offers every training and annotation-tool format, each with where it loads;
in Chromium each download gives a file that loads (the files are built when clicked)."""

from __future__ import annotations

import json
import zipfile

import pytest
from browser_support import free_port, start_server, stop_server  # noqa: F401
from helpers import REPO, build_demo_project, copy_project
from streamlit.testing.v1 import AppTest

from core.formats import EXPORTS
from core.review.export import clean_sentences
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
