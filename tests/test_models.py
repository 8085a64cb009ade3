"""The model-backed flow on tiny random-weight models built locally (see model_fixtures).

Random weights translate and tag nonsense, so these tests check what holds for any model:
shapes, determinism, caching, batching, the paper's extraction rules, and the errors for
missing models. Real loading and inference code runs throughout.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from helpers import DEMO

from core.corpus.io import read_conll, read_pharaoh, write_conll, write_text
from core.datamodel import Sentence, Span
from core.errors import ModelLoadError

pytest_plugins = ["tests.model_fixtures"]

SPANISH = [
    ("El", "señor", "Barroso", "visitó", "Madrid", "el", "lunes", "."),
    ("La", "Comisión", "Europea", "aprobó", "el", "informe", "."),
    ("Gracias", "."),
    ("El", "Parlamento", "Europeo", "se", "reúne", "en", "Estrasburgo", "y", "en", "Bruselas", "."),
    ("Señora", "Presidenta", ",", "¿", "qué", "opina", "la", "Comisión", "?"),
]
TARGETS = [Sentence(tokens) for tokens in SPANISH]


# --- missing models ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "load",
    [
        lambda name: (
            __import__("core.models.translate", fromlist=["x"]).Translator(name, "spa_Latn", "eng_Latn").load()
        ),
        lambda name: __import__("core.models.ner", fromlist=["x"]).TransformersTagger(name).load(),
        lambda name: __import__("core.alignment.embeddings", fromlist=["x"]).SubwordEncoder(name).load(),
    ],
)
def test_a_missing_hub_model_fails_in_one_sentence(load):
    with pytest.raises(ModelLoadError) as caught:
        load("facebook/nllb-200-3.3B")
    message = str(caught.value)
    assert "'facebook/nllb-200-3.3B'" in message and "HF_HOME" in message and "local path" in message
    assert "\n" not in message and message.count(". ") == 0


def test_a_missing_folder_and_a_folder_without_a_model(tmp_path):
    from core.models.translate import Translator

    with pytest.raises(ModelLoadError, match="no such folder"):
        Translator(str(tmp_path / "nope"), "spa_Latn", "eng_Latn").load()
    with pytest.raises(ModelLoadError, match="must hold a model saved with save_pretrained"):
        Translator(str(tmp_path), "spa_Latn", "eng_Latn").load()


def test_a_missing_spacy_pipeline():
    from core.models.ner import SpacyTagger

    with pytest.raises(ModelLoadError, match="Cannot load the spaCy pipeline 'xx_no_such_pipeline'"):
        SpacyTagger("xx_no_such_pipeline").tag([["a"]])


def test_the_pipeline_checks_every_model_before_translating(tmp_path, tiny_translator, tiny_ner):
    from core.models.pipeline import ModelPipelineOptions, run_model_pipeline

    options = ModelPipelineOptions(
        "spa_Latn", translator=str(tiny_translator), ner=str(tiny_ner), encoder="bert-base-multilingual-cased"
    )
    with pytest.raises(ModelLoadError, match="encoder 'bert-base-multilingual-cased'"):
        run_model_pipeline(TARGETS, options, tmp_path)
    assert not (tmp_path / "translations.sqlite").exists()


# --- translation ------------------------------------------------------------------------


def test_translation_shapes_determinism_and_cache(tmp_path, tiny_translator):
    from core.models.translate import TranslationCache, Translator

    texts = [" ".join(t) for t in SPANISH] + [" ".join(SPANISH[0])]
    first = Translator(
        str(tiny_translator),
        "spa_Latn",
        "eng_Latn",
        TranslationCache(tmp_path / "c.sqlite"),
        device="cpu",
        batch_size=2,
        max_new_tokens=12,
    )
    out = first.translate(texts)
    assert len(out) == len(texts) and all(isinstance(t, str) and t for t in out)
    assert out[0] == out[-1]
    assert first.generated == len(SPANISH)  # the repeated sentence is translated once
    again = first.translate(texts)
    assert again == out and first.generated == len(SPANISH)
    assert first.cache.hits == len(texts)

    # A new translator on the same cache file never loads the model.
    second = Translator(
        str(tiny_translator),
        "spa_Latn",
        "eng_Latn",
        TranslationCache(tmp_path / "c.sqlite"),
        device="cpu",
        max_new_tokens=12,
    )
    assert second.translate(texts) == out
    assert second.generated == 0 and second._loaded is None

    # Another cache, other batch size: the same greedy output.
    third = Translator(str(tiny_translator), "spa_Latn", "eng_Latn", device="cpu", batch_size=16, max_new_tokens=12)
    assert third.translate(texts) == out


def test_translation_in_bfloat16(tiny_translator):
    import torch

    from core.models.translate import Translator

    translator = Translator(
        str(tiny_translator), "spa_Latn", "eng_Latn", device="cpu", dtype="bfloat16", max_new_tokens=6
    )
    assert len(translator.translate(["hola", "adiós"])) == 2
    assert next(translator.load()[0].parameters()).dtype == torch.bfloat16


def test_language_codes_reach_the_model(tiny_translator):
    from core.errors import LabelBridgeError
    from core.models.translate import Translator, language_setup

    translator = Translator(str(tiny_translator), "es", "deu_Latn", device="cpu")
    _, tokenizer = translator.load()
    prefix, forced = language_setup(tokenizer, "es", "deu_Latn")
    assert prefix == "" and forced == tokenizer.convert_tokens_to_ids("deu_Latn")
    assert tokenizer("hola")["input_ids"][0] == tokenizer.convert_tokens_to_ids("spa_Latn")
    with pytest.raises(LabelBridgeError, match="no language code fra_Latn"):
        language_setup(tokenizer, "spa_Latn", "fr")
    different = Translator(str(tiny_translator), "spa_Latn", "eng_Latn", device="cpu", max_new_tokens=8)
    assert translator.key("hola") != different.key("hola")


# --- NER --------------------------------------------------------------------------------


def test_transformers_tagger_is_word_wise_and_batch_invariant(tiny_ner):
    from core.models.ner import TransformersTagger, load_tagger

    tagger = load_tagger(str(tiny_ner), device="cpu")
    assert isinstance(tagger, TransformersTagger)
    sentences = [list(t) for t in SPANISH] + [[]]
    one = TransformersTagger(str(tiny_ner), device="cpu", batch_size=1).tag(sentences)
    many = tagger.tag(sentences)
    assert [spans_of(s) for s in one] == [spans_of(s) for s in many]
    assert len(many) == len(sentences) and many[-1] == []
    labels = set()
    for tokens, found in zip(sentences, many):
        for span in found:
            assert 0 <= span.start < span.end <= len(tokens) and 0 < span.score <= 1
            labels.add(span.label)
    assert labels and labels <= {"PER", "LOC", "ORG", "MISC"}


def test_first_subword_decides(tiny_ner):
    """A word split into several subwords takes the label the model gives its first one."""
    import torch

    from core.models.ner import TransformersTagger

    tagger = TransformersTagger(str(tiny_ner), device="cpu")
    model, tokenizer = tagger.load()
    words = ["Estrasburgo", "aprobó", "Barrosísimo"]
    encoded = tokenizer(words, is_split_into_words=True, return_tensors="pt")
    with torch.no_grad():
        best = model(**encoded).logits[0].argmax(-1).tolist()
    firsts = {}
    for position, word in enumerate(encoded.word_ids(0)):
        if word is not None and word not in firsts:
            firsts[word] = model.config.id2label[best[position]]
    assert any(encoded.word_ids(0).count(w) > 1 for w in range(3))
    from core.models.ner import word_tags_to_spans

    expected = word_tags_to_spans([firsts[w] for w in range(3)])
    assert spans_of(tagger.tag([words])[0]) == spans_of(expected)


def test_spacy_pipeline_by_folder(tiny_spacy):
    from core.models.ner import SpacyTagger, load_tagger, ner_candidates, tag_sentences

    tagger = load_tagger(str(tiny_spacy))
    assert isinstance(tagger, SpacyTagger)
    sentences = [["Juan", "Pérez", "visited", "Madrid", "on", "Monday"], ["the", "European", "Commission"]]
    assert [spans_of(s) for s in tagger.tag(sentences)] == [[(0, 2, "PER"), (3, 4, "LOC")], [(1, 3, "ORG")]]
    assert ner_candidates(tagger, sentences) == [[(0, 2), (3, 4)], [(1, 3)]]
    assert [spans_of(s) for s in tag_sentences(tagger, sentences, frozenset({"PER"}))] == [
        [(3, 4, "LOC")],
        [(1, 3, "ORG")],
    ]


# --- aligners ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoder", ["tiny_encoder", "tiny_xlmr_encoder"])
def test_simalign_equals_the_simalign_package(request, encoder):
    """Our batched SimAlign gives simalign 0.4's own itermax links (transformers 5)."""
    simalign = pytest.importorskip("simalign")
    from core.alignment import make_aligner

    path = str(request.getfixturevalue(encoder))
    en = [s.tokens for s in read_conll(DEMO / "en.conll")[10:22]]
    es = [s.tokens for s in read_conll(DEMO / "es.conll")[10:22]]
    ours = make_aligner("simalign", model=path, layer=2, device="cpu", batch_size=5).align_corpus(en, es)
    reference = simalign.SentenceAligner(model=path, token_type="bpe", matching_methods="i", device="cpu", layer=2)
    for k, alignment in enumerate(ours):
        expected = {tuple(link) for link in reference.get_word_aligns(list(en[k]), list(es[k]))["itermax"]}
        assert set(alignment.links) == expected


@pytest.mark.parametrize("name", ["simalign", "awesome"])
def test_embedding_aligners(name, tiny_encoder):
    from core.alignment import make_aligner

    sentence = ("Señora", "Presidenta", ",", "el", "Parlamento", "Europeo", "vota", "hoy")
    sources, targets = [sentence, SPANISH[0]], [sentence, SPANISH[1]]
    aligner = make_aligner(name, model=str(tiny_encoder), layer=3, device="cpu", batch_size=1)
    done = []
    first = aligner.align_corpus(sources, targets, lambda d, t: done.append((d, t)))
    assert done[-1] == (4, 4)
    again = make_aligner(name, model=str(tiny_encoder), layer=3, device="cpu", batch_size=8).align_corpus(
        sources, targets
    )
    assert [a.links for a in first] == [a.links for a in again]
    for (source, target), alignment in zip(zip(sources, targets), first):
        assert alignment.links and all(i < len(source) and j < len(target) for i, j in alignment.links)
    if name == "simalign":  # a sentence aligned to itself: cosine 1 on the diagonal
        assert {(k, k) for k in range(len(sentence))} <= first[0].links


def test_layer_beyond_the_model(tiny_encoder):
    from core.alignment.simalign_aligner import SimAlignAligner

    with pytest.raises(ModelLoadError, match="it has 3 layers"):
        SimAlignAligner(str(tiny_encoder), layer=8, device="cpu").align_corpus([["a"]], [["b"]])


# --- marker translation, back-translation ------------------------------------------------


def test_easyproject_labels_what_it_can_recover(tiny_translator):
    from core.models.easyproject import translate_with_markers
    from core.models.translate import Translator

    english = [
        Sentence(("Barroso", "visited", "Madrid"), (Span(0, 1, "PER"), Span(2, 3, "LOC"))),
        Sentence(("Thanks", ".")),
    ]
    translator = Translator(str(tiny_translator), "eng_Latn", "spa_Latn", device="cpu", max_new_tokens=12)
    result = translate_with_markers(english, translator)
    assert len(result.sentences) == 2 and len(result.texts) == 2
    assert translator.cache.misses == 2 + 2  # two sentences and two entity strings
    for sentence in result.sentences:
        assert all(span.end <= len(sentence) and span.label in {"PER", "LOC"} for span in sentence.spans)
    assert translate_with_markers(english, translator) == result


def test_back_translation_identical_to_the_original_projects_exactly(tiny_encoder):
    """The same-language step: a back-translation equal to the original sentence aligns
    word for word, so its entities land on the same tokens."""
    from core.alignment import make_aligner
    from core.models.backtranslation import align_back_translations
    from core.projection.pipeline import ProjectionConfig, project_corpus

    marked = [Sentence(SPANISH[3], (Span(1, 3, "ORG"), Span(6, 7, "LOC"), Span(9, 10, "LOC")))]
    pairs, alignments = align_back_translations(
        marked, [Sentence(SPANISH[3])], make_aligner("simalign", model=str(tiny_encoder), layer=3, device="cpu")
    )
    projected = project_corpus(pairs, ProjectionConfig(solver="greedy"), alignments)
    assert spans_of(s.span for s in projected[0].heuristic) == [(1, 3, "ORG"), (6, 7, "LOC"), (9, 10, "LOC")]
    assert spans_of(s.span for s in projected[0].matching) == [(1, 3, "ORG"), (6, 7, "LOC"), (9, 10, "LOC")]


# --- the whole flow ---------------------------------------------------------------------


def tiny_options(models, **changes):
    from core.models.pipeline import ModelPipelineOptions

    base = dict(
        target_lang="spa_Latn",
        translator=str(models["translator"]),
        ner=str(models["ner"]),
        encoder=str(models["encoder"]),
        layer=2,
        device="cpu",
        max_new_tokens=12,
        marker_model=str(models["translator"]),
    )
    return ModelPipelineOptions(**(base | changes))


@pytest.fixture(scope="session")
def models(tiny_translator, tiny_ner, tiny_encoder, tiny_spacy):
    return {"translator": tiny_translator, "ner": tiny_ner, "encoder": tiny_encoder, "spacy": tiny_spacy}


def test_run_model_pipeline_end_to_end(tmp_path, models):
    from core.models.pipeline import run_model_pipeline

    options = tiny_options(
        models, candidates="ner", candidate_ner=str(models["spacy"]), easyproject=True, back_translate=True
    )
    seen, stages = [], []
    result = run_model_pipeline(TARGETS, options, tmp_path, lambda d, t: seen.append((d, t)), stages.append)
    assert len(result.pairs) == len(result.projected) == len(result.english_text) == len(TARGETS)
    assert [p.target.tokens for p in result.pairs] == list(SPANISH)
    assert [s.tokens for s in result.targets("matching")] == list(SPANISH)
    assert any(p.source.spans for p in result.pairs)  # the English was tagged
    assert len(result.easyproject) == len(result.back_translations) == len(TARGETS)
    assert result.candidates is not None and len(result.candidates) == len(TARGETS)
    for projected, candidates in zip(result.projected, result.candidates):
        assert all((p.span.start, p.span.end) in candidates for p in projected.matching)
        assert all(set(p.links) <= projected.alignment.links for p in projected.heuristic + projected.matching)
    assert seen[-1] == (1000, 1000) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert stages[0] == "translating to English" and "aligning back-translations" in stages
    assert result.translated > 0

    rerun = run_model_pipeline(TARGETS, options, tmp_path)
    assert rerun.translated == 0
    assert rerun.english_text == result.english_text and rerun.projected == result.projected


def test_pipeline_drops_misc_unless_kept(tmp_path, models):
    from core.models.pipeline import run_model_pipeline

    kept = run_model_pipeline(TARGETS, tiny_options(models, drop_misc=False), tmp_path)
    dropped = run_model_pipeline(TARGETS, tiny_options(models), tmp_path)
    for method in ("heuristic", "matching"):
        kept_spans = [[s for s in sentence.spans if s.label != "MISC"] for sentence in kept.targets(method)]
        assert kept_spans == [list(sentence.spans) for sentence in dropped.targets(method)]
        assert all(s.label != "MISC" for sentence in dropped.targets(method) for s in sentence.spans)


# --- commands ---------------------------------------------------------------------------


def command(module, argv):
    parser = argparse.ArgumentParser(prog="python -m core")
    module.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.handler(args)


def model_args(models, cache):
    return [
        "--translator",
        str(models["translator"]),
        "--ner",
        str(models["ner"]),
        "--aligner-model",
        str(models["encoder"]),
        "--layer",
        "2",
        "--device",
        "cpu",
        "--max-new-tokens",
        "12",
        "--encoder-batch-size",
        "3",
        "--cache-dir",
        str(cache),
    ]


def test_pipeline_command(tmp_path, models, capsys):
    from core.commands import pipeline

    text = tmp_path / "es.txt"
    write_text(text, TARGETS)
    out, english, links = tmp_path / "out.conll", tmp_path / "en.conll", tmp_path / "links.txt"
    argv = [
        "pipeline",
        "--target-text",
        str(text),
        "--target-lang",
        "es",
        "--out",
        str(out),
        "--english-out",
        str(english),
        "--alignments-out",
        str(links),
        "--aligner",
        "awesome",
        "--method",
        "heuristic",
        *model_args(models, tmp_path / "cache"),
    ]
    assert command(pipeline, argv) == 0
    labelled = read_conll(out)
    assert [s.tokens for s in labelled] == list(SPANISH)
    assert len(read_conll(english)) == len(SPANISH)
    assert len(read_pharaoh(links)) == len(SPANISH)
    assert "5 sentences" in capsys.readouterr().err

    easy = tmp_path / "easy.conll"
    argv = [
        "pipeline",
        "--target-text",
        str(text),
        "--target-lang",
        "es",
        "--out",
        str(easy),
        "--method",
        "easyproject",
        "--encoder",
        "unused",
        "--marker-model",
        str(models["translator"]),
        *model_args(models, tmp_path / "cache"),
    ]
    assert command(pipeline, argv) == 0
    assert "labels a translation" in capsys.readouterr().err


def test_pipeline_command_missing_model(tmp_path, models):
    from core.commands import pipeline

    text = tmp_path / "es.txt"
    write_text(text, TARGETS)
    argv = [
        "pipeline",
        "--target-text",
        str(text),
        "--target-lang",
        "es",
        "--out",
        str(tmp_path / "o.conll"),
        "--cache-dir",
        str(tmp_path),
    ]
    with pytest.raises(ModelLoadError, match="Cannot load the translation model 'facebook/nllb-200-3.3B'"):
        command(pipeline, argv)


def test_paper_eval_command(tmp_path, models, capsys):
    from core.commands import paper_eval

    gold = tmp_path / "gold.conll"
    write_conll(gold, read_conll(DEMO / "es.conll")[:6])
    report = tmp_path / "scores.json"
    argv = [
        "paper-eval",
        "--gold",
        str(gold),
        "--lang",
        "es",
        "--json-out",
        str(report),
        "--predictions-out",
        str(tmp_path / "pred"),
        *model_args(models, tmp_path / "cache"),
    ]
    assert command(paper_eval, argv) == 0
    scores = json.loads(report.read_text())
    assert scores["sentences"] == 6 and set(scores["scores"]) == {"heuristic", "matching"}
    from core.models.paper_eval import shared_labels

    assert scores["labels"] == sorted(shared_labels(read_conll(gold))) and "MISC" in scores["labels"]
    for method in ("heuristic", "matching"):
        assert 0.0 <= scores["scores"][method]["overall"]["f1"] <= 1.0
        predicted = read_conll(f"{tmp_path / 'pred'}.{method}.conll")
        assert [s.tokens for s in predicted] == [s.tokens for s in read_conll(gold)]
    assert "overall" in capsys.readouterr().out


def spans_of(spans):
    return [(s.start, s.end, s.label) for s in spans]


# --- other translation model families -----------------------------------------------------


def test_m2m100_uses_its_own_codes(tmp_path, tiny_m2m100):
    from core.errors import LabelBridgeError
    from core.models.translate import Translator, language_setup

    translator = Translator(str(tiny_m2m100), "spa_Latn", "eng_Latn", device="cpu", max_new_tokens=6)
    out = translator.translate(["hola a todos", "gracias"])
    assert len(out) == 2 and translator.generated == 2
    _, tokenizer = translator.load()
    assert type(tokenizer).__name__ == "M2M100Tokenizer"
    assert language_setup(tokenizer, "es", "en") == ("", tokenizer.get_lang_id("en"))
    assert tokenizer.src_lang == "es"
    with pytest.raises(LabelBridgeError, match="M2M100 has no code for Bambara"):
        language_setup(tokenizer, "bam", "en")


@pytest.mark.filterwarnings("ignore:Recommended. pip install sacremoses")
def test_marian_gets_a_target_token_when_it_has_one(sentencepiece_files):
    from transformers import MarianTokenizer

    from core.models.translate import language_setup

    spm_file, vocab_file = sentencepiece_files
    tokenizer = MarianTokenizer(str(spm_file), str(spm_file), str(vocab_file))
    assert language_setup(tokenizer, "en", "es") == (">>spa<< ", None)
    assert language_setup(tokenizer, "en", "de") == ("", None)


def test_project_inputs_rebuild_the_same_projections(tmp_path, models):
    """What the app's project creation reads back (read_parallel + read_pharaoh) projects
    exactly as the model flow did, without running a model again."""
    from core.corpus.io import read_parallel
    from core.models.pipeline import run_model_pipeline, write_project_inputs
    from core.projection.pipeline import project_corpus

    options = tiny_options(models, back_translate=True)
    result = run_model_pipeline(TARGETS, options, tmp_path / "cache")
    inputs = write_project_inputs(result, tmp_path / "inputs")
    pairs = read_parallel(inputs.source, inputs.target)
    alignments = read_pharaoh(inputs.alignments, pairs)
    again = project_corpus(pairs, options.projection, alignments)
    assert [(p.heuristic, p.matching) for p in again] == [(p.heuristic, p.matching) for p in result.projected]


def test_embedding_aligners_through_the_projection_config(models):
    """The core pipeline's ProjectionConfig can name the neural aligners too."""
    from core.datamodel import SentencePair
    from core.projection.pipeline import ProjectionConfig, project_corpus

    pairs = [SentencePair(Sentence(SPANISH[3], (Span(1, 3, "ORG"),)), Sentence(SPANISH[3]))]
    config = ProjectionConfig(
        aligner="simalign", aligner_options={"model": str(models["encoder"]), "layer": 1, "device": "cpu"}
    )
    projected = project_corpus(pairs, config)
    assert [(p.span.start, p.span.end, p.span.label) for p in projected[0].matching] == [(1, 3, "ORG")]


def test_pipeline_with_eflomal_needs_no_encoder(tmp_path, models):
    from core.models.pipeline import run_model_pipeline

    result = run_model_pipeline(TARGETS, tiny_options(models, aligner="eflomal", encoder="no/such-encoder"), tmp_path)
    assert [p.pair.target.tokens for p in result.projected] == list(SPANISH)
    for projected in result.projected:
        assert all(
            i < len(projected.pair.source) and j < len(projected.pair.target) for i, j in projected.alignment.links
        )


def test_unreachable_hub_fails_at_once_without_retries(tmp_path):
    """Without HF_HUB_OFFLINE, a machine that cannot reach the hub gets the same one
    sentence quickly, not a series of network retries."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"}}
    env |= {"HF_ENDPOINT": "http://127.0.0.1:9", "HF_HOME": str(tmp_path / "hf")}
    code = (
        "from core.models.translate import Translator\n"
        "from core.errors import ModelLoadError\n"
        "try:\n    Translator('facebook/nllb-200-3.3B', 'es', 'en').load()\n"
        "except ModelLoadError as err:\n    print(err)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "hub cannot be reached from here" in out.stdout and "HF_HOME" in out.stdout
    assert "Retrying" not in out.stderr


def test_back_translate_end_to_end(models):
    from core.alignment import make_aligner
    from core.models.backtranslation import back_translate
    from core.models.translate import Translator

    english = [
        Sentence(("Barroso", "visited", "Madrid"), (Span(0, 1, "PER"), Span(2, 3, "LOC"))),
        Sentence(("Thanks", ".")),
    ]
    translator = Translator(str(models["translator"]), "eng_Latn", "spa_Latn", device="cpu", max_new_tokens=10)
    aligner = make_aligner("awesome", model=str(models["encoder"]), layer=2, device="cpu")
    result = back_translate(english, [Sentence(SPANISH[0]), Sentence(SPANISH[2])], translator, aligner)
    assert len(result.pairs) == len(result.alignments) == len(result.texts) == 2
    for pair, alignment in zip(result.pairs, result.alignments):
        assert len(pair.source) > 0
        assert all(i < len(pair.source) and j < len(pair.target) for i, j in alignment.links)
    assert [p.target.tokens for p in result.pairs] == [SPANISH[0], SPANISH[2]]


def test_paper_eval_on_a_saved_datasets_folder(tmp_path, models, capsys):
    from core.commands import paper_eval
    from tests.test_model_units import _write_saved_dataset

    names = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-DATE", "I-DATE"]
    rows = [(list(SPANISH[0]), [0, 0, 1, 0, 5, 7, 8, 0]), (list(SPANISH[1]), [0, 3, 4, 0, 0, 0, 0])]
    _write_saved_dataset(tmp_path / "masakhaner-like", rows, names)
    report = tmp_path / "scores.json"
    argv = [
        "paper-eval",
        "--gold",
        str(tmp_path / "masakhaner-like"),
        "--lang",
        "hau",
        "--json-out",
        str(report),
        *model_args(models, tmp_path / "cache"),
    ]
    from core.errors import LabelBridgeError

    with pytest.raises(LabelBridgeError, match="no language code hau_Latn"):  # the tiny model knows only eng/spa/deu
        command(paper_eval, argv)
    argv[argv.index("hau")] = "es"
    assert command(paper_eval, argv) == 0
    scores = json.loads(report.read_text())
    assert scores["labels"] == ["LOC", "ORG", "PER"] and scores["sentences"] == 2  # DATE mapped to O
    assert scores["scores"]["matching"]["overall"]["support"] == 3


@pytest.mark.parametrize(
    "make",
    [
        lambda models: __import__("core.models.translate", fromlist=["x"]).Translator(
            str(models["tiny_translator"]), "spa_Latn", "eng_Latn", device="cpu"
        ),
        lambda models: __import__("core.models.ner", fromlist=["x"]).TransformersTagger(
            str(models["tiny_ner"]), device="cpu"
        ),
        lambda models: __import__("core.alignment.embeddings", fromlist=["x"]).SubwordEncoder(
            str(models["tiny_encoder"]), layer=2, device="cpu"
        ),
    ],
)
def test_each_model_loads_once_and_release_drops_it(make, tiny_translator, tiny_ner, tiny_encoder):
    """The one lazy loader (core.models.loading.LazyModel) behind translator, tagger and encoder."""
    model = make({"tiny_translator": tiny_translator, "tiny_ner": tiny_ner, "tiny_encoder": tiny_encoder})
    first = model.load()
    assert model.load() is first and not first[0].training
    model.release()
    assert model._loaded is None
    again = model.load()
    assert again is not first and type(again[0]) is type(first[0])
