"""The Ray engine on a local Ray started once for this module (2 CPUs): the same bytes as
the local engine for deterministic stages, and a worker that dies once is retried."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="Ray is optional: pip install -r requirements-ray.txt")

from core.cli import main  # noqa: E402
from core.corpus.io import read_conll, read_sentences, write_conll, write_text  # noqa: E402
from core.datamodel import Sentence  # noqa: E402

pytest_plugins = ["tests.model_fixtures"]


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, europarl):
    from tests.test_chunked import diagonal_links

    folder = tmp_path_factory.mktemp("ray")
    sources = read_conll(europarl / "en.conll")[:120]
    targets = read_sentences(europarl / "es.conll")[:120]
    write_conll(folder / "en.conll", sources)
    write_text(folder / "es.txt", targets)
    diagonal_links(folder / "links.pharaoh", [s.tokens for s in sources], [t.tokens for t in targets])
    return folder


def project(corpus: Path, out: Path, *extra: str) -> int:
    return main(
        [
            "project",
            "--source",
            str(corpus / "en.conll"),
            "--target",
            str(corpus / "es.txt"),
            "--alignments",
            str(corpus / "links.pharaoh"),
            "--target-lang",
            "es",
            "--out",
            str(out),
            "--quiet",
            "--chunk-size",
            "50",
            *extra,
        ]
    )


def test_ray_projection_writes_the_local_bytes_even_when_a_worker_dies(corpus, tmp_path, monkeypatch):
    assert project(corpus, tmp_path / "local.conll", "--workers", "1") == 0
    marker = tmp_path / "failed-once"
    monkeypatch.setenv("LABELBRIDGE_FAULT_ONCE", str(marker))  # the first task kills its worker process
    assert project(corpus, tmp_path / "ray.conll", "--engine", "ray") == 0
    assert marker.exists()  # a task did die, and was redone:
    assert (tmp_path / "ray.conll").read_bytes() == (tmp_path / "local.conll").read_bytes()


SPANISH = [
    "El señor Barroso visitó Madrid el lunes .",
    "La Comisión Europea aprobó el informe .",
    "Gracias .",
    "El Parlamento Europeo se reúne en Estrasburgo y en Bruselas .",
    "Señora Presidenta , ¿ qué opina la Comisión ?",
]


def pipeline(argv):
    from core.commands import pipeline as command

    parser = argparse.ArgumentParser(prog="python -m core")
    command.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.handler(args)


def test_ray_model_pipeline_writes_the_local_bytes(tmp_path, tiny_translator, tiny_ner, tiny_encoder, monkeypatch):
    text = tmp_path / "es.txt"
    write_text(text, [Sentence(tuple(s.split())) for s in SPANISH])
    models = [
        "--translator",
        str(tiny_translator),
        "--ner",
        str(tiny_ner),
        "--aligner-model",
        str(tiny_encoder),
        "--layer",
        "2",
        "--device",
        "cpu",
        "--max-new-tokens",
        "12",
        "--encoder-batch-size",
        "2",
        "--batch-size",
        "2",
        "--keep-misc",
        "--quiet",
    ]
    outputs = {}
    for engine in ("local", "ray"):
        if engine == "ray":
            monkeypatch.setenv(
                "LABELBRIDGE_FAULT_ONCE", str(tmp_path / "actor-died-once")
            )  # the first batch kills its actor
        out = tmp_path / engine
        assert (
            pipeline(
                [
                    "pipeline",
                    "--target-text",
                    str(text),
                    "--target-lang",
                    "es",
                    "--out",
                    str(out / "es.conll"),
                    "--english-out",
                    str(out / "en.conll"),
                    "--alignments-out",
                    str(out / "links.txt"),
                    "--cache-dir",
                    str(tmp_path / f"cache-{engine}"),
                    "--engine",
                    engine,
                    "--workers",
                    "1",
                    *models,
                ]
            )
            == 0
        )
        outputs[engine] = [(out / name).read_bytes() for name in ("es.conll", "en.conll", "links.txt")]
    assert (tmp_path / "actor-died-once").exists()  # an actor died, was restarted, and its batch redone:
    assert outputs["ray"] == outputs["local"]
    assert any(s.spans for s in read_conll(tmp_path / "ray" / "en.conll"))  # the tiny NER tagged something


def test_ray_refuses_what_it_does_not_run(tmp_path, tiny_translator, tiny_ner):
    from core.errors import UsageError

    text = tmp_path / "es.txt"
    write_text(text, [Sentence(("Gracias", "."))])
    with pytest.raises(UsageError, match="--back-translate and --method easyproject need --engine local"):
        pipeline(
            [
                "pipeline",
                "--target-text",
                str(text),
                "--target-lang",
                "es",
                "--out",
                str(tmp_path / "o.conll"),
                "--translator",
                str(tiny_translator),
                "--ner",
                str(tiny_ner),
                "--back-translate",
                "--engine",
                "ray",
                "--cache-dir",
                str(tmp_path / "c"),
            ]
        )
