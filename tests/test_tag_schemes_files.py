"""BILUO and BIOES CoNLL files through the readers and the command line (evaluate, project)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.corpus.io import read_conll
from core.corpus.tags import spans_to_iob2
from core.errors import CorpusError

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "demo"


def rewrite(source: Path, target: Path, scheme: str) -> Path:
    """The CoNLL file ``source`` with its entities written in BIOES or BILUO."""
    last, unit = {"BIOES": ("E", "S"), "BILUO": ("L", "U")}[scheme]
    blocks = []
    for sentence in read_conll(source):
        tags = spans_to_iob2(sentence.spans, len(sentence))
        for span in sentence.spans:
            if len(span) == 1:
                tags[span.start] = f"{unit}-{span.label}"
            else:
                tags[span.end - 1] = f"{last}-{span.label}"
        blocks.append("".join(f"{token}\t{tag}\n" for token, tag in zip(sentence.tokens, tags)))
    target.write_text("\n".join(blocks), encoding="utf-8")
    return target


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=REPO, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("scheme", ["BIOES", "BILUO"])
def test_reader_detects_the_scheme_and_gives_the_same_sentences(tmp_path, scheme):
    path = rewrite(DEMO / "es.conll", tmp_path / "es.conll", scheme)
    assert read_conll(path) == read_conll(DEMO / "es.conll")
    assert read_conll(path, scheme="IOBES" if scheme == "BIOES" else scheme) == read_conll(DEMO / "es.conll")


@pytest.mark.parametrize("scheme", ["BIOES", "BILUO"])
def test_evaluate_scores_a_file_in_another_scheme_like_its_iob2(tmp_path, scheme):
    """Gold in IOB2, prediction the same entities in BIOES/BILUO: a perfect score, and the
    same the other way round."""
    other = rewrite(DEMO / "es.conll", tmp_path / "es.conll", scheme)
    for gold, pred in [(DEMO / "es.conll", other), (other, DEMO / "es.conll")]:
        result = cli("evaluate", "--gold", str(gold), "--pred", str(pred), "--json")
        assert result.returncode == 0, result.stderr
        overall = json.loads(result.stdout)["overall"]
        assert overall["f1"] == 1.0 and overall["support"] == 66


def test_evaluate_biluo_with_a_wrong_entity_counts_it(tmp_path):
    other = rewrite(DEMO / "es.conll", tmp_path / "es.conll", "BILUO")
    text = other.read_text(encoding="utf-8").replace("U-", "U-X", 1)
    other.write_text(text, encoding="utf-8")
    overall = json.loads(cli("evaluate", "--gold", str(DEMO / "es.conll"), "--pred", str(other), "--json").stdout)[
        "overall"
    ]
    assert overall["support"] == 66 and overall["recall"] == pytest.approx(65 / 66)


@pytest.mark.parametrize("scheme", ["BIOES", "BILUO"])
def test_project_reads_a_source_in_another_scheme(tmp_path, scheme):
    source = rewrite(DEMO / "en.conll", tmp_path / "en.conll", scheme)
    outs = []
    for k, src in enumerate([DEMO / "en.conll", source]):
        out = tmp_path / f"out{k}.conll"
        result = cli(
            "project",
            "--source",
            str(src),
            "--target",
            str(DEMO / "es.conll"),
            "--alignments",
            str(DEMO / "en-es.pharaoh"),
            "--out",
            str(out),
            "--quiet",
        )
        assert result.returncode == 0, result.stderr
        outs.append(out.read_text(encoding="utf-8"))
    assert outs[0] == outs[1] and "B-" in outs[0]


def mixed(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.conll"
    path.write_text("Maria\tB-PER\nLopez\tL-PER\n\nin\tO\nMadrid\tS-LOC\n", encoding="utf-8")
    return path


def test_mixing_biluo_and_bioes_names_file_and_lines(tmp_path):
    with pytest.raises(CorpusError) as info:
        read_conll(mixed(tmp_path))
    message = str(info.value)
    assert "mixed.conll, line 5" in message and "'S-LOC'" in message and "is not BILUO" in message
    assert "read as BILUO because of 'L-PER' on line 2" in message


@pytest.mark.parametrize("command", ["evaluate", "project"])
def test_mixing_schemes_is_a_clear_cli_error(tmp_path, command):
    path = mixed(tmp_path)
    if command == "evaluate":
        result = cli("evaluate", "--gold", str(path), "--pred", str(path))
    else:
        target = tmp_path / "es.txt"
        target.write_text("Maria Lopez\nen Madrid\n", encoding="utf-8")
        result = cli(
            "project",
            "--source",
            str(path),
            "--target",
            str(target),
            "--out",
            str(tmp_path / "o.conll"),
            "--runs",
            "1",
            "--quiet",
        )
    assert result.returncode == 2, result.stderr
    assert (
        "mixed.conll, line 5" in result.stderr and "is not BILUO" in result.stderr and "Traceback" not in result.stderr
    )


def test_iob2_file_with_a_bioes_sentence_says_why_it_was_read_as_bioes(tmp_path):
    path = tmp_path / "half.conll"
    path.write_text("Maria\tB-PER\nLopez\tI-PER\n\nMadrid\tS-LOC\n", encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        read_conll(path)
    message = str(info.value)
    assert "half.conll, line 2" in message and "not closed by E-" in message and "'S-LOC' on line 4" in message


def test_a_stray_tag_that_decided_the_scheme_is_named_once(tmp_path):
    path = tmp_path / "stray.conll"
    path.write_text("Maria\tO\nLopez\tL-PER\n\nMadrid\tU-LOC\n", encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        read_conll(path)
    message = str(info.value)
    assert "stray.conll, line 2" in message and "does not continue an entity (scheme BILUO)" in message
    assert "an entity starts with B-PER or U-PER" in message and "read as" not in message
