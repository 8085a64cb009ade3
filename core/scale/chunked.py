"""Chunked, resumable projection of a large corpus (what ``python -m core project`` runs).

The corpus is read as a stream (:mod:`core.scale.streaming`): checked once, aligned over the
whole corpus (eflomal learns from all of it; the links go to a file), then projected
``chunk_size`` pairs at a time, each chunk spread over worker processes (or Ray tasks)
and written to its own file in a work folder next to the output. A killed run resumes
from its last finished chunk (``resume=True``); a manifest of the inputs (sizes and
SHA-256) and options refuses to mix two different runs. At the end the chunk files are
joined into the output, which is then byte for byte what an unchunked run writes, and
the work folder is removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import os
import shutil
import signal
import stat
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.corpus.io import _umask, format_conll, parse_pharaoh_line, write_file
from core.datamodel import Alignment, Sentence, SentencePair, Span
from core.errors import CorpusError, LabelBridgeError, UsageError
from core.projection.corpus_evidence import Findings, describe
from core.projection.pipeline import Method, ProjectionConfig, SentenceTooLongError, project_pair, with_findings
from core.scale.streaming import (
    FileShape,
    alignment_line,
    check_spans,
    count_lines,
    iter_pairs,
    iter_pharaoh,
    iter_sentences,
    scan_parallel,
)

MANIFEST = "manifest.json"
RAW_ALIGNMENTS = "alignments.txt"
STOP_AFTER_ENV = "LABELBRIDGE_STOP_AFTER_CHUNKS"  # testing: kill the run after N chunks, as a crash would
DEFAULT_CHUNK_SIZE = 10_000
SMALL_CHUNK = 200  # pairs: fewer are projected in this process (starting workers costs more)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ProjectRun:
    """Everything one ``project`` run needs, from the command line."""

    source: Path
    target: Path
    out: Path
    config: ProjectionConfig
    method: Method = "matching"
    alignments: Path | None = None
    save_alignments: Path | None = None
    chunk_size: int = DEFAULT_CHUNK_SIZE
    workers: int = 1
    resume: bool = False
    align_shard_size: int | None = None
    ner_model: str | None = None
    device: str = "cpu"
    options: dict = field(default_factory=dict)  # what the manifest records besides the inputs


@dataclass(frozen=True)
class SliceResult:
    """A projected slice of a chunk: its CoNLL and alignment text and counts (and, on the
    corpus-evidence pass, the strong projections it saw)."""

    conll: str
    pharaoh: str
    source_entities: int
    target_entities: int
    observations: tuple = ()


@dataclass(frozen=True)
class SliceTask:
    """A slice of a chunk for one worker. Its links travel as the Pharaoh lines (with their
    numbers, for messages) and are parsed in the worker, which is cheaper than sending them
    parsed."""

    pairs: tuple[SentencePair, ...]
    links: tuple[tuple[int, str], ...]
    links_path: Path
    config: ProjectionConfig
    method: Method
    candidates: tuple | None = None
    lexical_links: bool = False
    save_alignments: bool = False
    evidence: CorpusEvidence | None = None  # matching with corpus evidence (as project_corpus does)
    observe: bool = False  # the first pass: collect strong projections, write nothing


@dataclass(frozen=True)
class CorpusEvidence:
    """What matching's corpus evidence needs from the whole corpus: its function words and,
    after the first pass, its findings (known translations, cased labels)."""

    function_words: frozenset[str]
    findings: Findings | None = None


def project_slice(task: SliceTask) -> SliceResult:
    """Project one slice exactly as :func:`core.projection.pipeline.project_corpus` would (a pure function:
    it runs in a worker process or a Ray task).

    With corpus evidence, a pair whose target holds a known translation of one of its
    entities is projected once, with the bonus: project_corpus's first-pass result for it
    would be replaced by that second pass anyway. Reviewer candidates are not computed (a
    written corpus has no use for them)."""
    from core.alignment.lexical import add_lexical_links
    from core.projection.corpus_evidence import EvidenceSettings, evidence_bonus, light_weights, strong_observations

    targets, links, source_entities, target_entities = [], [], 0, 0
    observations: list = []
    settings = EvidenceSettings()  # what project_corpus uses
    for k, (pair, (number, line)) in enumerate(zip(task.pairs, task.links)):
        alignment = parse_pharaoh_line(task.links_path, number, line)
        if task.lexical_links:
            alignment = add_lexical_links(alignment, pair.source.tokens, pair.target.tokens)
        candidates = task.candidates[k] if task.candidates is not None else None
        light, bonus = None, None
        if task.evidence is not None:
            light = light_weights(pair.target.tokens, task.evidence.function_words, settings.light_discount)
            if task.evidence.findings is not None and not task.observe:
                bonus = evidence_bonus(pair.source, pair.target.tokens, task.evidence.findings.table, settings) or None
        projected = project_pair(
            pair, alignment, task.config, candidates, (task.method,), None, bonus, light, reviewer_candidates=False
        )
        if task.observe:
            observations += strong_observations([(pair.source, pair.target)], [projected.matching], None, settings)
            continue
        if task.evidence is not None and task.evidence.findings is not None:  # as project_corpus's second pass
            projected = with_findings(projected, task.evidence.findings, candidates)
        targets.append(projected.target_with(task.method, task.config.dropped_labels))
        source_entities += len(pair.source.spans)
        target_entities += len(projected.projections(task.method))
        if task.save_alignments:
            links.append(alignment.to_pharaoh() + "\n")
    return SliceResult(format_conll(targets), "".join(links), source_entities, target_entities, tuple(observations))


# --- engines ---------------------------------------------------------------------------


class LocalEngine:
    """Slices projected in a pool of worker processes (in this process with one worker)."""

    name = "local"

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None

    def map(self, tasks: Iterable[SliceTask], done: Callable[[int], None], pairs: int) -> list[SliceResult]:
        """The results of ``tasks`` (``pairs`` pairs in all) in order. Each task goes to the
        pool as soon as it is read, so the workers project while this process reads on."""
        if self.workers == 1 or pairs < SMALL_CHUNK:
            results = []
            for task in tasks:
                results.append(project_slice(task))
                done(len(task.pairs))
            return results
        if self._pool is None:
            import multiprocessing

            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        futures = [(len(task.pairs), self._pool.submit(project_slice, task)) for task in tasks]
        results = []
        for size, future in futures:
            results.append(future.result())
            done(size)
        return results

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def make_engine(name: str, workers: int, address: str | None = None):
    if name == "ray":
        from core.scale.ray_engine import RayEngine

        return RayEngine(address, workers)
    return LocalEngine(workers)


# --- manifest --------------------------------------------------------------------------


def file_fingerprint(path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"size": path.stat().st_size, "sha256": digest.hexdigest()}


def manifest_for(run: ProjectRun) -> dict:
    inputs = {"--source": file_fingerprint(run.source), "--target": file_fingerprint(run.target)}
    if run.alignments:
        inputs["--alignments"] = file_fingerprint(run.alignments)
    return {"format": 1, "inputs": inputs, "options": {**run.options, "chunk-size": run.chunk_size}}


def _differences(old: dict, new: dict) -> list[str]:
    found = []
    for flag in sorted(set(old.get("inputs", {})) | set(new["inputs"])):
        if old.get("inputs", {}).get(flag) != new["inputs"].get(flag):
            found.append(f"{flag} is another file or has changed")
    old_options = old.get("options", {})
    for name in sorted(set(old_options) | set(new["options"])):
        if old_options.get(name) != new["options"].get(name):
            found.append(f"--{name} was {old_options.get(name)!r}, now {new['options'].get(name)!r}")
    return found


def work_folder(out: Path) -> Path | None:
    """Where the chunks of a run writing ``out`` live (None when ``out`` is a device or pipe)."""
    if out.exists() and not out.is_file():
        return None
    return out.parent / f".{out.name}.chunks"


def prepare_work(run: ProjectRun, manifest: dict, note: Callable[[str], None]) -> Path:
    """The run's work folder: the old one when resuming a run of the same inputs and
    options, else a new one. ``--resume`` of another run is refused."""
    folder = work_folder(run.out)
    if folder is None:
        if run.resume:
            raise UsageError(f"--resume needs --out to be a file; {run.out} is not one")
        return Path(tempfile.mkdtemp(prefix="labelbridge-chunks-"))
    manifest_path = folder / MANIFEST
    if run.resume and manifest_path.is_file():
        try:
            old = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise UsageError(
                f"--resume: the manifest of the unfinished run ({manifest_path.name} in {folder.name}) "
                "cannot be read; run without --resume to start over"
            ) from None
        differences = _differences(old, manifest)
        if differences:
            raise UsageError(
                f"--resume: the unfinished run for {run.out} was started with other inputs or options "
                f"({'; '.join(differences)}); run without --resume to start over"
            )
        done = len(list(folder.glob("chunk-*.json")))
        note(f"resuming: {done} chunk{'s' * (done != 1)} of {run.chunk_size} pairs already done")
        return folder
    if run.resume:
        note(f"--resume: no unfinished run for {run.out}; starting from the beginning")
    if folder.exists():
        if not (folder / MANIFEST).exists() and any(folder.iterdir()):
            raise UsageError(f"{folder} exists and is not a LabelBridge work folder; move it away")
        if not run.resume:
            note(f"an unfinished run for {run.out} is discarded; starting from the beginning (--resume continues one)")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    write_file(manifest_path, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return folder


# --- reading in chunks ------------------------------------------------------------------


def batched(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class CorpusCheck:
    """What the checking pass keeps: the first pairs (for the sanity warnings) and, when
    asked, the target's lower-case word counts (corpus evidence's function words)."""

    sample: list[SentencePair]
    word_counts: Counter | None


def check_corpus(
    source: FileShape,
    target: FileShape,
    alignments: Path | None,
    limit: int | None,
    count_words: bool = False,
    sample_size: int = 2000,
) -> CorpusCheck:
    """One streamed pass over the pairs (and ``alignments``) before any work: refuse the first
    pair with a side longer than ``limit`` tokens (by number) or a link outside its pair (by
    file and line), as :func:`core.corpus.io.read_pharaoh` would; keep a sample and, with
    ``count_words``, the target's word counts."""
    from core.projection.corpus_evidence import count_lower_case

    sample: list[SentencePair] = []
    counts: Counter | None = Counter() if count_words else None
    try:
        if alignments is not None:
            _check_link_count(alignments, source.sentences)
        links = iter_pharaoh(alignments) if alignments is not None else itertools.repeat(None)
        for number, (pair, link) in enumerate(zip(iter_pairs(source, target), links), start=1):
            _check_lengths(number, pair, limit)
            if alignments is not None and link is not None:
                parse_pharaoh_line(alignments, *link, pair)
            if len(sample) < sample_size:
                sample.append(pair)
            if counts is not None:
                count_lower_case(counts, pair.target.tokens)
    except LabelBridgeError:
        _check_in_order(source, target, alignments, limit)  # raises the error a check at a time meets first
        raise
    return CorpusCheck(sample, counts)


def _check_lengths(number: int, pair: SentencePair, limit: int | None) -> None:
    if limit is not None:
        for side, sentence in (("source", pair.source), ("target", pair.target)):
            if len(sentence) > limit:
                raise SentenceTooLongError(number, side, len(sentence), limit)


def _check_link_count(alignments: Path, pairs: int) -> None:
    lines = count_lines(alignments)
    if lines != pairs:
        raise CorpusError(alignments, None, f"has {lines} lines but the corpus has {pairs} sentence pairs")


def _check_in_order(source: FileShape, target: FileShape, alignments: Path | None, limit: int | None) -> None:
    """The checks of :func:`check_corpus` one after the other, as the whole-file readers make
    them: both files' spans, every pair's length, then the alignment file."""
    check_spans(source)
    check_spans(target)
    for number, pair in enumerate(iter_pairs(source, target), start=1):
        _check_lengths(number, pair, limit)
    if alignments is not None:
        _check_link_count(alignments, source.sentences)
        for (number, line), pair in zip(iter_pharaoh(alignments), iter_pairs(source, target)):
            parse_pharaoh_line(alignments, number, line, pair)


def align_whole_corpus(
    run: ProjectRun, source: FileShape, target: FileShape, engine, progress: Progress | None
) -> list[Alignment]:
    """Align the corpus with the configured aligner: over the whole corpus, or in shards of
    at least ``run.align_shard_size`` pairs (each shard trained on its own)."""
    from core.alignment import make_aligner

    sources = [s.tokens for s in iter_sentences(source)]
    targets = [t.tokens for t in iter_sentences(target)]
    shards = shard_bounds(len(sources), run.align_shard_size)
    if len(shards) > 1 and getattr(engine, "name", "") == "ray":
        return engine.align_shards(run.config.aligner, dict(run.config.aligner_options), sources, targets, shards)
    aligner = make_aligner(run.config.aligner, **run.config.aligner_options)
    if len(shards) == 1:
        return aligner.align_corpus(sources, targets, progress)
    alignments: list[Alignment] = []
    for k, (start, end) in enumerate(shards):
        alignments += aligner.align_corpus(sources[start:end], targets[start:end])
        if progress:
            progress(k + 1, len(shards))
    return alignments


def shard_bounds(n: int, shard_size: int | None) -> list[tuple[int, int]]:
    """``[start, end)`` of shards of at least ``shard_size`` pairs (one shard without a
    size, or when the corpus is smaller than two shards); the rest joins the last shard."""
    if not shard_size or n < 2 * shard_size:
        return [(0, n)]
    count = n // shard_size
    bounds = [(k * shard_size, (k + 1) * shard_size) for k in range(count)]
    bounds[-1] = (bounds[-1][0], n)
    return bounds


def _stop_after() -> int | None:
    value = os.environ.get(STOP_AFTER_ENV)
    return int(value) if value and value.isdigit() else None


def run_chunked(
    run: ProjectRun,
    engine,
    note: Callable[[str], None],
    warn: Callable[[Sequence[SentencePair], FileShape, FileShape], None],
    bar: Callable[[str], contextlib.AbstractContextManager[Progress]],
    inform: Callable[[str], None] | None = None,
) -> tuple[int, int, int]:
    """Check, align, project chunk by chunk and write ``run.out`` (and ``run.save_alignments``).
    Returns (pairs, source entities, projected entities). ``note`` says what happens to the
    run (resumed, discarded); ``inform``, when given, what corpus evidence learned."""
    source, target = scan_parallel(run.source, run.target)
    evidence_wanted = run.method == "matching" and run.config.corpus_evidence
    check = check_corpus(source, target, run.alignments, run.config.max_sentence_tokens, evidence_wanted)
    warn(check.sample, source, target)
    check.sample.clear()
    if run.alignments is None:
        from core.alignment import make_aligner

        make_aligner(run.config.aligner, **run.config.aligner_options)  # a bad option fails before any work
    folder = prepare_work(run, manifest_for(run), note)
    try:
        links_path, lexical = run.alignments, False
        if links_path is None:
            links_path, lexical = folder / RAW_ALIGNMENTS, run.config.lexical_links
            if not links_path.is_file():
                with bar(f"aligning ({run.config.aligner})") as progress:
                    alignments = align_whole_corpus(run, source, target, engine, progress)
                write_file(links_path, "".join(alignment_line(a) + "\n" for a in alignments))
                del alignments
        slices = SliceReader(run, links_path, lexical, engine.workers)
        evidence = None
        if evidence_wanted:
            evidence = corpus_evidence(run, source, target, check.word_counts, engine, folder, slices, bar)
            if inform is not None and evidence.findings is not None:
                inform(describe(evidence.findings))
        stop_after, written = _stop_after(), 0
        with bar(f"projecting ({run.method})") as progress:
            finished = 0
            items = zip(iter_pairs(source, target), iter_pharaoh(links_path))
            for k, n in enumerate(chunk_lengths(source.sentences, run.chunk_size)):
                if (folder / f"chunk-{k:05d}.json").is_file():
                    for _ in itertools.islice(items, n):  # read past a finished chunk
                        pass
                    finished += n
                    progress(finished, source.sentences)
                    continue
                counter = {"done": finished}

                def done(size: int, counter: dict = counter) -> None:
                    counter["done"] += size
                    progress(counter["done"], source.sentences)

                results = engine.map(slices.tasks(items, n, evidence), done, n)
                write_chunk(folder, k, results, run.save_alignments is not None, n)
                finished += n
                written += 1
                if stop_after is not None and written >= stop_after:
                    os.kill(os.getpid(), signal.SIGKILL)
        totals = join_chunks(folder, run)
    except (LabelBridgeError, ValueError):
        shutil.rmtree(folder, ignore_errors=True)  # a mistake in the input: resuming would meet it again
        raise
    finally:
        engine.close()
        if work_folder(run.out) is None:  # a device or pipe: nothing to resume, no folder to keep
            shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    return totals


def corpus_evidence(
    run: ProjectRun,
    source: FileShape,
    target: FileShape,
    word_counts: Counter | None,
    engine,
    folder: Path,
    slices: SliceReader,
    bar,
) -> CorpusEvidence:
    """Matching's corpus evidence, as :func:`core.projection.pipeline.project_corpus` gathers it:
    the target's function words (from the checking pass's ``word_counts``), then the strong
    projections of a first, streamed matching pass (nothing written). Kept in the work folder,
    so a resumed run reuses it."""
    from core.projection.corpus_evidence import EvidenceSettings, KnownNames, findings_from, function_words_of

    saved = folder / "evidence.json"
    if saved.is_file():
        data = json.loads(saved.read_text(encoding="utf-8"))
        table = {(tuple(k[0]), k[1]): tuple(_translation(t) for t in v) for k, v in data["table"]}
        cased, labels = frozenset(data.get("cased", ())), frozenset(data.get("labels", ()))
        # a run begun before known names were kept goes on without them, as it began
        names = KnownNames({tuple(name): count for name, count in data.get("names", ())})
        return CorpusEvidence(frozenset(data["function_words"]), Findings(table, cased, labels, names))
    settings = EvidenceSettings()
    words = function_words_of(word_counts or Counter(), settings.function_word_rank, settings.function_word_length)
    first = CorpusEvidence(words)
    observations: list = []
    with bar("corpus evidence (first matching pass)") as progress:
        finished = 0
        items = zip(iter_pairs(source, target), iter_pharaoh(slices.links_path))
        for n in chunk_lengths(source.sentences, run.chunk_size):
            for result in engine.map(slices.tasks(items, n, first, observe=True), lambda size: None, n):
                observations += result.observations
            finished += n
            progress(finished, source.sentences)
    findings = findings_from(observations, settings)
    rows = [
        [[list(key[0]), key[1]], [[list(t.target), t.count, t.share] for t in value]]
        for key, value in findings.table.items()
    ]
    record = {
        "function_words": sorted(words),
        "table": rows,
        "cased": sorted(findings.cased),
        "labels": sorted(findings.labels),
        "names": [[list(name), count] for name, count in findings.names.counts.items()],
    }
    write_file(saved, json.dumps(record) + "\n")
    return CorpusEvidence(words, findings)


def _translation(row: list):
    from core.projection.corpus_evidence import Translation

    return Translation(tuple(row[0]), row[1], row[2])


def chunk_lengths(pairs: int, chunk_size: int) -> list[int]:
    """How many pairs each chunk holds: ``chunk_size``, the last one the rest."""
    return [min(chunk_size, pairs - start) for start in range(0, pairs, chunk_size)]


@dataclass
class SliceReader:
    """Cuts the next chunk of a stream of (pair, Pharaoh line) into slice tasks, a few per
    worker (small enough for an even load and a moving bar), read one slice at a time."""

    run: ProjectRun
    links_path: Path
    lexical: bool
    workers: int
    tagger: Any = None

    def tasks(
        self, items: Iterator, n: int, evidence: CorpusEvidence | None, observe: bool = False
    ) -> Iterator[SliceTask]:
        """The next ``n`` pairs of ``items`` as tasks."""
        size = max(1, math.ceil(n / (4 * self.workers))) if self.workers > 1 else n
        if self.run.method == "matching" and self.run.config.candidates == "ner":
            chunk = list(itertools.islice(items, n))  # the model tags the whole chunk at once
            candidates = self.ner_candidates([pair.target.tokens for pair, _ in chunk])
            for start in range(0, n, size):
                yield self.task(chunk[start : start + size], candidates[start : start + size], evidence, observe)
            return
        for start in range(0, n, size):
            yield self.task(list(itertools.islice(items, min(size, n - start))), None, evidence, observe)

    def task(self, items: list, candidates: list | None, evidence: CorpusEvidence | None, observe: bool) -> SliceTask:
        return SliceTask(
            tuple(pair for pair, _ in items),
            tuple(line for _, line in items),
            self.links_path,
            self.run.config,
            self.run.method,
            tuple(candidates) if candidates is not None else None,
            self.lexical,
            self.run.save_alignments is not None,
            evidence,
            observe,
        )

    def ner_candidates(self, sentences: list) -> list:
        from core.models.ner import load_tagger, ner_candidates

        if self.run.ner_model is None:
            raise UsageError("--candidates ner needs --ner-model (a spaCy pipeline or token classifier)")
        self.tagger = self.tagger or load_tagger(self.run.ner_model, device=self.run.device)
        return ner_candidates(self.tagger, sentences)


def write_chunk(folder: Path, k: int, results: Sequence[SliceResult], save_alignments: bool, pairs: int) -> None:
    """A finished chunk: its CoNLL (and alignment) file, then its counts, which mark it done."""
    write_file(folder / f"chunk-{k:05d}.conll", "".join(r.conll for r in results))
    if save_alignments:
        write_file(folder / f"chunk-{k:05d}.pharaoh", "".join(r.pharaoh for r in results))
    counts = {
        "pairs": pairs,
        "source_entities": sum(r.source_entities for r in results),
        "target_entities": sum(r.target_entities for r in results),
    }
    write_file(folder / f"chunk-{k:05d}.json", json.dumps(counts) + "\n")


def join_chunks(folder: Path, run: ProjectRun) -> tuple[int, int, int]:
    counts = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("chunk-*.json"))]
    join_files(run.out, sorted(folder.glob("chunk-*.conll")))
    if run.save_alignments:
        join_files(run.save_alignments, sorted(folder.glob("chunk-*.pharaoh")))
    return (
        sum(c["pairs"] for c in counts),
        sum(c["source_entities"] for c in counts),
        sum(c["target_entities"] for c in counts),
    )


def join_files(path: Path, parts: Sequence[Path]) -> None:
    """Write the concatenation of ``parts`` to ``path`` as :func:`core.corpus.io.write_file`
    writes a text: whole (temporary file, then renamed), umask permissions, or straight
    into a device or pipe."""
    path = Path(path)
    try:
        if path.exists() and not path.is_file():
            with open(path, "wb") as handle:
                for part in parts:
                    with open(part, "rb") as chunk:
                        shutil.copyfileobj(chunk, handle)
            return
        if path.is_symlink():
            path = path.resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            mode = 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                for part in parts:
                    with open(part, "rb") as chunk:
                        shutil.copyfileobj(chunk, handle)
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as err:
        raise CorpusError(path, None, f"cannot be written: {err.strerror or err}") from None


def warning_pairs(source: FileShape, target: FileShape) -> list[SentencePair]:
    """Two one-word pairs that say what the whole corpus says to
    :func:`core.commands.sanity.entity_warnings`: whether each side has entities."""

    def sentence(has: bool) -> Sentence:
        return Sentence(("x",), (Span(0, 1, "X"),) if has else ())

    return [SentencePair(sentence(source.has_spans), sentence(target.has_spans))]
