"""Streaming, chunked and resumable projection (core.scale.streaming, core.scale.chunked, `project`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main
from core.commands.options import DEFAULTS
from core.corpus.io import (
    read_conll,
    read_parallel,
    read_pharaoh,
    read_sentences,
    write_conll,
    write_pharaoh,
)
from core.errors import CorpusError, UsageError
from core.projection.pipeline import project_corpus
from core.scale.streaming import iter_sentences, scan

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"


def diagonal_links(path: Path, sources, targets) -> None:
    """Deterministic links (word k to word k, some weighted) standing in for an aligner's."""
    lines = []
    for s, t in zip(sources, targets):
        n = min(len(s), len(t))
        lines.append(" ".join(f"{k}-{k}" if k % 3 else f"{k}-{k}:0.6" for k in range(n)))
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, europarl):
    """300 pairs of the shared corpus (tokenised target text) with fixed links."""
    folder = tmp_path_factory.mktemp("chunked")
    sources = read_conll(europarl / "en.conll")[:300]
    targets = read_sentences(europarl / "es.conll")[:300]
    write_conll(folder / "en.conll", sources)
    (folder / "es.txt").write_text("".join(" ".join(t.tokens) + "\n" for t in targets), encoding="utf-8")
    diagonal_links(folder / "links.pharaoh", [s.tokens for s in sources], [t.tokens for t in targets])
    return folder


def today(folder: Path, method: str, out: Path, links_out: Path | None = None) -> None:
    """What `project` wrote before chunking: the whole corpus read, projected, written."""
    pairs = read_parallel(folder / "en.conll", folder / "es.txt")
    alignments = read_pharaoh(folder / "links.pharaoh", pairs)
    config = DEFAULTS.with_options(target_lang="es")
    projected = project_corpus(pairs, config, alignments, methods=(method,))
    write_conll(out, [p.target_with(method, config.dropped_labels) for p in projected])
    if links_out:
        write_pharaoh(links_out, alignments)


def project_args(folder: Path, out: Path, *extra: str) -> list[str]:
    return [
        "project",
        "--source",
        str(folder / "en.conll"),
        "--target",
        str(folder / "es.txt"),
        "--alignments",
        str(folder / "links.pharaoh"),
        "--target-lang",
        "es",
        "--out",
        str(out),
        "--quiet",
        *extra,
    ]


@pytest.mark.parametrize("method", ["matching", "heuristic"])
def test_chunked_on_two_workers_writes_what_the_whole_corpus_run_writes(corpus, tmp_path, method, capsys):
    today(corpus, method, tmp_path / "expected.conll", tmp_path / "expected.pharaoh")
    out = tmp_path / "out.conll"
    argv = project_args(
        corpus,
        out,
        "--method",
        method,
        "--chunk-size",
        "250",
        "--workers",
        "2",
        "--save-alignments",
        str(tmp_path / "links.out"),
    )
    assert main(argv) == 0
    assert out.read_bytes() == (tmp_path / "expected.conll").read_bytes()
    assert (tmp_path / "links.out").read_bytes() == (tmp_path / "expected.pharaoh").read_bytes()
    assert "onto 300 sentences" in capsys.readouterr().err
    assert not (tmp_path / ".out.conll.chunks").exists()  # the work folder goes once the output is whole


def test_chunk_sizes_do_not_change_the_output(corpus, tmp_path):
    outputs = []
    for size in ("7", "300", "100000"):
        out = tmp_path / f"out.{size}.conll"
        assert main(project_args(corpus, out, "--chunk-size", size, "--workers", "1", "--method", "heuristic")) == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def run_cli(argv: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "core", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


def test_a_killed_run_resumes_from_its_last_chunk_and_writes_the_same_bytes(corpus, tmp_path):
    expected = tmp_path / "expected.conll"
    today(corpus, "matching", expected)
    out = tmp_path / "out.conll"
    argv = project_args(corpus, out, "--chunk-size", "40", "--workers", "1")
    killed = run_cli(argv, {"LABELBRIDGE_STOP_AFTER_CHUNKS": "3"})
    assert killed.returncode == -9  # SIGKILL, as a crash or an OOM kill would end it
    work = tmp_path / ".out.conll.chunks"
    assert not out.exists() and len(list(work.glob("chunk-*.json"))) == 3

    # another run of other options may not continue it
    refused = run_cli(argv + ["--resume", "--method", "heuristic"])
    assert refused.returncode == 2 and "--method was 'matching', now 'heuristic'" in refused.stderr
    assert "run without --resume to start over" in refused.stderr and "Traceback" not in refused.stderr

    resumed = run_cli(argv + ["--resume"], {"LABELBRIDGE_STOP_AFTER_CHUNKS": "2"})  # killed again, later
    assert resumed.returncode == -9 and "resuming: 3 chunks of 40 pairs already done" in resumed.stderr
    assert len(list(work.glob("chunk-*.json"))) == 5
    finished = run_cli(argv + ["--resume"])
    assert finished.returncode == 0, finished.stderr
    assert "resuming: 5 chunks" in finished.stderr
    assert out.read_bytes() == expected.read_bytes()
    assert not work.exists()


def test_resume_refuses_changed_inputs(corpus, tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(corpus, folder)
    out = tmp_path / "out.conll"
    argv = project_args(folder, out, "--chunk-size", "100", "--workers", "1", "--method", "heuristic")
    assert run_cli(argv, {"LABELBRIDGE_STOP_AFTER_CHUNKS": "1"}).returncode == -9
    text = (folder / "es.txt").read_text(encoding="utf-8")
    (folder / "es.txt").write_text(text.replace(" de ", " del ", 1), encoding="utf-8")
    refused = run_cli(argv + ["--resume"])
    assert refused.returncode == 2
    assert "--target is another file or has changed" in refused.stderr
    # without --resume the run starts over
    assert run_cli(argv).returncode == 0 and not (tmp_path / ".out.conll.chunks").exists()


def demo_argv(out: Path) -> list[str]:
    """`project` on the demo corpus in chunks of 10, one worker, one eflomal run."""
    return [
        "project",
        "--source",
        str(DEMO / "en.conll"),
        "--target",
        str(DEMO / "es.conll"),
        "--target-lang",
        "es",
        "--out",
        str(out),
        "--quiet",
        "--chunk-size",
        "10",
        "--workers",
        "1",
        "--runs",
        "1",
    ]


def test_resume_reuses_the_alignments_of_the_interrupted_run(tmp_path):
    """eflomal samples at random: a resumed run must project with the links the killed run
    made, or its chunks would not fit together."""
    from core.alignment.lexical import add_lexical_links

    out = tmp_path / "out.conll"
    argv = demo_argv(out) + ["--save-alignments", str(tmp_path / "links.pharaoh")]
    assert run_cli(argv, {"LABELBRIDGE_STOP_AFTER_CHUNKS": "1"}).returncode == -9
    raw = (tmp_path / ".out.conll.chunks" / "alignments.txt").read_text(encoding="utf-8")
    finished = run_cli(argv + ["--resume"])
    assert finished.returncode == 0, finished.stderr
    pairs = read_parallel(DEMO / "en.conll", DEMO / "es.conll")
    from core.corpus.io import parse_pharaoh_line

    made = [
        add_lexical_links(parse_pharaoh_line("x", k, line), p.source.tokens, p.target.tokens)
        for k, (line, p) in enumerate(zip(raw.splitlines(), pairs))
    ]
    assert (tmp_path / "links.pharaoh").read_text(encoding="utf-8") == "".join(a.to_pharaoh() + "\n" for a in made)


@pytest.mark.parametrize(
    "text",
    [
        "Paris\tI-LOC\nis\tO\n\nBig\tI-ORG\nCo\tB-ORG\n",  # IOB1
        "\ufeff# sent_id = 1\r\nParis\tS-LOC\r\n\r\n-DOCSTART-\tO\r\nA\tB-PER\r\nB\tE-PER\r\n",  # BOM, CRLF, BIOES
        "A B-PER\rB I-PER\r\rC O\r",  # CR line ends, space-separated
        "#MeToo\tB-MISC\n# a note\nx\tO\n",  # #-tokens and comments
    ],
)
def test_the_streaming_reader_reads_what_the_whole_file_reader_reads(tmp_path, text):
    path = tmp_path / "x.conll"
    path.write_bytes(text.encode("utf-8"))
    assert list(iter_sentences(scan(path, tagged=True))) == read_conll(path)


def test_the_streaming_reader_on_the_corpora(europarl):
    for path in (europarl / "en.conll", europarl / "es.conll", DEMO / "de.conll"):
        assert list(iter_sentences(scan(path, tagged=False))) == read_sentences(path)


@pytest.mark.parametrize(
    "data,message",
    [
        (b"A\tB-PER\n\nB\tI-PER\nC\tB-LOC\n", "line 3"),  # a stray I- in an IOB2 file
        (b"A\tB-PER\nB\xff\tO\n", "line 2: not valid UTF-8"),
        (b"", "the file is empty"),
        (b"\xff\xfeA", "UTF-16"),
    ],
)
def test_the_streaming_reader_fails_as_the_whole_file_reader_does(tmp_path, data, message):
    path = tmp_path / "bad.conll"
    path.write_bytes(data)
    with pytest.raises(CorpusError) as whole:
        read_conll(path)
    with pytest.raises(CorpusError) as streamed:
        list(iter_sentences(scan(path, tagged=True)))  # a stray I- only once the scheme is known
    assert str(streamed.value) == str(whole.value) and message in str(whole.value)


def test_engine_ray_without_ray_installed_is_one_clear_line(monkeypatch):
    from core.scale.ray_engine import import_ray

    monkeypatch.setitem(sys.modules, "ray", None)  # what Python sees when ray is not installed
    with pytest.raises(
        UsageError, match=r"--engine ray needs Ray, which is not installed: pip install -r requirements-ray.txt"
    ):
        import_ray()


def test_the_local_path_never_imports_ray(tmp_path):
    code = (
        "import sys; from core.cli import main; "
        f"assert main(['project', '--source', {str(DEMO / 'en.conll')!r}, '--target', {str(DEMO / 'es.conll')!r}, "
        f"'--alignments', {str(DEMO / 'en-es.pharaoh')!r}, '--out', {str(tmp_path / 'o.conll')!r}, '--quiet']) == 0; "
        "assert 'ray' not in sys.modules, 'ray imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def test_shard_bounds_keep_every_shard_at_least_the_size():
    from core.scale.chunked import shard_bounds

    assert shard_bounds(799, None) == [(0, 799)]
    assert shard_bounds(799, 400) == [(0, 799)]  # two shards would leave one of 399
    assert shard_bounds(799, 200) == [(0, 200), (200, 400), (400, 799)]
    assert shard_bounds(800, 200) == [(0, 200), (200, 400), (400, 600), (600, 800)]


def test_align_in_shards_writes_a_line_for_every_pair(tmp_path):
    """--align-shard-size 12 on 36 pairs: three shards, trained one by one, links checked
    against every pair; a size of 0 is refused."""
    out = tmp_path / "links.pharaoh"
    argv = [
        "align",
        "--source",
        str(DEMO / "en.conll"),
        "--target",
        str(DEMO / "es.conll"),
        "--out",
        str(out),
        "--quiet",
        "--runs",
        "1",
        "--align-shard-size",
        "12",
    ]
    assert main(argv) == 0
    pairs = read_parallel(DEMO / "en.conll", DEMO / "es.conll")
    assert len(read_pharaoh(out, pairs)) == 36
    with pytest.raises(SystemExit) as refused:
        main(argv[:-2] + ["--align-shard-size", "0"])
    assert refused.value.code == 2


def test_a_ray_address_where_nothing_listens_is_one_line_not_a_long_wait(tmp_path, capsys):
    pytest.importorskip("ray", reason="Ray is optional: pip install -r requirements-ray.txt")
    argv = [
        "project",
        "--source",
        str(DEMO / "en.conll"),
        "--target",
        str(DEMO / "es.conll"),
        "--out",
        str(tmp_path / "o.conll"),
        "--alignments",
        str(DEMO / "en-es.pharaoh"),
        "--engine",
        "ray",
        "--quiet",
    ]
    assert main(argv + ["--ray-address", "127.0.0.1:1"]) == 2
    assert "--ray-address 127.0.0.1:1: no Ray cluster answers there" in capsys.readouterr().err
    assert main(argv + ["--ray-address", "nonsense"]) == 2
    assert "expected HOST:PORT, ray://HOST:PORT or auto" in capsys.readouterr().err
    assert not (tmp_path / "o.conll").exists()


@pytest.mark.parametrize(
    "source,links,message",
    [
        # a link outside its pair on line 1, a stray I- in sentence 2: the spans are read first
        ("A\tB-PER\n\nB\tI-PER\n", "0-5\n0-0\n", "en.conll, line 3"),
        # a link outside its pair on line 1, a line too few: the count is checked first
        ("A\tB-PER\n\nB\tB-PER\n", "0-5\n", "has 1 lines but the corpus has 2"),
        # a link outside its pair on line 2, nothing else wrong
        ("A\tB-PER\n\nB\tB-PER\n", "0-0\n0-5\n", "links.pharaoh, line 2"),
    ],
)
def test_project_reports_the_error_the_whole_file_readers_meet_first(tmp_path, capsys, source, links, message):
    """project checks every pair in one pass; with two mistakes it still names the one that
    reading the files one after the other would name."""
    (tmp_path / "en.conll").write_text(source, encoding="utf-8")
    (tmp_path / "es.txt").write_text("a\nb\n", encoding="utf-8")
    (tmp_path / "links.pharaoh").write_text(links, encoding="utf-8")
    assert main(project_args(tmp_path, tmp_path / "out.conll")) != 0
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error
    assert not (tmp_path / "out.conll").exists()


@pytest.mark.parametrize("option", [["--samplers", "2"], ["--iterations", "0.5"]])
def test_resume_refuses_other_eflomal_samplers_or_iterations(tmp_path, option):
    """The killed run's links came from one eflomal schedule; resuming with another would mix
    two runs' settings in the manifest's name, so it is refused like any other option."""
    out = tmp_path / "out.conll"
    argv = demo_argv(out)
    assert run_cli(argv, {"LABELBRIDGE_STOP_AFTER_CHUNKS": "1"}).returncode == -9
    refused = run_cli(argv + option + ["--resume"])
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert f"{option[0]} was None, now {option[1]}" in refused.stderr.replace("'", "")
