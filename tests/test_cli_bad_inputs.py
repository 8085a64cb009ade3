"""Bad input through the real command line: each case is one clear line naming the user's
file (and line), exit code 2, no traceback, no output written and every input untouched.

The cases run ``core.cli.main`` in this process (the code ``python -m core`` runs), from a
folder holding the bundled demo corpus and the broken files; the permission cases run
``python -m core`` in a subprocess that lacks root's right to read any file.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core.cli import main

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
PHARAOH = (DEMO / "en-es.pharaoh").read_text(encoding="utf-8").splitlines()

# Broken files, by name; the cases below refer to them.
FILES: dict[str, bytes] = {
    "binary.conll": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",  # a gzip header
    "utf16.conll": "Paris\tB-LOC\n".encode("utf-16"),
    "latin1.conll": b"Paris\tB-LOC\n\n" + "Bogot\xe1\tB-LOC\n".encode("latin-1"),
    "empty.conll": b"",
    "blank.txt": b" \n\t\n",
    "tokens_only.conll": b"Paris\nis\n\nnice\n",
    "bad_tag.conll": b"Paris\tB-LOC\nis\tO\n\nMadrid\tB_LOC\n",
    "orphan.conll": b"John\tB-PER\n\nin\tO\nParis\tI-LOC\n",
    "columns.conll": b"Paris\tB-LOC\nis\tO\tX\n",
    "short.txt": b"una frase\n",
    "range.pharaoh": "\n".join(PHARAOH[:2] + [PHARAOH[2] + " 99-0"] + PHARAOH[3:]).encode() + b"\n",
    "lines.pharaoh": "\n".join(PHARAOH[:5]).encode() + b"\n",
    "syntax.pharaoh": "\n".join(["0:0"] + PHARAOH[1:]).encode() + b"\n",
    "weight.pharaoh": "\n".join(PHARAOH[:3] + ["0-0:1.5"] + PHARAOH[4:]).encode() + b"\n",
    "binary.pharaoh": b"\x00\x01\x02",
    "no_entities.conll": b"Paris\tO\nis\tO\n",
    "one.txt": "Par\xeds es\n".encode(),
    "gold_two.conll": b"Paris\tB-LOC\nis\tO\n\nin\tO\nMadrid\tB-LOC\n",
    "pred_other_tokens.conll": b"Paris\tB-LOC\nwas\tO\n\nin\tO\nMadrid\tB-LOC\n",
    "pred_three.conll": b"Paris\tB-LOC\nis\tO\n\nin\tO\nMadrid\tB-LOC\n\nso\tO\n",
    "pred_orphan.conll": b"Paris\tI-LOC\nis\tO\n\nin\tO\nMadrid\tB-LOC\n",
    "pred_bad_tag.conll": b"Paris\tLOC\nis\tO\n\nin\tO\nMadrid\tB-LOC\n",
}

PROJECT = ["project", "--source", "en.conll", "--target", "es.txt", "--alignments", "en-es.pharaoh", "--quiet"]


@dataclass(frozen=True)
class Case:
    id: str
    argv: list[str]
    says: tuple[str, ...]  # substrings of the message: the user's file, line, what is wrong
    outcome: str = "error"  # error: exit 2; warning: exit 0 with a warning; ok: exit 0
    writes: tuple[str, ...] = field(default=())  # files an ok/warning run may create


def project(*extra: str, out: str = "out.conll") -> list[str]:
    return [*PROJECT, "--out", out, *extra]


def replace(argv: list[str], option: str, value: str) -> list[str]:
    argv = list(argv)
    argv[argv.index(option) + 1] = value
    return argv


CASES = [
    # -- outputs that would destroy an input, or cannot be written
    Case("out-is-source", replace(project(), "--out", "en.conll"), ("--out en.conll", "same file as --source")),
    Case("out-is-target", replace(project(), "--out", "es.txt"), ("--out es.txt", "same file as --target")),
    Case(
        "out-is-target-by-another-path",
        replace(project(), "--out", "./sub/../es.txt"),
        ("es.txt", "same file as --target"),
    ),
    Case(
        "out-is-target-by-hard-link",
        replace(project(), "--out", "es-link.txt"),
        ("es-link.txt", "same file as --target"),
    ),
    Case(
        "out-is-alignments",
        replace(project(), "--out", "en-es.pharaoh"),
        ("--out en-es.pharaoh", "same file as --alignments"),
    ),
    Case(
        "save-alignments-is-out",
        project("--save-alignments", "out.conll"),
        ("--save-alignments out.conll", "same file as --out"),
    ),
    Case("out-is-a-folder", replace(project(), "--out", "sub"), ("--out sub", "is a folder")),
    Case(
        "out-under-a-file",
        replace(project(), "--out", "en.conll/x.conll"),
        ("en.conll/x.conll", "is a file, not a folder"),
    ),
    Case(
        "out-in-a-new-folder",
        replace(project(), "--out", "new/folder/out.conll"),
        ("new/folder/out.conll",),
        "ok",
        ("new/folder/out.conll",),
    ),
    Case(
        "out-on-a-full-disk",
        replace(project(), "--out", "/dev/full"),
        ("/dev/full", "cannot be written", "No space left"),
    ),
    Case("out-to-dev-null-stays-a-device", replace(project(), "--out", "/dev/null"), ("/dev/null",), "ok"),
    Case(
        "align-out-is-target",
        ["align", "--source", "en.conll", "--target", "es.txt", "--out", "es.txt"],
        ("--out es.txt", "same file as --target"),
    ),
    Case(
        "pipeline-out-is-input",
        ["pipeline", "--target-text", "es.txt", "--target-lang", "es", "--out", "es.txt"],
        ("--out es.txt", "same file as --target-text"),
    ),
    Case(
        "paper-eval-json-out-is-gold",
        ["paper-eval", "--gold", "es.conll", "--lang", "es", "--json-out", "es.conll"],
        ("--json-out es.conll", "same file as --gold"),
    ),
    # -- input files that cannot be read as text
    Case("source-missing", replace(project(), "--source", "nope.conll"), ("nope.conll", "no such file")),
    Case("source-is-a-folder", replace(project(), "--source", "sub"), ("sub", "is a directory")),
    Case("target-is-a-folder", replace(project(), "--target", "sub"), ("sub", "is a directory")),
    Case("source-binary", replace(project(), "--source", "binary.conll"), ("binary.conll, line 1", "binary file")),
    Case("source-utf16", replace(project(), "--source", "utf16.conll"), ("utf16.conll, line 1", "UTF-16")),
    Case("source-latin1", replace(project(), "--source", "latin1.conll"), ("latin1.conll, line 3", "not valid UTF-8")),
    Case("source-empty", replace(project(), "--source", "empty.conll"), ("empty.conll", "empty")),
    Case("target-blank", replace(project(), "--target", "blank.txt"), ("blank.txt", "empty")),
    # -- CoNLL content
    Case(
        "source-without-tags",
        replace(project(), "--source", "tokens_only.conll"),
        ("tokens_only.conll, line 1", "one column"),
    ),
    Case(
        "source-bad-tag",
        replace(project(), "--source", "bad_tag.conll"),
        ("bad_tag.conll, line 4", "invalid tag 'B_LOC'"),
    ),
    Case(
        "source-orphan-inside-tag",
        replace(project(), "--source", "orphan.conll"),
        ("orphan.conll, line 4", "does not continue an entity", "B-LOC"),
    ),
    Case(
        "source-column-count",
        replace(project(), "--source", "columns.conll"),
        ("columns.conll, line 2", "expected 2 columns"),
    ),
    Case(
        "sentence-counts-differ",
        replace(project(), "--target", "short.txt"),
        ("short.txt", "has 1 sentences but en.conll has 36"),
    ),
    # -- alignments
    Case(
        "link-out-of-range",
        replace(project(), "--alignments", "range.pharaoh"),
        ("range.pharaoh, line 3", "link 99-0 is outside"),
    ),
    Case(
        "alignment-line-count",
        replace(project(), "--alignments", "lines.pharaoh"),
        ("lines.pharaoh", "has 5 lines but the corpus has 36"),
    ),
    Case(
        "alignment-syntax",
        replace(project(), "--alignments", "syntax.pharaoh"),
        ("syntax.pharaoh, line 1", "'0:0' is not a link"),
    ),
    Case(
        "alignment-weight", replace(project(), "--alignments", "weight.pharaoh"), ("weight.pharaoh, line 4", "weight")
    ),
    Case(
        "alignment-binary",
        replace(project(), "--alignments", "binary.pharaoh"),
        ("binary.pharaoh, line 1", "binary file"),
    ),
    Case("alignments-missing", replace(project(), "--alignments", "gone.pharaoh"), ("gone.pharaoh", "no such file")),
    # -- options
    Case("method-easyproject", project("--method", "easyproject"), ("--method", "pipeline", "--method easyproject")),
    Case("method-unknown", project("--method", "magic"), ("--method", "'magic' is not a method")),
    Case("n-proj-zero", project("--n-proj", "0"), ("--n-proj", "0 is too small")),
    Case("max-ngram-text", project("--max-ngram", "ten"), ("--max-ngram", "'ten' is not a whole number")),
    Case("runs-negative", project("--runs", "-2"), ("--runs", "-2 is too small")),
    Case("prefix-length-float", project("--prefix-length", "3.5"), ("--prefix-length", "'3.5' is not a whole number")),
    Case("aligner-unknown", project("--aligner", "giza"), ("--aligner", "'giza'")),
    Case("ner-candidates-without-model", project("--candidates", "ner"), ("--candidates ner needs --ner-model",)),
    Case(
        "symmetrization-soft-is-accepted",
        [
            "align",
            "--source",
            "en.conll",
            "--target",
            "es.txt",
            "--out",
            "a.pharaoh",
            "--quiet",
            "--runs",
            "1",
            "--symmetrization",
            "soft",
        ],
        ("a.pharaoh",),
        "ok",
        ("a.pharaoh",),
    ),
    Case(
        "align-plain-weight",
        ["align", "--source", "en.conll", "--target", "es.txt", "--out", "a.pharaoh", "--plain", "2"],
        ("--plain", "2 is not in (0, 1]"),
    ),
    Case(
        "pipeline-batch-size",
        ["pipeline", "--target-text", "es.txt", "--target-lang", "es", "--out", "o.conll", "--batch-size", "0"],
        ("--batch-size", "0 is too small"),
    ),
    Case(
        "pipeline-cache-dir-is-a-file",
        ["pipeline", "--target-text", "es.txt", "--target-lang", "es", "--out", "o.conll", "--cache-dir", "es.conll"],
        ("--cache-dir es.conll", "is a file"),
    ),
    Case(
        "target-lang-unknown",
        project("--target-lang", "klingon"),
        ("warning: --target-lang klingon", "no function-word list"),
        "warning",
        ("out.conll",),
    ),
    Case(
        "paper-eval-limit",
        ["paper-eval", "--gold", "es.conll", "--lang", "es", "--limit", "x"],
        ("--limit", "'x' is not a whole number"),
    ),
    # -- evaluate
    Case(
        "evaluate-other-tokens",
        ["evaluate", "--gold", "gold_two.conll", "--pred", "pred_other_tokens.conll"],
        ("pred_other_tokens.conll, line 2", "other tokens than in gold_two.conll"),
    ),
    Case(
        "evaluate-sentence-count",
        ["evaluate", "--gold", "gold_two.conll", "--pred", "pred_three.conll"],
        ("pred_three.conll", "has 3 sentences but gold_two.conll has 2"),
    ),
    Case("evaluate-pred-folder", ["evaluate", "--gold", "gold_two.conll", "--pred", "sub"], ("sub", "is a directory")),
    Case(
        "evaluate-bad-tag",
        ["evaluate", "--gold", "gold_two.conll", "--pred", "pred_bad_tag.conll"],
        ("pred_bad_tag.conll, line 1", "invalid tag 'LOC'"),
    ),
    Case(
        "evaluate-strict-orphan",
        ["evaluate", "--gold", "gold_two.conll", "--pred", "pred_orphan.conll", "--strict"],
        ("pred_orphan.conll, line 1", "does not continue an entity", "--strict"),
    ),
    Case(
        "evaluate-orphan-scored",
        ["evaluate", "--gold", "gold_two.conll", "--pred", "pred_orphan.conll", "--json"],
        (),
        "ok",
    ),
    # -- inputs that look mixed up: a warning before the work, then the work
    Case(
        "source-without-entities",
        [
            "project",
            "--source",
            "no_entities.conll",
            "--target",
            "one.txt",
            "--out",
            "out.conll",
            "--quiet",
            "--runs",
            "1",
        ],
        ("warning: no_entities.conll has no entities",),
        "warning",
        ("out.conll",),
    ),
    Case(
        "source-and-target-swapped",
        [
            "project",
            "--source",
            "es.conll",
            "--target",
            "en.conll",
            "--out",
            "out.conll",
            "--quiet",
            "--runs",
            "1",
            "--target-lang",
            "es",
        ],
        ("warning: --target-lang es:", "es.conll", "swapped"),
        "warning",
        ("out.conll",),
    ),
]


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    for name in ("en.conll", "es.conll", "en-es.pharaoh"):
        shutil.copy(DEMO / name, tmp_path / name)
    from core.corpus.io import read_conll, write_text

    write_text(tmp_path / "es.txt", read_conll(DEMO / "es.conll"))
    os.link(tmp_path / "es.txt", tmp_path / "es-link.txt")
    (tmp_path / "sub").mkdir()
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_main(argv: list[str], capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse
        code = exit_.code
    return code, capsys.readouterr().err


def check_outcome(case: Case, code: int, stderr: str, before: dict, after: dict) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr
    for text in case.says:
        assert text in stderr, (text, stderr)
    if case.outcome == "error":
        assert code == 2, stderr
        assert len(lines) == 1 and lines[0].startswith("error: "), stderr
        assert after == before  # nothing written, every input untouched
    else:
        assert code == 0, stderr
        assert not any(line.startswith("error") for line in lines), stderr
        if case.outcome == "warning":
            warnings = [k for k, line in enumerate(lines) if line.startswith("warning: ")]
            assert len(warnings) == 1 and warnings[0] < len(lines) - 1, stderr  # before the work's report
        assert {k: v for k, v in after.items() if k not in case.writes} == before
        assert all(name in after for name in case.writes)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, workdir: Path, capsys):
    before = snapshot(workdir)
    code, stderr = run_main(case.argv, capsys)
    check_outcome(case, code, stderr, before, snapshot(workdir))
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_plain_value_error_from_library_code_is_one_line(workdir: Path, capsys, monkeypatch):
    """Library code raises plain ValueError for a bad choice (an aligner's option, a
    solver's name); the command line prints it as one line, in one place (core.cli)."""
    from core import alignment

    def strict_aligner(**options):
        raise ValueError(f"unknown option {sorted(options)[0]!r} for this aligner")

    monkeypatch.setitem(alignment._FACTORIES, "strict", strict_aligner)  # a plug-in aligner, removed afterwards
    before = snapshot(workdir)
    argv = [
        "project",
        "--source",
        "en.conll",
        "--target",
        "es.txt",
        "--out",
        "out.conll",
        "--aligner",
        "strict",
        "--quiet",
    ]
    code, stderr = run_main(argv, capsys)
    assert code == 2 and stderr == "error: unknown option 'device' for this aligner\n"
    assert snapshot(workdir) == before


def test_there_are_enough_cases():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


# -- Permissions: root reads everything, so the subprocess drops that right. -------------------


def _without_root_rights() -> list[str]:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: every file is readable")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]


def cli_subprocess(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [*_without_root_rights(), sys.executable, "-m", "core", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


PERMISSION_CASES = [
    Case("source-unreadable", replace(project(), "--source", "locked.conll"), ("locked.conll", "permission denied")),
    Case(
        "pharaoh-unreadable", replace(project(), "--alignments", "locked.conll"), ("locked.conll", "permission denied")
    ),
    Case(
        "out-folder-read-only",
        replace(project(), "--out", "readonly/out.conll"),
        ("readonly/out.conll", "cannot write in the folder readonly", "permission denied"),
    ),
]


@pytest.mark.parametrize("case", PERMISSION_CASES, ids=[c.id for c in PERMISSION_CASES])
def test_permissions(case: Case, workdir: Path):
    locked = workdir / "locked.conll"
    shutil.copy(workdir / "en.conll", locked)
    locked.chmod(0)
    (workdir / "readonly").mkdir()
    (workdir / "readonly").chmod(0o555)
    before = snapshot(workdir) if os.geteuid() == 0 else None
    result = cli_subprocess(case.argv, workdir)
    after = snapshot(workdir) if os.geteuid() == 0 else None
    check_outcome(case, result.returncode, result.stderr, before, after)
