"""Pure parts of the model-backed flow: no model is loaded here."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from core.alignment.awesome_aligner import softmax_extraction
from core.alignment.embeddings import subword_links_to_words
from core.alignment.simalign_aligner import iter_max, similarity
from core.corpus.wordsplit import split_words
from core.datamodel import Sentence, Span
from core.errors import CorpusError, LabelBridgeError
from core.models.languages import LANGUAGES, detokenize, language
from core.models.markers import (
    assign_labels,
    insert_markers,
    parse_markers,
    recover_entities,
)
from core.models.ner import word_tags_to_spans
from core.models.paper_eval import (
    keep_labels,
    read_dataset_folder,
    read_gold,
    shared_labels,
)
from core.models.translate import TranslationCache

REPO = __import__("pathlib").Path(__file__).resolve().parents[1]


def spans(result):
    return [(s.start, s.end, s.label) for s in result]


@pytest.mark.parametrize(
    "tags, expected",
    [
        (["B-PER", "I-PER", "O", "B-LOC"], [(0, 2, "PER"), (3, 4, "LOC")]),  # IOB2
        (["I-PER", "I-PER", "B-PER", "O"], [(0, 2, "PER"), (2, 3, "PER")]),  # IOB1 (CoNLL-2003 models)
        (["S-ORG", "B-LOC", "E-LOC", "I-LOC"], [(0, 1, "ORG"), (1, 3, "LOC"), (3, 4, "LOC")]),  # BIOES
        (["PER", "PER", "LOC", "O", "MISC"], [(0, 2, "PER"), (2, 3, "LOC"), (4, 5, "MISC")]),  # bare labels
        (["I-PER", "I-ORG"], [(0, 1, "PER"), (1, 2, "ORG")]),
        (["O", "O"], []),
    ],
)
def test_model_tags_are_read_leniently(tags, expected):
    assert spans(word_tags_to_spans(tags)) == expected


def test_span_scores_are_the_mean_of_word_scores():
    result = word_tags_to_spans(["B-PER", "I-PER"], [0.5, 1.0])
    assert result[0].score == pytest.approx(0.75)


def test_markers_round_trip():
    sentence = Sentence(("In", "Madrid", ",", "Juan", "Pérez", "said", "."), (Span(1, 2, "LOC"), Span(3, 5, "PER")))
    marked = insert_markers(sentence)
    assert marked == "In [ Madrid ] , [ Juan Pérez ] said ."
    words, marked_spans = parse_markers(marked)
    assert words == list(sentence.tokens)
    assert marked_spans == [(1, 2), (3, 5)]


def test_entity_at_sentence_end_and_stray_markers():
    sentence = Sentence(("visit", "New", "York"), (Span(1, 3, "LOC"),))
    assert insert_markers(sentence) == "visit [ New York ]"
    assert parse_markers("a ] b [ c [ ] d [ e") == (["a", "b", "c", "d", "e"], [])


def test_labels_follow_fuzzy_matches_not_order():
    source = Sentence(("Juan", "visited", "Madrid"), (Span(0, 1, "PER"), Span(2, 3, "LOC")))
    result = recover_entities("[Madrid] fue visitada por [Juan]", source, ["Juan", "Madrid"])
    assert result.tokens == ("Madrid", "fue", "visitada", "por", "Juan")
    assert spans(result.spans) == [(0, 1, "LOC"), (4, 5, "PER")]


def test_marked_span_unlike_every_entity_is_dropped():
    source = Sentence(("Juan", "spoke"), (Span(0, 1, "PER"),))
    result = recover_entities("[Pedro] habló con [Juan]", source, ["Juan"])
    assert spans(result.spans) == [(3, 4, "PER")]
    matches = assign_labels(["xyz"], [(0, 1)], [Span(0, 1, "PER")], [["Juan"]], threshold=0.5)
    assert matches == []


def test_each_entity_labels_at_most_one_marked_span():
    matches = assign_labels(["Juan", "y", "Juan"], [(0, 1), (2, 3)], [Span(0, 1, "PER")], [["Juan"]])
    assert len(matches) == 1


def test_iter_max_is_simalign_itermax():
    simalign = pytest.importorskip("simalign")
    rng = np.random.default_rng(0)
    for m, n in [(1, 4), (3, 3), (7, 5), (12, 15), (20, 9)]:
        sim = rng.random((m, n))
        assert np.array_equal(iter_max(sim), simalign.SentenceAligner.iter_max(sim))


def test_identical_vectors_align_on_the_diagonal():
    vectors = np.random.default_rng(1).normal(size=(6, 16))
    assert np.array_equal(iter_max(similarity(vectors, vectors)), np.eye(6))
    assert np.array_equal(softmax_extraction(vectors * 10, vectors * 10, 1e-3), np.eye(6, dtype=bool))


def test_softmax_threshold_decides():
    source = np.array([[1.0, 0.0]])
    target = np.array([[1.0, 0.0], [0.9, 0.1]])
    assert softmax_extraction(source, target, 1e-3).tolist() == [[True, True]]
    assert softmax_extraction(source, target, 0.6).tolist() == [[False, False]]


def test_words_align_if_any_subwords_do():
    matrix = np.zeros((3, 4))
    matrix[1, 3] = 1
    matrix[2, 0] = 1
    assert subword_links_to_words(matrix, np.array([0, 0, 1]), np.array([0, 1, 1, 2])) == {(0, 2), (1, 0)}


def test_the_papers_57_languages():
    assert len(LANGUAGES) == 57
    assert sum(lang.dataset == "xtreme" for lang in LANGUAGES) == 39
    assert sum(lang.dataset == "masakhaner2" for lang in LANGUAGES) == 18
    for lang in LANGUAGES:
        code, script = lang.nllb.split("_")
        assert len(code) == 3 and len(script) == 4 and script[0].isupper()
    assert language("es").nllb == "spa_Latn" and language("spa_Latn").code == "es"
    assert language("hau").m2m100 == "ha"
    assert language("fuv_Latn").nllb == "fuv_Latn"
    with pytest.raises(LabelBridgeError, match="unknown language"):
        language("klingon")


def test_detokenize_per_script():
    assert detokenize(["El", "perro"], "es") == "El perro"
    assert detokenize(["北", "京"], "zh") == "北京"


def test_split_words():
    assert split_words("El Sr. Pérez-Rubio (PSE) dijo: «no».") == [
        "El",
        "Sr",
        ".",
        "Pérez-Rubio",
        "(",
        "PSE",
        ")",
        "dijo",
        ":",
        "«",
        "no",
        "»",
        ".",
    ]


def test_translation_cache_persists(tmp_path):
    cache = TranslationCache(tmp_path / "t.sqlite")
    cache.put_many([("k1", "hola", "hello")])
    cache.close()
    again = TranslationCache(tmp_path / "t.sqlite")
    assert again.get_many(["k1", "k2", "k1"]) == {"k1": "hello"}
    assert (again.hits, again.misses) == (2, 1)
    assert len(again) == 1


def _write_saved_dataset(folder, rows, names, split="test"):
    """A folder laid out like datasets' save_to_disk: dataset_dict.json, one folder per split
    with an Arrow stream file and dataset_info.json naming the ClassLabel ids."""
    import pyarrow as pa

    (folder / split).mkdir(parents=True)
    (folder / "dataset_dict.json").write_text(json.dumps({"splits": [split]}))
    info = {
        "features": {
            "tokens": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "List"},
            "ner_tags": {"feature": {"names": names, "_type": "ClassLabel"}, "_type": "List"},
        }
    }
    (folder / split / "dataset_info.json").write_text(json.dumps(info))
    table = pa.table({"tokens": [r[0] for r in rows], "ner_tags": [r[1] for r in rows]})
    with pa.OSFile(str(folder / split / "data-00000-of-00001.arrow"), "wb") as sink:
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)


def test_saved_masakhaner_folder(tmp_path):
    names = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-DATE", "I-DATE"]
    rows = [(["Musa", "ya", "je", "Kano", "ranar", "Litinin"], [1, 0, 0, 5, 7, 8]), (["Babu"], [0])]
    _write_saved_dataset(tmp_path / "hau", rows, names)
    gold = read_gold(tmp_path / "hau")
    assert [s.tokens for s in gold] == [tuple(rows[0][0]), ("Babu",)]
    assert spans(gold[0].spans) == [(0, 1, "PER"), (3, 4, "LOC"), (4, 6, "DATE")]
    labels = shared_labels(gold)
    assert labels == {"PER", "LOC"}  # DATE: the English tagger has none; ORG: not in this gold
    assert spans(keep_labels(gold, labels)[0].spans) == [(0, 1, "PER"), (3, 4, "LOC")]
    with pytest.raises(CorpusError, match="no split 'train'"):
        read_dataset_folder(tmp_path / "hau", "train")


def test_panx_language_prefixes_are_stripped(tmp_path):
    names = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    _write_saved_dataset(tmp_path / "panx", [(["es:Madrid", "es:es", "es:grande"], [5, 0, 0])], names)
    gold = read_gold(tmp_path / "panx")
    assert gold[0].tokens == ("Madrid", "es", "grande")
    assert shared_labels(gold) == {"LOC"}


def test_importing_core_does_not_import_torch():
    code = (
        "import sys, core, core.models.pipeline, core.models.paper_eval, core.models.ner, core.models.translate, core.models.easyproject, "
        "core.models.backtranslation, core.alignment, core.alignment.simalign_aligner, core.alignment.awesome_aligner, "
        "core.commands.pipeline, core.commands.paper_eval; "
        "print(sorted(m for m in ('torch', 'transformers', 'spacy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_model_kinds_are_told_apart(tmp_path):
    from core.models.ner import is_spacy_pipeline

    (tmp_path / "spacy").mkdir()
    (tmp_path / "spacy" / "config.cfg").write_text("[nlp]\n")
    (tmp_path / "hf").mkdir()
    (tmp_path / "hf" / "config.json").write_text("{}")
    assert is_spacy_pipeline(str(tmp_path / "spacy")) and not is_spacy_pipeline(str(tmp_path / "hf"))
    assert is_spacy_pipeline("spacy:en_core_web_sm")
    assert not is_spacy_pipeline("FacebookAI/xlm-roberta-large-finetuned-conll03-english")
    assert not is_spacy_pipeline("json")  # an importable module that is no spaCy package


@pytest.mark.parametrize("name, needle", [("pipeline", "--target-text"), ("paper-eval", "MasakhaNER2")])
def test_command_help_teaches(name, needle, capsys):
    import argparse

    from core.commands import paper_eval, pipeline

    parser = argparse.ArgumentParser(prog="python -m core")
    subparsers = parser.add_subparsers()
    pipeline.register(subparsers)
    paper_eval.register(subparsers)
    with pytest.raises(SystemExit) as exit_code:
        parser.parse_args([name, "--help"])
    assert exit_code.value.code == 0
    text = capsys.readouterr().out
    assert needle in text and "examples:" in text and "--device" in text


def test_pipeline_reads_raw_text_and_conll(tmp_path):
    from core.commands.pipeline import read_targets

    raw = tmp_path / "raw.txt"
    raw.write_text("El Sr. Barroso visitó Madrid.\n¿Qué opina?\n", encoding="utf-8")
    assert [s.tokens for s in read_targets(raw, tokenize=True)] == [
        ("El", "Sr", ".", "Barroso", "visitó", "Madrid", "."),
        ("¿", "Qué", "opina", "?"),
    ]
    assert read_targets(raw, tokenize=False)[0].tokens == ("El", "Sr.", "Barroso", "visitó", "Madrid.")
    conll = tmp_path / "gold.conll"
    conll.write_text("Madrid\tB-LOC\nes\tO\n\n", encoding="utf-8")
    assert read_targets(conll, tokenize=True) == [Sentence(("Madrid", "es"))]  # gold tags are not input
