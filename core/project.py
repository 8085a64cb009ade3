"""A review project: a folder holding a copy of the input files, the projection settings and
the review database (``review.sqlite``) with every sentence, projection and decision.

``create_project`` runs the whole pipeline once (align, optionally train an NER model for
candidates, project with both methods) and caches the result in the database; opening the
project later costs nothing.
"""
from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from .corpus_io import read_conll, read_parallel, read_pharaoh
from .datamodel import Alignment, Sentence, SentencePair
from .errors import CorpusError, LabelBridgeError
from .matching import score_pairs
from .candidates import ngram_candidates
from .pipeline import ProjectionConfig, align, pair_filter, project_corpus
from .review_store import NewSentence, ReviewStore

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
            return (f"Source: a labelled back-translation (target to English by {m.get('translator')}, entities by {m.get('ner')}, "
                    f"back with entity markers by {m.get('marker_model')}).")
        return f"Source: English machine-translated from the target by {m.get('translator')}; entities by {m.get('ner')}."


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


def candidate_lists(pair: SentencePair, alignment: Alignment, candidates: Sequence[tuple[int, int]], config: ProjectionConfig, limit: int = MAX_CANDIDATES) -> dict[int, list[tuple[int, int, float]]]:
    """The best-scoring candidate spans of each source entity, as matching saw them
    (core matching scores; pairs the edge rule rules out are left out)."""
    table: dict[int, list[tuple[int, int, float]]] = {}
    for scored in score_pairs(list(pair.source.spans), candidates, alignment, len(pair.target), config.min_score, pair_filter(pair, config)):
        start, end = candidates[scored.candidate]
        table.setdefault(scored.entity, []).append((start, end, scored.score))
    return {e: sorted(c, key=lambda x: (-x[2], x[0], x[1]))[:limit] for e, c in table.items()}


def auto_epochs(n_sentences: int) -> int:
    """NER training epochs: 30 on a small corpus (it has to learn from few examples),
    fewer as the corpus grows, so training stays within minutes (about 12,000 updates)."""
    return max(5, min(30, 12_000 // max(n_sentences, 1)))


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
    Bad input raises :class:`CorpusError`; a failed build leaves no folder behind.
    """
    report = progress or (lambda fraction, message: None)
    started = time.perf_counter()
    if config.target_lang is None and target_lang != "xx":
        config = config.with_options(target_lang=target_lang)
    folder = Path(folder)
    if is_project(folder):
        raise ProjectError(f"{folder} already holds a project; open it instead")
    if candidates not in ("ngram", "ner", "model"):
        raise ValueError(f"unknown candidate source {candidates!r}; choose ngram, ner or model")
    if (candidates == "model") != (candidate_spans is not None):
        raise ValueError("candidate spans come with candidates='model' and only with it")
    if primary_method not in ("heuristic", "matching"):
        raise ValueError(f"unknown method {primary_method!r}")
    report(0.0, "reading the corpus")
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

    staging = folder.with_name(folder.name + ".building")
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "input").mkdir(parents=True)
    try:
        copies = {}
        for role, path in (("source", source), ("target", target), ("gold", gold), ("alignment", alignments)):
            if path is not None:
                copy = staging / "input" / f"{role}{Path(path).suffix or '.txt'}"
                shutil.copyfile(path, copy)
                copies[role] = f"input/{copy.name}"

        if links is None:
            report(0.05, f"aligning {len(pairs)} sentence pairs with {config.aligner}")
            links = align(pairs, config, lambda done, total: report(0.05 + 0.35 * done / max(total, 1), f"aligning ({config.aligner}, run {done} of {total})"))
        report(0.4, "projecting (heuristic and matching)")
        ner_seconds = None
        if candidates == "ner":
            from .ner_training import predict_spans, train_ner

            first = project_corpus(pairs, config, links, [[] for _ in pairs])  # heuristic only: no candidates yet
            data = [(p.pair.target.tokens, [proj.span for proj in p.heuristic]) for p in first]
            t0 = time.perf_counter()
            epochs = ner_epochs or auto_epochs(len(pairs))
            trained = train_ner(data, target_lang, staging / "ner-model", epochs=epochs,
                                progress=lambda done, total: report(0.45 + 0.3 * done / total, f"training the NER candidate model (epoch {done} of {total})"))
            candidate_spans = predict_spans(trained.path, [p.target.tokens for p in pairs])
            ner_seconds = time.perf_counter() - t0
        projected = project_corpus(
            pairs, config, links, candidate_spans,
            progress=lambda done, total: report(0.75 + 0.15 * done / max(total, 1), f"projecting sentence {done} of {total}"),
        )
        report(0.9, "writing the review database")
        store = ReviewStore(staging / DB_NAME)
        rows = []
        for k, result in enumerate(projected):
            pair = result.pair
            cands = candidate_spans[k] if candidate_spans is not None else ngram_candidates(pair.target.tokens, config.max_ngram)
            source_index = {span: e for e, span in enumerate(pair.source.spans)}
            rows.append(NewSentence(
                source_tokens=pair.source.tokens,
                source_spans=pair.source.spans,
                target_tokens=pair.target.tokens,
                gold_spans=None if gold_sentences is None else gold_sentences[k].spans,
                alignment=[(i, j, w) for (i, j), w in sorted(result.alignment.weight_map().items())],
                heuristic=[(p.span, source_index.get(p.source_span, -1), p.score) for p in result.heuristic],
                matching=[(p.span, source_index.get(p.source_span, -1), p.score) for p in result.matching],
                candidates=candidate_lists(pair, result.alignment, cands, config),
            ))
        store.add_sentences(rows)
        store.close()
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
        (staging / SETTINGS_NAME).write_text(json.dumps(dataclasses.asdict(settings), indent=2), encoding="utf-8")
        if folder.exists():
            if any(folder.iterdir()):
                raise ProjectError(f"{folder} exists and is not empty")
            folder.rmdir()
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report(1.0, "done")
    return open_project(folder)


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
    :class:`~core.model_pipeline.ModelPipelineOptions`) translates it to English, tags and
    aligns it; the project then reviews the projections on the original target tokens.

    Matching candidates: the target NER model when ``options.candidates == "ner"``, a spaCy
    model trained here with ``train_ner``, else n-grams. Translations are cached in
    ``cache_dir``. Checks the files before any model runs; a failure leaves no folder.
    """
    from .languages import language
    from .model_pipeline import read_targets, run_model_pipeline, write_project_inputs

    if options.projection.target_lang is None:  # the edge rule needs the target's own code
        options = dataclasses.replace(options, projection=options.projection.with_options(target_lang=language(options.target_lang).code))
    report = progress or (lambda fraction, message: None)
    folder = Path(folder)
    if is_project(folder) or (folder.exists() and any(folder.iterdir())):
        raise ProjectError(f"{folder} exists already; choose another name")
    if train_ner and options.candidates == "ner":
        raise ValueError("choose one source of matching candidates: a target NER model or one trained here")
    report(0.0, "reading the target text")
    targets = read_targets(target, tokenize)
    if gold is not None:
        _check_gold(read_conll(gold), targets, Path(gold))
    stage = {"name": "loading the models"}
    result = run_model_pipeline(
        targets, options, cache_dir,
        progress=lambda done, total: report(MODEL_SHARE * done / max(total, 1), stage["name"]),
        status=lambda name: stage.update(name=name),
    )
    candidates = "model" if result.candidates is not None else "ner" if train_ner else "ngram"
    with tempfile.TemporaryDirectory(prefix="labelbridge-models-") as tmp:
        inputs = write_project_inputs(result, tmp)
        return create_project(
            folder, inputs.source, inputs.target, gold, options.projection, candidates=candidates,
            target_lang=options.projection.target_lang, alignments=inputs.alignments, name=name,
            primary_method=primary_method, candidate_spans=result.candidates, models=options.summary(),
            progress=lambda fraction, message: report(MODEL_SHARE + (1 - MODEL_SHARE) * fraction, message),
        )
