"""Tiny random-weight models built on the fly, saved to disk and loaded by path.

No weights can be downloaded in tests, so each fixture trains a small tokenizer on the
bundled demo text (``data/demo/``), builds a model with hidden size 32 and random (seeded) weights,
and saves it with ``save_pretrained``; the code under test loads it like any local model.
Session-scoped: built once per test run (a few seconds in all).
"""

from __future__ import annotations

from pathlib import Path

import pytest

LANG_CODES = ["eng_Latn", "spa_Latn", "deu_Latn"]
NER_LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]


DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


@pytest.fixture(scope="session")
def training_text() -> list[str]:
    """The sentences of the bundled demo (English, Spanish, German), as plain text."""
    from core.corpus.io import read_conll

    lines = []
    for name in ("en.conll", "es.conll", "de.conll"):
        lines += [" ".join(s.tokens) for s in read_conll(DEMO / name)]
    return lines


def _wordpiece_tokenizer(text: list[str]):
    from tokenizers import (
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
        trainers,
    )
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=False)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=1000, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    tokenizer.train_from_iterator(text, trainer)
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=512,
    )


def _bert_config(tokenizer, **extra):
    from transformers import BertConfig

    return BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=3,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        pad_token_id=tokenizer.pad_token_id,
        **extra,
    )


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory, training_text) -> Path:
    """A 3-layer BERT encoder (hidden size 32) with a WordPiece vocabulary of 1000."""
    import torch
    from transformers import BertModel

    folder = tmp_path_factory.mktemp("tiny-bert")
    tokenizer = _wordpiece_tokenizer(training_text)
    torch.manual_seed(0)
    BertModel(_bert_config(tokenizer)).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_xlmr_encoder(tmp_path_factory, training_text) -> Path:
    """A 2-layer XLM-R-style encoder with a Unigram (sentencepiece-like) vocabulary."""
    import torch
    from tokenizers import (
        Tokenizer,
        decoders,
        models,
        pre_tokenizers,
        processors,
        trainers,
    )
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaModel

    folder = tmp_path_factory.mktemp("tiny-xlmr")
    tokenizer = Tokenizer(models.Unigram())
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(
        vocab_size=800, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"], unk_token="<unk>"
    )
    tokenizer.train_from_iterator(training_text, trainer)
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", tokenizer.token_to_id("<s>")), ("</s>", tokenizer.token_to_id("</s>"))],
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        cls_token="<s>",
        sep_token="</s>",
        mask_token="<mask>",
        model_max_length=512,
    )
    torch.manual_seed(0)
    config = XLMRobertaConfig(
        vocab_size=len(fast),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=520,
        pad_token_id=fast.pad_token_id,
        bos_token_id=fast.bos_token_id,
        eos_token_id=fast.eos_token_id,
    )
    XLMRobertaModel(config).save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_ner(tmp_path_factory, training_text) -> Path:
    """A token-classification BERT with CoNLL-2003 labels (IOB) and random weights."""
    import torch
    from transformers import BertForTokenClassification

    folder = tmp_path_factory.mktemp("tiny-ner")
    tokenizer = _wordpiece_tokenizer(training_text)
    config = _bert_config(
        tokenizer, id2label=dict(enumerate(NER_LABELS)), label2id={l: k for k, l in enumerate(NER_LABELS)}
    )
    torch.manual_seed(1)
    model = BertForTokenClassification(config)
    with torch.no_grad():  # random weights predict mostly one class; spread the labels out
        model.classifier.bias.copy_(torch.tensor([0.0, 0.3, 0.1, 0.3, 0.1, 0.3, 0.1, 0.2, 0.1]))
        model.classifier.weight.mul_(40.0)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_translator(tmp_path_factory, training_text) -> Path:
    """An NLLB-style model: M2M100 architecture, BPE vocabulary with NLLB language codes."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import M2M100Config, M2M100ForConditionalGeneration, NllbTokenizer

    folder = tmp_path_factory.mktemp("tiny-nllb")
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=["<s>", "<pad>", "</s>", "<unk>"])
    bpe.train_from_iterator(training_text + ["[ ]"], trainer)
    state = __import__("json").loads(bpe.to_str())["model"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in state["merges"]]
    tokenizer = NllbTokenizer(
        vocab=state["vocab"], merges=merges, additional_special_tokens=LANG_CODES, src_lang="eng_Latn"
    )
    torch.manual_seed(2)
    config = M2M100Config(
        vocab_size=len(tokenizer),
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=256,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
    )
    model = M2M100ForConditionalGeneration(config)
    with torch.no_grad():  # make whole words likely outputs, so translations have several words
        words = sorted(t for t in tokenizer.get_vocab() if t.startswith("▁") and len(t) > 3 and t[1:].isalpha())[:60]
        model.get_output_embeddings().weight[tokenizer.convert_tokens_to_ids(words)] *= 8.0
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_spacy(tmp_path_factory) -> Path:
    """A spaCy pipeline (blank English + entity ruler) saved to disk."""
    import spacy

    folder = tmp_path_factory.mktemp("tiny-spacy") / "pipeline"
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "PERSON", "pattern": [{"LOWER": "juan"}, {"LOWER": "pérez", "OP": "?"}]},
            {"label": "GPE", "pattern": "Madrid"},
            {"label": "ORG", "pattern": [{"LOWER": "european"}, {"LOWER": "commission"}]},
            {"label": "DATE", "pattern": "Monday"},
        ]
    )
    nlp.to_disk(folder)
    return folder


@pytest.fixture(scope="session")
def sentencepiece_files(tmp_path_factory, training_text) -> tuple[Path, Path]:
    """A small SentencePiece model and its vocabulary (JSON), as M2M100 and Marian ship them."""
    import json

    import sentencepiece as spm

    folder = tmp_path_factory.mktemp("spm")
    (folder / "text.txt").write_text("\n".join(training_text), encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(folder / "text.txt"),
        model_prefix=str(folder / "spm"),
        vocab_size=400,
        model_type="unigram",
        bos_id=0,
        pad_id=1,
        eos_id=2,
        unk_id=3,
        minloglevel=2,
    )
    processor = spm.SentencePieceProcessor(model_file=str(folder / "spm.model"))
    vocab = {processor.id_to_piece(k): k for k in range(processor.get_piece_size())}
    vocab = {
        ("<s>" if k == 0 else "<pad>" if k == 1 else "</s>" if k == 2 else "<unk>" if k == 3 else piece): k
        for piece, k in vocab.items()
    }
    vocab[">>spa<<"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    return folder / "spm.model", folder / "vocab.json"


@pytest.fixture(scope="session")
def tiny_m2m100(tmp_path_factory, sentencepiece_files) -> Path:
    """An M2M100 model with M2M100's own tokenizer (ISO codes like ``__es__``)."""
    import torch
    from transformers import (
        M2M100Config,
        M2M100ForConditionalGeneration,
        M2M100Tokenizer,
    )

    folder = tmp_path_factory.mktemp("tiny-m2m100")
    spm_file, vocab_file = sentencepiece_files
    tokenizer = M2M100Tokenizer(vocab_file=str(vocab_file), spm_file=str(spm_file), src_lang="es", tgt_lang="en")
    torch.manual_seed(3)
    config = M2M100Config(  # language tokens sit after the vocabulary, as in the real model
        vocab_size=max(tokenizer.lang_token_to_id.values()) + 1,
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=128,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
    )
    M2M100ForConditionalGeneration(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
