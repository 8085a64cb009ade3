"""The Ray engine (``--engine ray``): the same projection and model flow, spread over a Ray cluster.

Ray is optional (``pip install -r requirements-ray.txt``) and imported only here, only when
``--engine ray`` is asked for. What runs where:

- projection: plain Ray tasks, one per slice of a chunk (:func:`core.scale.chunked.project_slice`),
  retried when a worker dies (``max_retries``);
- eflomal with ``--align-shard-size``: one task per shard, each trained on its shard;
- model stages of ``pipeline`` (translation, English NER, embedding alignment): Ray Data
  ``map_batches`` over an actor pool, each actor loading its model once (``num_gpus=1`` per
  actor when a GPU is asked for); Ray Data restarts an actor that died and retries its batch.

Deterministic stages give exactly the local engine's output: items carry their index and
the driver puts results back in input order. A tqdm bar on the driver counts finished
batches from every worker. ``LABELBRIDGE_FAULT_ONCE=FILE`` (tests) makes the first task or
batch that finds FILE missing create it and kill its worker, so a retry must finish the job.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from core.errors import UsageError

FAULT_ENV = "LABELBRIDGE_FAULT_ONCE"
MAX_RETRIES = 3


def import_ray():
    """The ``ray`` module, or a one-line error saying how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise UsageError(
            "--engine ray needs Ray, which is not installed: pip install -r requirements-ray.txt "
            "(ray[data] 2.x), or use --engine local"
        ) from None
    return ray


def start_ray(address: str | None):
    """Join the cluster at ``address`` (or $RAY_ADDRESS), or start Ray on this machine;
    returns (ray, whether this call started it)."""
    ray = import_ray()
    if ray.is_initialized():
        return ray, False
    address = address or os.environ.get("RAY_ADDRESS") or None
    if address and address != "auto":
        _check_reachable(address)
    try:
        ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    except ConnectionError as err:
        raise UsageError(
            f"--ray-address {address}: no Ray cluster answers there ({err}); start one with "
            "`ray start --head` or leave --ray-address out to run Ray on this machine"
        ) from None
    return ray, True


def _check_reachable(address: str, seconds: float = 10.0) -> None:
    """Fail in one line when nothing listens at ``host:port`` (``ray.init`` would wait for minutes)."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--ray-address {address}: expected HOST:PORT, ray://HOST:PORT or auto")
    try:
        socket.create_connection((host, int(port)), timeout=seconds).close()
    except OSError as err:
        raise UsageError(
            f"--ray-address {address}: no Ray cluster answers there ({err.strerror or err}); start one "
            "with `ray start --head`, or leave --ray-address out to run Ray on this machine"
        ) from None


def _fault_once(marker: str | None) -> None:
    """Kill this worker the first time (the marker file does not exist yet)."""
    if marker and not os.path.exists(marker):
        Path(marker).write_text("failed once\n")
        os._exit(1)


def _project_slice_task(task, marker):
    from core.scale.chunked import project_slice

    _fault_once(marker)
    return project_slice(task)


def _project_pairs_task(pairs, alignments, config, candidates, lights, first, marker):
    from core.projection.pipeline import METHODS, project_pair

    _fault_once(marker)
    return [
        project_pair(
            p, a, config, candidates[k] if candidates is not None else None, METHODS, first + k + 1, light=lights[k]
        )
        for k, (p, a) in enumerate(zip(pairs, alignments))
    ]


def _align_shard_task(name, options, sources, targets, marker):
    from core.alignment import make_aligner

    _fault_once(marker)
    return make_aligner(name, **options).align_corpus(sources, targets)


class RayEngine:
    """Tasks on a Ray cluster, with the interface of :class:`core.scale.chunked.LocalEngine`."""

    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None):
        self.ray, self._started = start_ray(address)
        cpus = int(self.ray.cluster_resources().get("CPU", 1))
        self.workers = max(1, cpus)
        self.marker = os.environ.get(FAULT_ENV) or None

    def _remote(self, function):
        return self.ray.remote(max_retries=MAX_RETRIES)(function)

    def _gather(self, refs: list, sizes: Sequence[int], done: Callable[[int], None]) -> list:
        """Results of ``refs`` in their order, calling ``done(size)`` as each one finishes."""
        index = {ref: k for k, ref in enumerate(refs)}
        pending = list(refs)
        while pending:
            ready, pending = self.ray.wait(pending, num_returns=1)
            for ref in ready:
                done(sizes[index[ref]])
        return self.ray.get(refs)

    def map(self, tasks, done: Callable[[int], None], pairs: int = 0) -> list:
        tasks = list(tasks)
        remote = self._remote(_project_slice_task)
        refs = [remote.remote(task, self.marker) for task in tasks]
        return self._gather(refs, [len(t.pairs) for t in tasks], done)

    def project_pairs(self, pairs, alignments, config, candidates, done: Callable[[int], None]) -> list:
        """:func:`core.projection.pipeline.project_corpus` over slices of ``pairs`` (both methods):
        the first pass on the cluster; with corpus evidence, the function words before it and the
        second matching pass (only the pairs with a known translation) on the driver."""
        from core.projection.corpus_evidence import corpus_lights
        from core.projection.pipeline import second_matching_pass

        lights = corpus_lights(pairs) if config.corpus_evidence else [None] * len(pairs)
        result = self._first_pass(pairs, alignments, config, candidates, lights, done)
        if config.corpus_evidence:
            result = second_matching_pass(pairs, alignments, config, candidates, result, lights)
        return result

    def _first_pass(self, pairs, alignments, config, candidates, lights, done: Callable[[int], None]) -> list:
        size = max(1, -(-len(pairs) // (4 * self.workers)))
        remote = self._remote(_project_pairs_task)
        refs, sizes = [], []
        for start in range(0, len(pairs), size):
            end = start + size
            refs.append(
                remote.remote(
                    list(pairs[start:end]),
                    list(alignments[start:end]),
                    config,
                    list(candidates[start:end]) if candidates is not None else None,
                    list(lights[start:end]),
                    start,
                    self.marker,
                )
            )
            sizes.append(len(pairs[start:end]))
        return [item for part in self._gather(refs, sizes, done) for item in part]

    def align_shards(
        self, name: str, options: dict, sources, targets, shards, done: Callable[[int], None] = lambda n: None
    ) -> list:
        """eflomal (or any aligner) trained on each shard on its own, shards in parallel."""
        remote = self._remote(_align_shard_task)
        refs = [remote.remote(name, options, list(sources[a:b]), list(targets[a:b]), self.marker) for a, b in shards]
        return [a for part in self._gather(refs, [b - a for a, b in shards], done) for a in part]

    def close(self) -> None:
        if self._started:
            self.ray.shutdown()
            self._started = False


# --- model stages on Ray Data ---------------------------------------------------------------


class _Translate:
    """A Ray Data actor: one translation model, loaded once, translating batches of text."""

    def __init__(self, model, source, target, cache_path, device, batch_size, num_beams, max_new_tokens, dtype, marker):
        from core.models.translate import TranslationCache, Translator

        self.marker = marker
        self.translator = Translator(
            model, source, target, TranslationCache(cache_path), device, batch_size, num_beams, max_new_tokens, dtype
        )

    def __call__(self, batch):
        import numpy as np

        _fault_once(self.marker)
        texts = [json.loads(item) for item in batch["item"]]
        out = self.translator.translate(texts)
        return {"i": batch["i"], "out": np.array([json.dumps(t) for t in out], dtype=object)}


class _Tag:
    """A Ray Data actor: one NER model tagging batches of token lists; returns spans (or
    candidate spans, labels ignored, with ``candidates``)."""

    def __init__(self, model, device, batch_size, candidates, marker):
        from core.models.ner import load_tagger

        self.marker, self.candidates = marker, candidates
        self.tagger = load_tagger(model, device, batch_size)

    def __call__(self, batch):
        import numpy as np

        from core.models.ner import ner_candidates, tag_sentences

        _fault_once(self.marker)
        tokens = [tuple(json.loads(item)) for item in batch["item"]]
        out: list[list[list]]
        if self.candidates:
            out = [[list(c) for c in spans] for spans in ner_candidates(self.tagger, tokens)]
        else:
            out = [[[s.start, s.end, s.label] for s in spans] for spans in tag_sentences(self.tagger, tokens)]
        return {"i": batch["i"], "out": np.array([json.dumps(o) for o in out], dtype=object)}


class _Align:
    """A Ray Data actor: one embedding aligner (its encoder loaded once) aligning batches of pairs."""

    def __init__(self, options, marker):
        from core.models.pipeline import make_model_aligner

        self.marker = marker
        self.aligner = make_model_aligner(options)

    def __call__(self, batch):
        import numpy as np

        _fault_once(self.marker)
        items = [json.loads(item) for item in batch["item"]]
        out = self.aligner.align_corpus([tuple(s) for s, _ in items], [tuple(t) for _, t in items])
        return {
            "i": batch["i"],
            "out": np.array(
                [json.dumps([[i, j, w] for (i, j), w in sorted(a.weight_map().items())]) for a in out], dtype=object
            ),
        }


class RayModelStages:
    """Runs one model stage at a time over the whole dataset on an actor pool."""

    def __init__(self, ray, actors: int, gpus: float, progress: bool, marker: str | None):
        self.ray, self.actors, self.gpus, self.progress, self.marker = ray, actors, gpus, progress, marker
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.execution_options.preserve_order = True

    def run(self, name: str, actor, args: tuple, items: Sequence, batch_size: int) -> list:
        """``actor`` over ``items`` (JSON-able) in batches; results (JSON-decoded) in input order."""
        from tqdm import tqdm

        if not items:
            return []
        ds = self.ray.data.from_items(
            [{"i": k, "item": json.dumps(item)} for k, item in enumerate(items)],
            override_num_blocks=max(1, min(len(items), 4 * self.actors)),
        )
        ds = ds.map_batches(
            actor,
            fn_constructor_args=args,
            batch_size=batch_size,
            batch_format="numpy",
            concurrency=self.actors,
            num_gpus=self.gpus or None,
        )  # Ray Data restarts a dead actor and retries its batch
        results: list = [None] * len(items)
        with tqdm(total=len(items), desc=name, file=sys.stderr, leave=False, disable=not self.progress) as bar:
            for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
                for k, out in zip(batch["i"], batch["out"]):
                    results[int(k)] = json.loads(out)
                bar.update(len(batch["i"]))
        return results


def run_model_pipeline_ray(
    targets,
    options,
    cache_dir,
    address: str | None = None,
    workers: int | None = None,
    progress: bool = True,
    status: Callable[[str], None] | None = None,
    align_shard_size: int | None = None,
):
    """:func:`core.models.pipeline.run_model_pipeline` on Ray: same stages, same result, for the
    English-pivot flow (translation, English NER, n-gram or NER candidates, alignment, both
    projections). Back-translation and EasyProject run with ``--engine local``."""
    from core.corpus.wordsplit import split_words
    from core.datamodel import Alignment, Sentence, SentencePair, Span
    from core.models.languages import detokenize
    from core.models.pipeline import ModelPipelineResult, check_models

    if options.back_translate or options.easyproject:
        raise UsageError(
            "--engine ray runs the translate-tag-align-project flow; --back-translate and --method "
            "easyproject need --engine local"
        )
    check_models(options)
    if not targets:
        raise UsageError("there are no target sentences to label")
    empty = [k + 1 for k, t in enumerate(targets) if not len(t)]
    if empty:
        raise UsageError(f"target sentence {empty[0]} has no tokens")
    say = status or (lambda name: None)
    engine = RayEngine(address, workers)
    ray = engine.ray
    try:
        has_gpu = ray.cluster_resources().get("GPU", 0) > 0
        gpu = options.device == "cuda" or (options.device == "auto" and has_gpu)
        actors = (
            max(1, int(ray.cluster_resources().get("GPU", 1)))
            if gpu
            else max(1, min(workers or engine.workers, engine.workers))
        )
        stages = RayModelStages(ray, actors, 1 if gpu else 0, progress, engine.marker)
        cache = str(Path(cache_dir) / "translations.sqlite") if cache_dir is not None else None
        if cache:
            Path(cache).parent.mkdir(parents=True, exist_ok=True)

        say("translating to English")
        english_text = stages.run(
            "translating to English",
            _Translate,
            (
                options.translator,
                options.target_lang,
                options.source_lang,
                cache,
                options.device,
                options.translation_batch_size,
                options.num_beams,
                options.max_new_tokens,
                options.translation_dtype,
                engine.marker,
            ),
            [detokenize(t.tokens, options.target_lang) for t in targets],
            options.translation_batch_size,
        )
        english_tokens = [tuple(split_words(text)) or ("∅",) for text in english_text]

        say("tagging English")
        tagged = stages.run(
            "tagging English",
            _Tag,
            (options.ner, options.device, options.ner_batch_size, False, engine.marker),
            [list(t) for t in english_tokens],
            options.ner_batch_size,
        )
        english = [
            Sentence(tokens, tuple(Span(a, b, label) for a, b, label in spans))
            for tokens, spans in zip(english_tokens, tagged)
        ]
        pairs = [SentencePair(e, t) for e, t in zip(english, targets)]

        candidates = None
        if options.candidates == "ner":
            say("tagging target candidates")
            found = stages.run(
                "tagging target candidates",
                _Tag,
                (options.candidate_ner or options.ner, options.device, options.ner_batch_size, True, engine.marker),
                [list(t.tokens) for t in targets],
                options.ner_batch_size,
            )
            candidates = [[tuple(c) for c in spans] for spans in found]

        say("aligning")
        if options.aligner == "eflomal":
            from core.scale.chunked import shard_bounds

            eflomal_options = options.projection.aligner_options if options.projection.aligner == "eflomal" else {}
            shards = shard_bounds(len(pairs), align_shard_size)
            alignments = engine.align_shards(
                "eflomal", dict(eflomal_options), [e.tokens for e in english], [t.tokens for t in targets], shards
            )
        else:
            links = stages.run(
                "aligning",
                _Align,
                (options, engine.marker),
                [[list(e.tokens), list(t.tokens)] for e, t in zip(english, targets)],
                options.align_batch_size,
            )
            alignments = [
                Alignment.from_pairs([(i, j) for i, j, _ in item], {(i, j): w for i, j, w in item}) for item in links
            ]

        say("projecting")
        config = replace(options.projection, dropped_labels=frozenset())
        from tqdm import tqdm

        with tqdm(total=len(pairs), desc="projecting", file=sys.stderr, leave=False, disable=not progress) as bar:
            projected = engine.project_pairs(pairs, alignments, config, candidates, bar.update)
    finally:
        engine.close()
    return ModelPipelineResult(
        options,
        tuple(english_text),
        tuple(pairs),
        tuple(projected),
        None,
        None,
        tuple(tuple(c) for c in candidates) if candidates is not None else None,
        0,
    )
