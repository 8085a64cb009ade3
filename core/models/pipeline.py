"""The paper's model-backed flow, from unlabelled target-language text to projected labels.

target sentences --MT--> English --NER--> English entities --align--> projection onto the
original target tokens (heuristic and matching), optionally refined by back-translation;
EasyProject labels the English-to-target translation instead, as a third method.
This is what ``python -m core pipeline`` and the app's project creation call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.alignment import make_aligner
from core.corpus.wordsplit import split_words
from core.datamodel import Sentence, SentencePair
from core.errors import CorpusError, LabelBridgeError
from core.models.backtranslation import align_back_translations
from core.models.easyproject import EASYPROJECT_MODEL, translate_with_markers
from core.models.languages import detokenize, language
from core.models.loading import Progress, check_available
from core.models.translate import TranslationCache, Translator
from core.projection.pipeline import METHODS, ProjectedPair, ProjectionConfig, project_corpus

PAPER_TRANSLATOR = "facebook/nllb-200-3.3B"
PAPER_NER = "FacebookAI/xlm-roberta-large-finetuned-conll03-english"
PAPER_ENCODER = "bert-base-multilingual-cased"
MODEL_ALIGNERS = ("simalign", "awesome", "eflomal")
Status = Callable[[str], None]


def model_projection(target_lang: str, solver: str = "greedy", max_ngram: int | None = None) -> ProjectionConfig:
    """Projection settings of the model flow: English source, and the target language's
    own code (``spa_Latn`` -> ``es``) for the function-word rule at span edges."""
    return ProjectionConfig(
        solver=solver, max_ngram=max_ngram, source_lang="en", target_lang=language(target_lang).code
    )


def read_targets(path: str | Path, tokenize: bool = False) -> list[Sentence]:
    """Target sentences to label: CoNLL (tags, if any, are dropped) or one sentence a line,
    split at spaces, or also at punctuation with ``tokenize``."""
    from core.corpus.io import looks_like_conll, read_lines, read_sentences

    if tokenize and not looks_like_conll(path):
        sentences = []
        for number, line in enumerate(read_lines(path), start=1):
            tokens = split_words(line)
            if not tokens:
                raise CorpusError(path, number, "empty line: put one sentence on every line")
            sentences.append(Sentence(tuple(tokens)))
        return sentences
    return [s.with_spans(()) for s in read_sentences(path)]


@dataclass(frozen=True)
class ModelPipelineOptions:
    """Every choice of the model-backed flow; the defaults are the paper's models."""

    target_lang: str
    translator: str = PAPER_TRANSLATOR
    ner: str = PAPER_NER
    source_lang: str = "eng_Latn"
    aligner: str = "simalign"
    encoder: str = PAPER_ENCODER
    layer: int = 8
    candidates: str = "ngram"
    candidate_ner: str | None = None
    back_translate: bool = False
    easyproject: bool = False
    marker_model: str = EASYPROJECT_MODEL
    fuzzy_threshold: float = 0.5
    drop_misc: bool = True
    device: str = "auto"
    translation_batch_size: int = 16
    ner_batch_size: int = 32
    align_batch_size: int = 32
    num_beams: int = 1
    max_new_tokens: int = 256
    translation_dtype: str = "auto"
    projection: ProjectionConfig = field(default_factory=lambda: ProjectionConfig(solver="greedy"))

    def __post_init__(self) -> None:
        language(self.target_lang)
        language(self.source_lang)
        if self.aligner not in MODEL_ALIGNERS:
            raise LabelBridgeError(f"unknown aligner {self.aligner!r}; choose one of {', '.join(MODEL_ALIGNERS)}")
        if self.candidates not in ("ngram", "ner"):
            raise LabelBridgeError(f"unknown candidates {self.candidates!r}; choose ngram or ner")

    @property
    def dropped_labels(self) -> frozenset[str]:
        return frozenset({"MISC"}) if self.drop_misc else frozenset()

    def summary(self) -> dict:
        """The model choices, as a project records them (plain JSON)."""
        embedding = self.aligner in ("simalign", "awesome")
        marker = self.back_translate or self.easyproject
        return {
            "target_lang": self.target_lang,
            "translator": self.translator,
            "ner": self.ner,
            "aligner": self.aligner,
            "encoder": self.encoder if embedding else None,
            "layer": self.layer if embedding else None,
            "candidate_ner": (self.candidate_ner or self.ner) if self.candidates == "ner" else None,
            "back_translate": self.back_translate,
            "marker_model": self.marker_model if marker else None,
            "device": self.device,
            "drop_misc": self.drop_misc,
            "source": "labelled back-translation" if self.back_translate else "machine-translated English",
        }


@dataclass(frozen=True)
class ModelPipelineResult:
    """Everything the flow produced, sentence by sentence in input order.

    ``pairs``: English translation with its NER entities -> original target sentence.
    ``projected``: projections onto the original target tokens; with back-translation the
    pair's source is the labelled back-translation instead of the English.
    ``easyproject``: labelled target-language *translations* of the English (not the
    original text), when asked for. ``candidates``: the NER candidates matching used
    (None for n-grams). ``translated``: sentences the models translated in this run
    (0 when every translation came from the cache).
    """

    options: ModelPipelineOptions
    english_text: tuple[str, ...]
    pairs: tuple[SentencePair, ...]
    projected: tuple[ProjectedPair, ...]
    easyproject: tuple[Sentence, ...] | None = None
    back_translations: tuple[str, ...] | None = None
    candidates: tuple[tuple[tuple[int, int], ...], ...] | None = None
    translated: int = 0

    def targets(self, method: str) -> list[Sentence]:
        """The original target sentences carrying one method's projected spans (MISC dropped
        when the options say so); ``easyproject`` gives the labelled translations."""
        if method == "easyproject":
            if self.easyproject is None:
                raise LabelBridgeError("EasyProject was not run; enable it in the options")
            return [
                s.with_spans(s for s in s.spans if s.label not in self.options.dropped_labels) for s in self.easyproject
            ]
        if method not in METHODS:
            raise LabelBridgeError(f"unknown method {method!r}; choose one of heuristic, matching, easyproject")
        return [p.target_with(method, self.options.dropped_labels) for p in self.projected]


class _Stages:
    """Maps each stage's own ``(done, total)`` onto one overall bar of 1000 steps."""

    def __init__(self, weights: dict[str, float], progress: Progress | None, status: Status | None):
        total = sum(weights.values())
        self.spans, start = {}, 0.0
        for name, weight in weights.items():
            self.spans[name] = (start, weight / total)
            start += weight / total
        self.progress, self.status = progress, status

    def __call__(self, name: str) -> Progress | None:
        if self.status:
            self.status(name)
        if not self.progress:
            return None
        start, share = self.spans[name]
        progress = self.progress

        def report(done: int, total: int) -> None:
            progress(int(1000 * (start + share * (done / max(total, 1)))), 1000)

        report(0, 1)
        return report


def make_translator(
    model: str, source: str, target: str, options: ModelPipelineOptions, cache: TranslationCache
) -> Translator:
    return Translator(
        model,
        source,
        target,
        cache,
        options.device,
        options.translation_batch_size,
        options.num_beams,
        options.max_new_tokens,
        options.translation_dtype,
    )


def make_model_aligner(options: ModelPipelineOptions):
    if options.aligner == "eflomal":
        return make_aligner(
            "eflomal", **(options.projection.aligner_options if options.projection.aligner == "eflomal" else {})
        )
    return make_aligner(
        options.aligner,
        model=options.encoder,
        layer=options.layer,
        device=options.device,
        batch_size=options.align_batch_size,
    )


def check_models(options: ModelPipelineOptions) -> None:
    """Raise :class:`~core.errors.ModelLoadError` now if a model the options need is missing."""
    from core.models.ner import is_spacy_pipeline

    needed = [("translation model", options.translator)]
    taggers = [options.ner] + ([options.candidate_ner] if options.candidates == "ner" and options.candidate_ner else [])
    needed += [("NER model", name) for name in dict.fromkeys(taggers) if not is_spacy_pipeline(name)]
    if options.aligner in ("simalign", "awesome"):
        needed.append(("encoder", options.encoder))
    if options.back_translate or options.easyproject:
        needed.append(("marker translation model", options.marker_model))
    for what, name in needed:
        check_available(what, name)


def run_model_pipeline(
    targets: Sequence[Sentence],
    options: ModelPipelineOptions,
    cache_dir: str | Path | None = None,
    progress: Progress | None = None,
    status: Status | None = None,
) -> ModelPipelineResult:
    """Translate, tag, align and project; translations are cached in ``cache_dir``.

    ``targets``: the user's target-language sentences (tokens; spans, if any, are kept as
    gold and ignored). ``progress(done, 1000)`` follows the whole run, ``status(stage)``
    names each stage as it starts.
    """
    from core.models.ner import load_tagger, ner_candidates, tag_sentences

    check_models(options)
    if not targets:
        raise LabelBridgeError("there are no target sentences to label")
    empty = [k + 1 for k, t in enumerate(targets) if not len(t)]
    if empty:
        raise LabelBridgeError(f"target sentence {empty[0]} has no tokens")
    weights = {"translating to English": 3.0, "tagging English": 1.0}
    if options.candidates == "ner":
        weights["tagging target candidates"] = 1.0
    if options.back_translate or options.easyproject:
        weights["marker translation"] = 3.0
    weights["aligning back-translations" if options.back_translate else "aligning"] = 2.0
    weights["projecting"] = 0.5
    stage = _Stages(weights, progress, status)
    cache = TranslationCache(Path(cache_dir) / "translations.sqlite" if cache_dir is not None else None)

    to_english = make_translator(options.translator, options.target_lang, options.source_lang, options, cache)
    english_text = to_english.translate(
        [detokenize(t.tokens, options.target_lang) for t in targets], stage("translating to English")
    )
    english_tokens = [tuple(split_words(text)) or ("∅",) for text in english_text]
    translated = to_english.generated
    to_english.release()

    tagger = load_tagger(options.ner, options.device, options.ner_batch_size)
    spans = tag_sentences(tagger, english_tokens, progress=stage("tagging English"))
    english = [Sentence(tokens, tuple(s)) for tokens, s in zip(english_tokens, spans)]
    pairs = [SentencePair(e, t) for e, t in zip(english, targets)]

    candidates = None
    if options.candidates == "ner":
        target_tagger = load_tagger(options.candidate_ner or options.ner, options.device, options.ner_batch_size)
        candidates = ner_candidates(target_tagger, [t.tokens for t in targets], stage("tagging target candidates"))

    aligner = make_model_aligner(options)
    config = replace(options.projection, dropped_labels=frozenset())
    easy, back_texts = None, None
    if options.back_translate or options.easyproject:
        marker = make_translator(options.marker_model, options.source_lang, options.target_lang, options, cache)
        marked = translate_with_markers(english, marker, None, options.fuzzy_threshold, stage("marker translation"))
        easy, back_texts = marked.sentences, marked.texts
        translated += marker.generated
        marker.release()
    if options.back_translate:
        assert easy is not None  # made above: back-translation runs the marker translation
        projection_pairs, alignments = align_back_translations(
            easy, targets, aligner, stage("aligning back-translations")
        )
        # the entities now sit on a back-translation: both sides are target-language text
        config = replace(config, source_lang=config.target_lang)
    else:
        alignments = aligner.align_corpus([e.tokens for e in english], [t.tokens for t in targets], stage("aligning"))
        projection_pairs = pairs
    projected = project_corpus(projection_pairs, config, list(alignments), candidates, stage("projecting"))
    if progress:
        progress(1000, 1000)
    cache.close()
    return ModelPipelineResult(
        options,
        tuple(english_text),
        tuple(pairs),
        tuple(projected),
        tuple(easy) if options.easyproject and easy is not None else None,
        tuple(back_texts) if options.back_translate and back_texts is not None else None,
        tuple(tuple(c) for c in candidates) if candidates is not None else None,
        translated,
    )


@dataclass(frozen=True)
class ProjectInputs:
    """Files a parallel-corpus project can be built from: source CoNLL with entities,
    target text, and the alignments the model flow computed (Pharaoh)."""

    source: Path
    target: Path
    alignments: Path


def write_project_inputs(result: ModelPipelineResult, folder: str | Path) -> ProjectInputs:
    """Write the flow's sentence pairs as the parallel-corpus way in expects them.

    The source is what the projections came from: the tagged English, or the labelled
    back-translation when back-translation was on. With the alignments given, building
    the project re-runs no model and reproduces ``result.projected``.
    """
    from core.corpus.io import write_conll, write_pharaoh, write_text

    folder = Path(folder)
    inputs = ProjectInputs(folder / "source.conll", folder / "target.txt", folder / "alignments.txt")
    write_conll(inputs.source, [p.pair.source for p in result.projected])
    write_text(inputs.target, [p.pair.target for p in result.projected])
    write_pharaoh(inputs.alignments, [p.alignment for p in result.projected])
    return inputs
