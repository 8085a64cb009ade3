"""A review project: a folder holding a copy of the input files, the projection settings and
the review database (``review.sqlite``) with every sentence, projection and decision.

``create_project`` runs the whole pipeline once (align, optionally train an NER model for
candidates, project with both methods) and caches the result in the database; opening the
project later costs nothing.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.corpus.io import read_conll, read_parallel, read_pharaoh
from core.datamodel import Alignment, Sentence, SentencePair, Span
from core.errors import CorpusError, LabelBridgeError
from core.projection.candidates import ngram_candidates
from core.projection.matching import score_pairs, top_candidates
from core.projection.pipeline import (
    ProjectedPair,
    ProjectionConfig,
    align,
    pair_filter,
    project_corpus,
)
from core.review.model import NewSentence
from core.review.store import ReviewStore

Progress = Callable[[float, str], None]
DB_NAME = "review.sqlite"
SETTINGS_NAME = "project.json"
MAX_CANDIDATES = 6


class ProjectError(LabelBridgeError):
    """A project folder that cannot be created or opened."""


@dataclass(frozen=True)
class ProjectSettings:
    """What the project was built from and how."""

    name: str
    source_file: str
    target_file: str
    gold_file: str | None
    alignment_file: str | None
    target_lang: str
    candidates: str  # "ngram" or "ner"
    primary_method: str  # the method Enter accepts for the spans nobody decided
    config: dict
    created: float
    ner_training_seconds: float | None = None
    pipeline_seconds: float | None = None
    models: dict | None = None  # the model flow's choices when the source was machine-made

    @property
    def source_note(self) -> str | None:
        """What the source side is when models made it, in one line (None for a parallel corpus)."""
        m = self.models
        if not m:
            return None
        if m.get("back_translate"):
            return (
                f"Source: a labelled back-translation (target to English by {m.get('translator')}, entities by {m.get('ner')}, "
                f"back with entity markers by {m.get('marker_model')})."
            )
        return (
            f"Source: English machine-translated from the target by {m.get('translator')}; entities by {m.get('ner')}."
        )


@dataclass
class Project:
    folder: Path
    settings: ProjectSettings
    store: ReviewStore

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def has_gold(self) -> bool:
        return self.settings.gold_file is not None


def _config_dict(config: ProjectionConfig) -> dict:
    data = dataclasses.asdict(config)
    data["dropped_labels"] = sorted(config.dropped_labels)
    return data


def is_project(folder: str | Path) -> bool:
    folder = Path(folder)
    return (folder / SETTINGS_NAME).exists() and (folder / DB_NAME).exists()


def open_project(folder: str | Path) -> Project:
    folder = Path(folder)
    if not is_project(folder):
        raise ProjectError(f"{folder}: not a LabelBridge project (no {SETTINGS_NAME} and {DB_NAME})")
    settings = ProjectSettings(**json.loads((folder / SETTINGS_NAME).read_text(encoding="utf-8")))
    return Project(folder, settings, ReviewStore(folder / DB_NAME))


def _check_gold(gold: list, targets: Sequence[Sentence], gold_path: Path) -> None:
    if len(gold) != len(targets):
        raise CorpusError(gold_path, None, f"has {len(gold)} sentences but the target has {len(targets)}")
    for k, (g, target) in enumerate(zip(gold, targets), start=1):
        if g.tokens != target.tokens:
            raise CorpusError(gold_path, None, f"sentence {k} has other tokens than the target file's sentence {k}")


def entity_candidates(
    result: ProjectedPair, config: ProjectionConfig, limit: int = MAX_CANDIDATES
) -> dict[int, list[tuple[int, int, float]]]:
    """Candidate spans for every source entity of one projected pair, best first, so the
    reviewer always has something to cycle through.

    First the projection's own best-scoring candidates (matching's score, the threshold
    ignored). An entity those do not reach (model candidates elsewhere in the sentence) gets
    the target's n-grams scored the same way; an entity with no link at all gets spans of its
    own length nearest its relative position, with score 0.
    """
    pair, alignment = result.pair, result.alignment
    entities = list(pair.source.spans)
    table = {e: list(c)[:limit] for e, c in result.candidates.items() if c}
    missing = [e for e in range(len(entities)) if e not in table]
    if missing:
        grams = ngram_candidates(pair.target.tokens, config.max_ngram)
        allowed = pair_filter(pair, config)
        scored = score_pairs([entities[e] for e in missing], grams, alignment, len(pair.target), 0.0, allowed)
        for k, spans in top_candidates(scored, grams, limit).items():
            table[missing[k]] = list(spans)
        for e in missing:
            if e not in table:
                table[e] = positional_candidates(entities[e], len(pair.source), len(pair.target), allowed, limit)
    return {e: table[e] for e in sorted(table) if table[e]}


def positional_candidates(
    entity: Span, n_source: int, n_target: int, allowed=None, limit: int = MAX_CANDIDATES
) -> list[tuple[int, int, float]]:
    """Spans as long as ``entity`` (at most the target) nearest its relative place in the
    target, those the edge rule allows first; all with score 0."""
    if n_target == 0:
        return []
    length = min(len(entity), n_target)
    centre = entity.start * n_target / max(n_source, 1)
    spans = [(start, start + length) for start in range(n_target - length + 1)]
    spans.sort(key=lambda s: (allowed is not None and not allowed(entity, s), abs(s[0] - centre), s[0]))
    return [(a, b, 0.0) for a, b in spans[:limit]]


def auto_epochs(n_sentences: int) -> int:
    """NER training epochs: 30 on a small corpus (it has to learn from few examples),
    fewer as the corpus grows, so training stays within minutes (about 12,000 updates)."""
    return max(5, min(30, 12_000 // max(n_sentences, 1)))


# --- creating a project: validate -> (lock) -> stage -> project -> persist ---------------


@dataclass(frozen=True)
class ProjectInputs:
    """The user's files, read and checked: nothing is written before this succeeds."""

    pairs: list[SentencePair]
    gold: list[Sentence] | None
    links: list[Alignment] | None
    files: dict[str, Path]  # role -> the file given ("source", "target", "gold", "alignment")


def check_options(candidates: str, candidate_spans, primary_method: str) -> None:
    if candidates not in ("ngram", "ner", "model"):
        raise ValueError(f"unknown candidate source {candidates!r}; choose ngram, ner or model")
    if (candidates == "model") != (candidate_spans is not None):
        raise ValueError("candidate spans come with candidates='model' and only with it")
    if primary_method not in ("heuristic", "matching"):
        raise ValueError(f"unknown method {primary_method!r}")


def check_free(folder: Path) -> None:
    """Refuse a name that a project (or anything else) already uses."""
    if is_project(folder) or (folder.exists() and (not folder.is_dir() or any(folder.iterdir()))):
        raise ProjectError(f"a project called {folder.name!r} already exists; open it or choose another name")


def validate_inputs(source, target, gold=None, alignments=None, candidate_spans=None) -> ProjectInputs:
    """Read every input file and check that they fit together (:class:`CorpusError` if not)."""
    pairs = read_parallel(source, target)
    gold_sentences = None
    if gold is not None:
        gold_sentences = read_conll(gold)
        _check_gold(gold_sentences, [p.target for p in pairs], Path(gold))
    for k, pair in enumerate(pairs, start=1):
        if not pair.target.tokens:
            raise CorpusError(target, None, f"sentence {k} is empty")
    links = read_pharaoh(alignments, pairs) if alignments is not None else None
    if candidate_spans is not None and len(candidate_spans) != len(pairs):
        raise ValueError(f"{len(candidate_spans)} candidate lists for {len(pairs)} sentences")
    files = {
        role: Path(path)
        for role, path in (("source", source), ("target", target), ("gold", gold), ("alignment", alignments))
        if path is not None
    }
    return ProjectInputs(pairs, gold_sentences, links, files)


@contextmanager
def claim_name(folder: Path):
    """Hold the exclusive right to create ``folder`` and yield its staging folder.

    An ``flock`` on a lock file beside the folder (released by the system even if the
    process dies), so of two builds of the same name one gets :class:`ProjectError` at
    once; under the lock a staging folder left by an interrupted build is cleared.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    lock_path = folder.with_name(f".{folder.name}.lock")
    busy = ProjectError(
        f"a project called {folder.name!r} is being created right now (in another tab or window); "
        "open it when it is ready or choose another name"
    )
    fd = _lock(lock_path, busy)
    try:
        try:
            check_free(folder)
            staging = folder.with_name(f".{folder.name}.building")
            if staging.exists():
                shutil.rmtree(staging)
            staging.mkdir()
            try:
                yield staging
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        finally:
            lock_path.unlink(missing_ok=True)  # while still locked: a waiter sees another inode
    finally:
        os.close(fd)


def _lock(lock_path: Path, busy: ProjectError, attempts: int = 3) -> int:
    """An open descriptor of ``lock_path`` holding an exclusive ``flock``, or ``busy`` raised."""
    import fcntl

    for _ in range(attempts):
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise busy from None
        try:  # a build that just finished removes the file: then this lock guards nothing
            if os.stat(lock_path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)
    raise busy


def stage_inputs(files: dict[str, Path], staging: Path) -> dict[str, str]:
    """Copy the input files into ``staging/input``; their paths relative to the project."""
    (staging / "input").mkdir()
    copies = {}
    for role, path in files.items():
        copy = staging / "input" / f"{role}{path.suffix or '.txt'}"
        shutil.copyfile(path, copy)
        copies[role] = f"input/{copy.name}"
    return copies


def run_projection(
    inputs: ProjectInputs,
    config: ProjectionConfig,
    candidates: str,
    candidate_spans,
    target_lang: str,
    staging: Path,
    ner_epochs: int | None,
    report: Progress,
) -> tuple[list[ProjectedPair], float | None]:
    """Align (unless alignments were given), train the NER candidate model if asked (into
    ``staging/ner-model``) and project with both methods. Returns the projections and the
    NER training time."""
    pairs, links = inputs.pairs, inputs.links
    if links is None:
        report(0.05, f"aligning {len(pairs)} sentence pairs with {config.aligner}")
        links = align(
            pairs,
            config,
            lambda done, total: report(
                0.05 + 0.35 * done / max(total, 1), f"aligning ({config.aligner}, run {done} of {total})"
            ),
        )
    report(0.4, "projecting (heuristic and matching)")
    ner_seconds = None
    if candidates == "ner":
        from core.review.ner_training import predict_spans, train_ner

        first = project_corpus(pairs, config, links, methods=("heuristic",))  # no candidates yet
        data = [(p.pair.target.tokens, [proj.span for proj in p.heuristic]) for p in first]
        t0 = time.perf_counter()
        trained = train_ner(
            data,
            target_lang,
            staging / "ner-model",
            epochs=ner_epochs or auto_epochs(len(pairs)),
            progress=lambda done, total: report(
                0.45 + 0.3 * done / total, f"training the NER candidate model (epoch {done} of {total})"
            ),
        )
        candidate_spans = predict_spans(trained.path, [p.target.tokens for p in pairs])
        ner_seconds = time.perf_counter() - t0
    projected = project_corpus(
        pairs,
        config,
        links,
        candidate_spans,
        progress=lambda done, total: report(
            0.75 + 0.15 * done / max(total, 1), f"projecting sentence {done} of {total}"
        ),
    )
    return projected, ner_seconds


def persist(
    staging: Path,
    projected: Sequence[ProjectedPair],
    gold: Sequence[Sentence] | None,
    config: ProjectionConfig,
    settings: ProjectSettings,
) -> None:
    """Write the review database and the settings into ``staging``."""
    rows = []
    for k, result in enumerate(projected):
        pair = result.pair
        source_index = {span: e for e, span in enumerate(pair.source.spans)}
        rows.append(
            NewSentence(
                source_tokens=pair.source.tokens,
                source_spans=pair.source.spans,
                target_tokens=pair.target.tokens,
                gold_spans=None if gold is None else gold[k].spans,
                alignment=[(i, j, w) for (i, j), w in sorted(result.alignment.weight_map().items())],
                heuristic=[(p.span, source_index.get(p.source_span, -1), p.score) for p in result.heuristic],
                matching=[(p.span, source_index.get(p.source_span, -1), p.score) for p in result.matching],
                candidates=entity_candidates(result, config),
            )
        )
    store = ReviewStore(staging / DB_NAME)
    try:
        store.add_sentences(rows)
    finally:
        store.close()
    (staging / SETTINGS_NAME).write_text(json.dumps(dataclasses.asdict(settings), indent=2), encoding="utf-8")


def move_into_place(staging: Path, folder: Path) -> None:
    """Rename the finished staging folder to ``folder`` (an empty folder there is replaced)."""
    check_free(folder)
    if folder.exists():
        folder.rmdir()
    staging.rename(folder)


def create_project(
    folder: str | Path,
    source: str | Path,
    target: str | Path,
    gold: str | Path | None = None,
    config: ProjectionConfig = ProjectionConfig(),
    candidates: str = "ngram",
    target_lang: str = "xx",
    alignments: str | Path | None = None,
    name: str | None = None,
    primary_method: str = "matching",
    ner_epochs: int | None = None,
    progress: Progress | None = None,
    candidate_spans: Sequence[Sequence[tuple[int, int]]] | None = None,
    models: dict | None = None,
) -> Project:
    """Build a project in ``folder`` (which must not hold one yet) and return it.

    ``source``: CoNLL with entities; ``target``: CoNLL or tokenised text; ``gold``: optional
    target CoNLL with gold entities (same tokens); ``alignments``: optional Pharaoh file
    (else the configured aligner runs); ``candidates``: "ngram" or "ner" (a spaCy model
    trained here on the heuristic projections, ``ner_epochs`` or :func:`auto_epochs`), or
    "model" with ``candidate_spans`` (one list per sentence, e.g. from a target NER model).
    ``models``: the model flow's choices, recorded when models made the source side.
    Bad input raises :class:`CorpusError`; a name in use or being built by someone else
    :class:`ProjectError`. The project is built in a staging folder and renamed into place,
    so ``folder`` is either absent or complete; a failed build leaves nothing behind.
    """
    folder = Path(folder)
    check_free(folder)
    check_options(candidates, candidate_spans, primary_method)
    report = progress or (lambda fraction, message: None)
    report(0.0, "reading the corpus")
    inputs = validate_inputs(source, target, gold, alignments, candidate_spans)
    with claim_name(folder) as staging:
        build(
            folder,
            staging,
            inputs,
            config,
            candidates,
            candidate_spans,
            target_lang,
            name,
            primary_method,
            ner_epochs,
            models,
            report,
        )
    report(1.0, "done")
    return open_project(folder)


def build(
    folder: Path,
    staging: Path,
    inputs: ProjectInputs,
    config: ProjectionConfig,
    candidates: str,
    candidate_spans,
    target_lang: str,
    name: str | None,
    primary_method: str,
    ner_epochs: int | None,
    models: dict | None,
    report: Progress,
) -> None:
    """Stage, project and persist into ``staging`` (held by :func:`claim_name`), then move it to ``folder``."""
    started = time.perf_counter()
    if config.target_lang is None and target_lang != "xx":
        config = config.with_options(target_lang=target_lang)
    copies = stage_inputs(inputs.files, staging)
    projected, ner_seconds = run_projection(
        inputs, config, candidates, candidate_spans, target_lang, staging, ner_epochs, report
    )
    report(0.9, "writing the review database")
    settings = ProjectSettings(
        name=name or folder.name,
        source_file=copies["source"],
        target_file=copies["target"],
        gold_file=copies.get("gold"),
        alignment_file=copies.get("alignment"),
        target_lang=target_lang,
        candidates=candidates,
        primary_method=primary_method,
        config=_config_dict(config),
        created=time.time(),
        ner_training_seconds=ner_seconds,
        pipeline_seconds=time.perf_counter() - started,
        models=models,
    )
    persist(staging, projected, inputs.gold, config, settings)
    move_into_place(staging, folder)


MODEL_SHARE = 0.8  # of the progress bar, for the models (the rest builds the project)


def create_project_from_text(
    folder: str | Path,
    target: str | Path,
    options,
    gold: str | Path | None = None,
    cache_dir: str | Path | None = None,
    train_ner: bool = False,
    tokenize: bool = False,
    primary_method: str = "matching",
    name: str | None = None,
    progress: Progress | None = None,
) -> Project:
    """A project from unlabelled target text: the model flow (``options``, a
    :class:`~core.models.pipeline.ModelPipelineOptions`) translates it to English, tags and
    aligns it; the project then reviews the projections on the original target tokens.

    Matching candidates: the target NER model when ``options.candidates == "ner"``, a spaCy
    model trained here with ``train_ner``, else n-grams. Translations are cached in
    ``cache_dir``. Checks the files before any model runs; a failure leaves no folder.
    """
    from core.models.languages import language
    from core.models.pipeline import (
        read_targets,
        run_model_pipeline,
        write_project_inputs,
    )

    if options.projection.target_lang is None:  # the edge rule needs the target's own code
        options = dataclasses.replace(
            options, projection=options.projection.with_options(target_lang=language(options.target_lang).code)
        )
    report = progress or (lambda fraction, message: None)
    folder = Path(folder)
    check_free(folder)
    if train_ner and options.candidates == "ner":
        raise ValueError("choose one source of matching candidates: a target NER model or one trained here")
    check_options("ngram", None, primary_method)
    report(0.0, "reading the target text")
    targets = read_targets(target, tokenize)
    if gold is not None:
        _check_gold(read_conll(gold), targets, Path(gold))
    stage = {"name": "loading the models"}
    with claim_name(folder) as staging:  # held while the models run: a second build of the name stops at once
        result = run_model_pipeline(
            targets,
            options,
            cache_dir,
            progress=lambda done, total: report(MODEL_SHARE * done / max(total, 1), stage["name"]),
            status=lambda name: stage.update(name=name),
        )
        candidates = "model" if result.candidates is not None else "ner" if train_ner else "ngram"
        with tempfile.TemporaryDirectory(prefix="labelbridge-models-") as tmp:
            written = write_project_inputs(result, tmp)
            inputs = validate_inputs(written.source, written.target, gold, written.alignments, result.candidates)
            build(
                folder,
                staging,
                inputs,
                options.projection,
                candidates,
                result.candidates,
                options.projection.target_lang,
                name,
                primary_method,
                None,
                options.summary(),
                lambda fraction, message: report(MODEL_SHARE + (1 - MODEL_SHARE) * fraction, message),
            )
    report(1.0, "done")
    return open_project(folder)
