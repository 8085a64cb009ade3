"""End-to-end tests of the three commands on the bundled demo corpus (data/demo/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.corpus.evaluate import evaluate
from core.corpus.io import read_conll, read_pharaoh, write_conll, write_text

pytest_plugins = ["tests.model_fixtures"]

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
N_PAIRS = 36


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "core", *args], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def slice_files(tmp_path_factory) -> dict[str, Path]:
    """The demo corpus: English CoNLL, Spanish gold CoNLL, Spanish text."""
    folder = tmp_path_factory.mktemp("demo-corpus")
    english = read_conll(DEMO / "en.conll")
    spanish = read_conll(DEMO / "es.conll")
    files = {"source": folder / "en.conll", "gold": folder / "es.conll", "text": folder / "es.txt"}
    write_conll(files["source"], english)
    write_conll(files["gold"], spanish)
    write_text(files["text"], spanish)
    return files


@pytest.fixture(scope="module")
def alignments(slice_files, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("align") / "en-es.pharaoh"
    cli(
        "align",
        "--source",
        str(slice_files["source"]),
        "--target",
        str(slice_files["text"]),
        "--out",
        str(out),
        "--runs",
        "2",
        "--target-lang",
        "es",
        "--quiet",
    )
    return out


def test_align_writes_one_line_of_valid_links_per_pair(slice_files, alignments):
    from core.corpus.io import read_parallel

    pairs = read_parallel(slice_files["source"], slice_files["text"])
    read = read_pharaoh(alignments, pairs)  # checks line count and every index
    assert len(read) == N_PAIRS
    assert sum(len(a) for a in read) > 5 * N_PAIRS
    # eflomal has no seed, so no statistical link is certain; the lexical anchors are:
    # "Maria Lindqvist" is spelled alike on both sides of the first pair
    assert {(0, 0), (1, 1)} <= read[0].links


@pytest.mark.parametrize("method", ["heuristic", "matching"])
def test_project_keeps_target_tokens_and_finds_most_entities(slice_files, alignments, tmp_path, method):
    out = tmp_path / "projected.conll"
    cli(
        "project",
        "--source",
        str(slice_files["source"]),
        "--target",
        str(slice_files["text"]),
        "--alignments",
        str(alignments),
        "--out",
        str(out),
        "--method",
        method,
        "--target-lang",
        "es",
        "--quiet",
    )
    gold = read_conll(slice_files["gold"])
    projected = read_conll(out)
    assert [s.tokens for s in projected] == [s.tokens for s in gold]
    # 36 pairs are little to learn alignments from (about 0.9 measured); Europarl scores ~88 (README).
    assert evaluate(gold, projected).overall.f1 > 0.7


def test_project_aligns_by_itself_and_ignores_target_tags(slice_files, tmp_path):
    out = tmp_path / "projected.conll"
    result = cli(
        "project",
        "--source",
        str(slice_files["source"]),
        "--target",
        str(slice_files["gold"]),
        "--out",
        str(out),
        "--runs",
        "1",
        "--solver",
        "greedy",
        "--drop-label",
        "MISC",
        "--quiet",
    )
    projected = read_conll(out)
    assert [s.tokens for s in projected] == [s.tokens for s in read_conll(slice_files["gold"])]
    assert all(span.label != "MISC" for s in projected for span in s.spans)
    assert "projected" in result.stderr and str(out) in result.stderr


def test_evaluate_prints_seqeval_scores(slice_files, alignments, tmp_path):
    out = tmp_path / "projected.conll"
    cli(
        "project",
        "--source",
        str(slice_files["source"]),
        "--target",
        str(slice_files["text"]),
        "--alignments",
        str(alignments),
        "--out",
        str(out),
        "--quiet",
    )
    result = cli("evaluate", "--gold", str(slice_files["gold"]), "--pred", str(out), "--json")
    scores = json.loads(result.stdout)
    expected = evaluate(read_conll(slice_files["gold"]), read_conll(out))
    assert scores["overall"]["f1"] == pytest.approx(expected.overall.f1)
    assert set(scores["per_label"]) <= {"PER", "LOC", "ORG", "MISC"}
    table = cli("evaluate", "--gold", str(slice_files["gold"]), "--pred", str(out), "--ignore-label", "MISC").stdout
    assert "overall" in table and "MISC" not in table


def test_bad_input_is_one_clear_line_without_traceback(slice_files, tmp_path):
    broken = tmp_path / "broken.conll"
    broken.write_text("Paris\tB-LOC\nis\tO\tX\n", encoding="utf-8")
    result = cli(
        "project",
        "--source",
        str(broken),
        "--target",
        str(slice_files["text"]),
        "--out",
        str(tmp_path / "o.conll"),
        check=False,
    )
    assert result.returncode == 2
    assert f"{broken}, line 2: expected 2 columns" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o.conll").exists()

    short = tmp_path / "short.txt"
    short.write_text("una frase\n", encoding="utf-8")
    result = cli(
        "project",
        "--source",
        str(slice_files["source"]),
        "--target",
        str(short),
        "--out",
        str(tmp_path / "o.conll"),
        check=False,
    )
    assert result.returncode == 2 and f"{short}: has 1 sentences but" in result.stderr


def test_help_teaches_with_examples():
    assert "python -m core project" in cli("--help").stdout
    project_help = cli("project", "--help").stdout
    assert "examples:" in project_help and "--alignments" in project_help and "--target-lang" in project_help


def test_project_with_ner_candidates_lands_only_on_spans_the_model_proposes(
    slice_files, alignments, tiny_ner, tmp_path
):
    from core.models.ner import load_tagger, ner_candidates

    out = tmp_path / "projected.conll"
    cli(
        "project",
        "--source",
        str(slice_files["source"]),
        "--target",
        str(slice_files["text"]),
        "--alignments",
        str(alignments),
        "--out",
        str(out),
        "--candidates",
        "ner",
        "--ner-model",
        str(tiny_ner),
        "--quiet",
    )
    projected = read_conll(out)
    targets = read_conll(slice_files["gold"])
    proposed = ner_candidates(load_tagger(str(tiny_ner), device="cpu"), [s.tokens for s in targets])
    assert [s.tokens for s in projected] == [s.tokens for s in targets]
    assert sum(len(s.spans) for s in projected) > 0
    for sentence, spans in zip(projected, proposed):
        assert {(s.start, s.end) for s in sentence.spans} <= set(spans)


def test_missing_ner_model_is_one_sentence(slice_files, alignments, tmp_path):
    result = cli(
        "project",
        "--source",
        str(slice_files["source"]),
        "--target",
        str(slice_files["text"]),
        "--alignments",
        str(alignments),
        "--out",
        str(tmp_path / "o.conll"),
        "--candidates",
        "ner",
        "--ner-model",
        str(tmp_path / "no-such-model"),
        check=False,
    )
    assert result.returncode == 2
    assert "no-such-model" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--n-proj", "0", "0 is too small"),
        ("--runs", "x", "'x' is not a whole number"),
        ("--max-ngram", "-1", "-1 is too small"),
    ],
)
def test_numeric_options_are_checked(slice_files, tmp_path, option, value, message):
    result = cli(
        "project",
        "--source",
        str(slice_files["source"]),
        "--target",
        str(slice_files["text"]),
        "--out",
        str(tmp_path / "o.conll"),
        option,
        value,
        check=False,
    )
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "o.conll").exists()


def test_evaluate_scores_orphan_inside_tags_like_seqeval(europarl, tmp_path):
    """A prediction whose entities often start with I- (as some taggers write them) is
    scored exactly as seqeval's default mode scores it; --strict refuses it by line."""
    from seqeval.metrics import f1_score

    gold_tags, pred_lines, pred_tags = [], [], []
    for k, block in enumerate((europarl / "es.conll").read_text(encoding="utf-8").strip().split("\n\n")):
        rows = [line.split("\t") for line in block.splitlines()]
        gold_tags.append([tag for _, tag in rows])
        tags = [tag.replace("B-", "I-") if k % 2 == 0 else tag for _, tag in rows]  # orphan I- in every other sentence
        if k % 5 == 0:
            tags = ["O"] + tags[:-1]  # and some shifted spans, so the score is not perfect
        pred_tags.append(tags)
        pred_lines.append("".join(f"{token}\t{tag}\n" for (token, _), tag in zip(rows, tags)))
    pred = tmp_path / "orphans.conll"
    pred.write_text("\n".join(pred_lines), encoding="utf-8")
    scores = json.loads(cli("evaluate", "--gold", str(europarl / "es.conll"), "--pred", str(pred), "--json").stdout)
    expected = f1_score(gold_tags, pred_tags)
    assert 0.5 < expected < 0.95
    assert scores["overall"]["f1"] == pytest.approx(expected)
    strict = cli("evaluate", "--gold", str(europarl / "es.conll"), "--pred", str(pred), "--strict", check=False)
    assert (
        strict.returncode == 2 and f"{pred}, line " in strict.stderr and "does not continue an entity" in strict.stderr
    )
    assert "Traceback" not in strict.stderr


def test_output_files_get_normal_permissions(tmp_path):
    demo = REPO / "data" / "demo"
    out, links = tmp_path / "es.conll", tmp_path / "links.pharaoh"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "core",
            "project",
            "--source",
            str(demo / "en.conll"),
            "--target",
            str(demo / "es.conll"),
            "--alignments",
            str(demo / "en-es.pharaoh"),
            "--out",
            str(out),
            "--save-alignments",
            str(links),
            "--quiet",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        umask=0o022,
    )
    assert result.returncode == 0, result.stderr
    assert oct(out.stat().st_mode & 0o777) == oct(0o644) and oct(links.stat().st_mode & 0o777) == oct(0o644)


def test_swapped_files_are_warned_about_before_aligning(tmp_path):
    """English given as the target of Spanish entities, with --target-lang es: a warning
    on stderr before the alignment's progress bar."""
    demo = REPO / "data" / "demo"
    result = cli(
        "project",
        "--source",
        str(demo / "es.conll"),
        "--target",
        str(demo / "en.conll"),
        "--out",
        str(tmp_path / "o.conll"),
        "--runs",
        "1",
        "--target-lang",
        "es",
    )
    warning = result.stderr.index("warning: --target-lang es:")
    assert "swapped" in result.stderr and warning < result.stderr.index("aligning")
