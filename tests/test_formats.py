"""Training and annotation-tool formats: spaCy DocBin trained on with `spacy train`, Hugging Face
datasets loaded with `datasets`, Label Studio and Prodigy files written by hand after their
documented formats, read, written and read again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from helpers import DEMO

from core.cli import main
from core.corpus.io import read_conll
from core.corpus.tags import tags_to_spans
from core.datamodel import Sentence, Span
from core.errors import CorpusError
from core.formats import EXPORTS, export_bytes
from core.formats.hf_datasets import iob2_names, read_hf_jsonl, write_hf_dataset, write_hf_jsonl
from core.formats.label_studio import read_label_studio, write_label_studio
from core.formats.prodigy import read_prodigy, write_prodigy
from core.formats.spacy_docbin import read_docbin, write_docbin

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}


@pytest.fixture(scope="module")
def demo() -> list[Sentence]:
    return read_conll(DEMO / "es.conll")


def label_counts(sentences) -> Counter:
    return Counter(span.label for s in sentences for span in s.spans)


# --- spaCy ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_docbin_trains_with_spacy_train_and_the_model_loads(demo, tmp_path):
    write_docbin(tmp_path / "train.spacy", demo)
    assert read_docbin(tmp_path / "train.spacy") == demo
    config = tmp_path / "config.cfg"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy",
            "init",
            "config",
            str(config),
            "--lang",
            "es",
            "--pipeline",
            "ner",
            "--optimize",
            "efficiency",
        ],
        check=True,
        env=ENV,
        capture_output=True,
    )
    trained = subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy",
            "train",
            str(config),
            "--output",
            str(tmp_path / "out"),
            "--paths.train",
            str(tmp_path / "train.spacy"),
            "--paths.dev",
            str(tmp_path / "train.spacy"),
            "--training.max_epochs",
            "1",
            "--training.max_steps",
            "20",
            "--training.eval_frequency",
            "10",
            "--gpu-id",
            "-1",
        ],
        check=False,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert trained.returncode == 0, trained.stdout[-2000:] + trained.stderr[-2000:]
    import spacy

    nlp = spacy.load(tmp_path / "out" / "model-last")
    assert set(nlp.get_pipe("ner").labels) == {"PER", "LOC", "ORG", "MISC"}
    doc = nlp("Maria Lindqvist visitó Tampere.")
    assert [t.text for t in doc][:2] == ["Maria", "Lindqvist"]


def test_docbin_shards_form_one_corpus_for_spacy(demo, tmp_path):
    assert write_docbin(tmp_path / "train", demo, shard_size=10) == 36
    assert sorted(p.name for p in (tmp_path / "train").iterdir()) == [
        "0000.spacy",
        "0001.spacy",
        "0002.spacy",
        "0003.spacy",
    ]
    import spacy
    from spacy.training import Corpus

    examples = list(Corpus(tmp_path / "train")(spacy.blank("es")))
    assert len(examples) == 36
    assert Counter(e.label_ for ex in examples for e in ex.reference.ents) == label_counts(demo)
    assert read_docbin(tmp_path / "train") == demo


# --- Hugging Face datasets ---------------------------------------------------------------


def test_hf_folder_and_jsonl_load_with_datasets(demo, tmp_path):
    import datasets

    names = write_hf_dataset(tmp_path / "es", demo, jsonl=tmp_path / "es.jsonl")
    assert names == ["O", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "B-ORG", "I-ORG", "B-PER", "I-PER"]
    saved = datasets.load_from_disk(str(tmp_path / "es"))
    feature = saved.features["ner_tags"].feature
    assert isinstance(feature, datasets.ClassLabel) and feature.names == names
    from_json = datasets.load_dataset(
        "json", data_files=str(tmp_path / "es.jsonl"), split="train", cache_dir=str(tmp_path / "cache")
    )
    assert saved.num_rows == from_json.num_rows == len(demo)
    for row, row_json, sentence in zip(saved, from_json, demo):
        assert row["tokens"] == row_json["tokens"] == list(sentence.tokens)
        tags = [feature.int2str(t) for t in row["ner_tags"]]
        assert tags == row_json["ner_tags"]
        assert tags_to_spans(tags) == list(sentence.spans)
    begins = Counter(tag[2:] for row in from_json for tag in row["ner_tags"] if tag.startswith("B-"))
    assert begins == label_counts(demo) == Counter({"LOC": 28, "ORG": 15, "PER": 15, "MISC": 8})


def test_hf_folder_refuses_to_replace_a_folder_that_is_not_a_dataset(demo, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(CorpusError, match="is not a saved dataset"):
        write_hf_dataset(folder, demo)
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep me"
    write_hf_dataset(tmp_path / "ds", demo[:3])
    write_hf_dataset(tmp_path / "ds", demo[:5])  # a saved dataset is replaced
    import datasets

    assert datasets.load_from_disk(str(tmp_path / "ds")).num_rows == 5


def test_iob2_names_and_jsonl_for_a_sentence_without_entities(tmp_path):
    assert iob2_names([]) == ["O"]
    assert write_hf_jsonl(tmp_path / "x.jsonl", [Sentence(("Nada", "."))]) == []
    assert json.loads((tmp_path / "x.jsonl").read_text(encoding="utf-8")) == {
        "tokens": ["Nada", "."],
        "ner_tags": ["O", "O"],
    }


# --- Label Studio ------------------------------------------------------------------------


def region(text: str, part: str, label: str, occurrence: int = 0, **extra) -> dict:
    """One ``labels`` result as Label Studio's NER template exports it."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(part, start + 1)
    return {
        "value": {"start": start, "end": start + len(part), "text": part, "labels": [label]},
        "id": f"r{start}",
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "origin": "manual",
        **extra,
    }


TEXT_1 = "La Organización Mundial de la Salud (OMS) abrió una oficina en São Paulo, Brasil."
TEXT_2 = "🎉 José Pérez llegó a Málaga."  # an emoji before the entities; "José" with a combining accent
TEXT_2 = TEXT_2.replace("José", "Jose\u0301")
TEXT_3 = "Sin entidades aquí."


def label_studio_export() -> list[dict]:
    """Three tasks as Label Studio's JSON export writes them for the NER template."""
    return [
        {
            "id": 11,
            "data": {"text": TEXT_1},
            "project": 2,
            "created_at": "2024-05-01T10:00:00Z",
            "annotations": [
                {"id": 1, "completed_by": 1, "was_cancelled": True, "result": []},
                {
                    "id": 2,
                    "completed_by": 1,
                    "was_cancelled": False,
                    "ground_truth": False,
                    "lead_time": 12.5,
                    "result": [
                        region(TEXT_1, "Organización Mundial de la Salud", "ORG"),
                        region(TEXT_1, "OMS", "ORG"),
                        region(TEXT_1, " São Paulo", "LOC"),  # a space selected with the name
                        region(TEXT_1, "Brasil", "LOC"),
                        {
                            "id": "c1",
                            "from_name": "topic",
                            "to_name": "text",
                            "type": "choices",
                            "value": {"choices": ["news"]},
                        },
                    ],
                },
            ],
            "predictions": [],
        },
        {
            "id": 12,
            "data": {"text": TEXT_2},
            "annotations": [
                {"id": 3, "result": [region(TEXT_2, "Jose\u0301 Pérez", "PER"), region(TEXT_2, "Málaga", "LOC")]}
            ],
        },
        {"id": 13, "data": {"text": TEXT_3}, "annotations": [], "predictions": []},
    ]


def test_label_studio_import_maps_characters_to_tokens(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(label_studio_export(), ensure_ascii=False, indent=2), encoding="utf-8")
    imported = read_label_studio(path, lang="es")
    first, second, third = imported.sentences
    assert first.tokens == (
        "La",
        "Organización",
        "Mundial",
        "de",
        "la",
        "Salud",
        "(",
        "OMS",
        ")",
        "abrió",
        "una",
        "oficina",
        "en",
        "São",
        "Paulo",
        ",",
        "Brasil",
        ".",
    )
    assert [(s.start, s.end, s.label) for s in first.spans] == [
        (1, 6, "ORG"),
        (7, 8, "ORG"),
        (13, 15, "LOC"),
        (16, 17, "LOC"),
    ]
    assert second.tokens == ("🎉", "Jose\u0301", "Pérez", "llegó", "a", "Málaga", ".")
    assert [(first_or(second, s), s.label) for s in second.spans] == [("Jose\u0301 Pérez", "PER"), ("Málaga", "LOC")]
    assert third.spans == () and imported.unannotated == (3,)


def first_or(sentence: Sentence, span: Span) -> str:
    return sentence.text(span)


def test_label_studio_import_export_import_is_identity(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(label_studio_export(), ensure_ascii=False), encoding="utf-8")
    once = read_label_studio(path, lang="es").sentences
    assert write_label_studio(tmp_path / "again.json", once) == 3
    written = json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))
    for task in written:  # every exported offset points at the span's own text
        for item in task["annotations"][0]["result"]:
            value = item["value"]
            assert task["data"]["text"][value["start"] : value["end"]] == value["text"]
    assert written[1]["annotations"][0]["result"][0]["value"]["text"] == "Jose\u0301 Pérez"
    assert read_label_studio(tmp_path / "again.json", lang="es").sentences == once


def test_label_studio_round_trip_of_the_demo_corpus_keeps_its_tokens(demo, tmp_path):
    write_label_studio(tmp_path / "demo.json", demo)
    assert read_label_studio(tmp_path / "demo.json").sentences == tuple(demo)
    # without data.tokens the text is tokenised by spaCy's rules, and the demo's tokens survive too
    tasks = json.loads((tmp_path / "demo.json").read_text(encoding="utf-8"))
    for task in tasks:
        del task["data"]["tokens"]
    (tmp_path / "plain.json").write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    assert read_label_studio(tmp_path / "plain.json", lang="es").sentences == tuple(demo)


# --- Prodigy -----------------------------------------------------------------------------


def prodigy_tokens(text: str, words: list[str]) -> list[dict]:
    tokens, position = [], 0
    for k, word in enumerate(words):
        start = text.index(word, position)
        position = start + len(word)
        tokens.append(
            {"text": word, "start": start, "end": position, "id": k, "ws": text[position : position + 1] == " "}
        )
    return tokens


PRODIGY_TEXT = "Ana Muñoz (ONU) visitó Düsseldorf, Alemania."
PRODIGY_WORDS = ["Ana", "Muñoz", "(", "ONU", ")", "visitó", "Düsseldorf", ",", "Alemania", "."]


def prodigy_lines() -> list[dict]:
    """Tasks as `prodigy db-out` writes them for ner.manual: inclusive token_end."""
    tokens = prodigy_tokens(PRODIGY_TEXT, PRODIGY_WORDS)
    span = lambda ts, te, label: {
        "start": tokens[ts]["start"],
        "end": tokens[te]["end"],
        "token_start": ts,
        "token_end": te,
        "label": label,
    }
    return [
        {
            "text": PRODIGY_TEXT,
            "tokens": tokens,
            "_input_hash": 1,
            "_task_hash": 2,
            "_view_id": "ner_manual",
            "spans": [span(0, 1, "PER"), span(3, 3, "ORG"), span(6, 6, "LOC"), span(8, 8, "LOC")],
            "answer": "accept",
        },
        {
            "text": "Rechazado .",
            "tokens": prodigy_tokens("Rechazado .", ["Rechazado", "."]),
            "spans": [],
            "answer": "reject",
        },
        {
            "text": "Ignorado .",
            "tokens": prodigy_tokens("Ignorado .", ["Ignorado", "."]),
            "spans": [],
            "answer": "ignore",
        },
        {"text": "Sin tokens en Córdoba.", "spans": [{"start": 14, "end": 21, "label": "LOC"}], "answer": "accept"},
    ]


def write_jsonl(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_prodigy_import_export_import_is_identity(tmp_path):
    imported = read_prodigy(write_jsonl(tmp_path / "db.jsonl", prodigy_lines()), lang="es")
    assert imported.skipped == (2, 3)
    first, last = imported.sentences
    assert first.tokens == tuple(PRODIGY_WORDS)
    assert [(first.text(s), s.label) for s in first.spans] == [
        ("Ana Muñoz", "PER"),
        ("ONU", "ORG"),
        ("Düsseldorf", "LOC"),
        ("Alemania", "LOC"),
    ]
    assert last.tokens == ("Sin", "tokens", "en", "Córdoba", ".") and last.spans == (Span(3, 4, "LOC"),)
    write_prodigy(tmp_path / "out.jsonl", imported.sentences)
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    for record in records:
        assert all(record["text"][t["start"] : t["end"]] == t["text"] for t in record["tokens"])
        for s in record["spans"]:
            assert (
                record["text"][s["start"] : s["end"]] == " ".join(PRODIGY_WORDS[s["token_start"] : s["token_end"] + 1])
                or record is records[1]
            )
    assert records[0]["spans"][0] == {"start": 0, "end": 9, "token_start": 0, "token_end": 1, "label": "PER"}
    assert read_prodigy(tmp_path / "out.jsonl").sentences == imported.sentences


def test_prodigy_round_trip_of_the_demo_corpus(demo, tmp_path):
    assert write_prodigy(tmp_path / "demo.jsonl", demo) == 36
    assert read_prodigy(tmp_path / "demo.jsonl").sentences == tuple(demo)


# --- bad input ---------------------------------------------------------------------------


def ls_task(text: str, *results: dict, **extra) -> dict:
    return {"id": 7, "data": {"text": text, **extra}, "annotations": [{"result": list(results)}]}


def raw(start, end, labels, text=None) -> dict:
    value = {"start": start, "end": end, "labels": labels}
    if text is not None:
        value["text"] = text
    return {"type": "labels", "from_name": "label", "to_name": "text", "value": value}


LS_BAD = [
    ("not json", '[{"data": {"text": "x"}},\n  oops]', r"tasks\.json, line 2: not valid JSON"),
    ("not a list", '"hello"', "expected a JSON list of Label Studio tasks"),
    ("no tasks", "[]", r"tasks\.json: holds no tasks"),
    ("not UTF-8", None, r"tasks\.json: not valid UTF-8"),
    ("no text", [{"data": {}}], "task 1: has no data.text string"),
    (
        "inside a word",
        [ls_task("Vive en Madrid.", raw(9, 13, ["LOC"]))],
        r"task 1 \(id 7\): result 1: characters 9-13 \('adri'\) do not start and end on token boundaries \(the tokens there: 'Madrid'\)",
    ),
    (
        "wrong offsets",
        [ls_task("Vive en Madrid.", raw(7, 13, ["LOC"], "Madrid"))],
        r"characters 7-13 are ' Madri' but the result's text is 'Madrid'; the offsets are wrong",
    ),
    (
        "past the end",
        [ls_task("Vive en Madrid.", raw(8, 40, ["LOC"]))],
        r"result 1: has offsets 8-40; expected whole numbers with 0 <= start < end <= 15",
    ),
    (
        "two labels",
        [ls_task("Vive en Madrid.", raw(8, 14, ["LOC", "ORG"]))],
        r"result 1: has labels \['LOC', 'ORG'\]; a span needs exactly one label",
    ),
    (
        "a tag as label",
        [ls_task("Vive en Madrid.", raw(8, 14, ["B-LOC"]))],
        "label 'B-LOC' is a tag, not an entity type",
    ),
    (
        "unknown label",
        [ls_task("Vive en Madrid.", raw(8, 14, ["CITY"]))],
        r"unknown label 'CITY'; expected one of LOC, MISC, ORG, PER",
    ),
    (
        "overlap",
        [ls_task("Banco de España .", raw(0, 15, ["ORG"]), raw(9, 15, ["LOC"]))],
        r"result 2: 'España' \(LOC\) overlaps 'Banco de España' \(ORG\)",
    ),
    (
        "tokens do not spell text",
        [ls_task("Vive en Madrid.", raw(8, 14, ["LOC"]), tokens=["Vive", "en", "Paris", "."])],
        "data.tokens do not spell data.text",
    ),
]


@pytest.mark.parametrize("content, message", [case[1:] for case in LS_BAD], ids=[case[0] for case in LS_BAD])
def test_label_studio_bad_input_names_the_file_and_task(tmp_path, content, message):
    path = tmp_path / "tasks.json"
    if content is None:
        path.write_bytes('[{"data": {"text": "Málaga"}}]'.encode("latin-1"))
    else:
        path.write_text(
            content if isinstance(content, str) else json.dumps(content, ensure_ascii=False), encoding="utf-8"
        )
    with pytest.raises(CorpusError, match=message) as err:
        read_label_studio(path, labels=["PER", "LOC", "ORG", "MISC"])
    assert str(err.value).startswith(str(path))


def good_prodigy() -> dict:
    return prodigy_lines()[0]


def changed(**changes) -> dict:
    record = good_prodigy()
    for key, value in changes.items():
        if key == "span0":
            record["spans"][0].update(value)
        elif key == "token1":
            record["tokens"][1].update(value)
        else:
            record[key] = value
    return record


PRODIGY_BAD = [
    ("not json", None, r"line 3: record 2 is not valid JSON"),
    (
        "token_end past the end",
        changed(span0={"token_end": 10}),
        r"line 3: record 2: span 1: has token_start 0 and token_end 10; expected 0 <= token_start <= token_end < 10 \(token_end is inclusive\)",
    ),
    (
        "offsets disagree",
        changed(span0={"end": 5}),
        r"span 1: characters 0-5 disagree with tokens 0-1, which are characters 0-9",
    ),
    (
        "token offsets wrong",
        changed(token1={"start": 5}),
        r"record 2: token 1 \('Muñoz'\) is not at characters 5-9 of the text \(found 'uñoz'\)",
    ),
    ("token ids", changed(token1={"id": 7}), r"token 1 has id 7; ids count the tokens from 0"),
    (
        "char span inside a word",
        changed(spans=[{"start": 0, "end": 2, "label": "PER"}]),
        r"span 1: characters 0-2 \('An'\) do not start and end on token boundaries",
    ),
    ("answer", changed(answer="maybe"), r"record 2: has answer 'maybe'; expected accept, reject or ignore"),
    ("unknown label", changed(span0={"label": "PERSON"}), r"record 2: span 1: unknown label 'PERSON'"),
    ("no text", {"tokens": [], "answer": "accept"}, r"record 2: has no text string"),
    (
        "a word in no token",
        changed(
            tokens=[
                {k: v for k, v in t.items() if k != "id"} for i, t in enumerate(good_prodigy()["tokens"]) if i != 1
            ],
            spans=[],
        ),
        r"record 2: characters 3-10 \(' Muñoz '\) lie in no token",
    ),
    (
        "text after the last token",
        changed(tokens=good_prodigy()["tokens"][:-1]),
        r"characters 43-44 \('\.'\) lie in no token",
    ),
]


@pytest.mark.parametrize("record, message", [case[1:] for case in PRODIGY_BAD], ids=[case[0] for case in PRODIGY_BAD])
def test_prodigy_bad_input_names_the_file_line_and_record(tmp_path, record, message):
    path = tmp_path / "db.jsonl"
    bad = '{"text": oops}' if record is None else json.dumps(record, ensure_ascii=False)
    path.write_text(
        json.dumps(good_prodigy(), ensure_ascii=False) + "\n\n" + bad + "\n", encoding="utf-8"
    )  # record 2 on line 3
    with pytest.raises(CorpusError, match=message) as err:
        read_prodigy(path, labels=["PER", "LOC", "ORG", "MISC"])
    assert str(err.value).startswith(str(path))


HF_BAD = [
    (
        '{"tokens": ["a"], "ner_tags": ["O"]}\n{"tokens": ["Ana"], "ner_tags": ["I-PER"]}\n',
        r"line 2: record 2: tag 'I-PER' at token 1 does not continue an entity",
    ),
    (
        '{"tokens": ["Ana", "vive"], "ner_tags": ["B-PER"]}\n',
        r"line 1: record 1: expected non-empty lists tokens and ner_tags",
    ),
    ('{"tokens": ["Ana"], "ner_tags": ["B-PERSON"]}\n', r"line 1: record 1: unknown label 'PERSON'"),
    ('\n\n{"tokens": ["Ana"], "ner_tags": [0]}\n', r"line 3: record 1: expected non-empty lists"),
]


@pytest.mark.parametrize("content, message", HF_BAD)
def test_hf_jsonl_bad_input_names_the_line_and_record(tmp_path, content, message):

    (tmp_path / "x.hf.jsonl").write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        read_hf_jsonl(tmp_path / "x.hf.jsonl", labels=["PER"])


def test_not_a_docbin_and_missing_files_are_named(tmp_path):
    (tmp_path / "x.spacy").write_bytes(b"not a docbin")
    with pytest.raises(CorpusError, match=r"x\.spacy: is not a spaCy DocBin"):
        read_docbin(tmp_path / "x.spacy")
    with pytest.raises(CorpusError, match=r"missing\.json: no such file"):
        read_label_studio(tmp_path / "missing.json")
    with pytest.raises(CorpusError, match=r"missing\.jsonl: no such file"):
        read_prodigy(tmp_path / "missing.jsonl")


# --- command line ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["spacy", "label-studio", "prodigy", "hf-jsonl", "conll"])
def test_convert_command_writes_each_format_and_reads_it_back(fmt, tmp_path, capsys):
    out = tmp_path / f"es{EXPORTS[fmt].suffix}"
    assert main(["convert", "--input", str(DEMO / "es.conll"), "--format", fmt, "--out", str(out)]) == 0
    assert "wrote 36 sentences with 66 entities (LOC 28, MISC 8, ORG 15, PER 15)" in capsys.readouterr().out
    back = tmp_path / "back.conll"
    assert main(["convert", "--input", str(out), "--format", "conll", "--out", str(back)]) == 0
    assert read_conll(back) == read_conll(DEMO / "es.conll")


def test_convert_command_hf_folder_and_shards(tmp_path, capsys):
    import datasets

    assert main(["convert", "--input", str(DEMO / "es.conll"), "--format", "hf", "--out", str(tmp_path / "ds")]) == 0
    assert datasets.load_from_disk(str(tmp_path / "ds")).num_rows == 36
    assert (
        main(
            [
                "convert",
                "--input",
                str(DEMO / "es.conll"),
                "--format",
                "spacy",
                "--shard-size",
                "20",
                "--out",
                str(tmp_path / "shards"),
            ]
        )
        == 0
    )
    assert len(list((tmp_path / "shards").glob("*.spacy"))) == 2


def test_convert_command_errors_are_one_line_and_write_nothing(tmp_path, capsys):
    out = tmp_path / "out.conll"
    assert (
        main(
            [
                "convert",
                "--input",
                str(DEMO / "es.conll"),
                "--format",
                "spacy",
                "--out",
                str(tmp_path / "x.spacy"),
                "--labels",
                "PER,LOC,ORG",
            ]
        )
        == 2
    )
    assert "es.conll: sentence 4: unknown label 'MISC'; expected one of LOC, ORG, PER" in capsys.readouterr().err
    bad = write_jsonl(tmp_path / "bad.jsonl", [good_prodigy(), changed(span0={"token_end": 99})])
    assert main(["convert", "--input", str(bad), "--format", "conll", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.jsonl, line 2: record 2: span 1:" in err and "Traceback" not in err
    assert not out.exists() and not (tmp_path / "x.spacy").exists()
    (tmp_path / "folder").mkdir()
    assert (
        main(["convert", "--input", str(DEMO / "es.conll"), "--format", "prodigy", "--out", str(tmp_path / "folder")])
        == 2
    )
    assert "folder: is a folder; --format prodigy writes a file" in capsys.readouterr().err
    assert (
        main(["convert", "--input", str(DEMO / "es.conll"), "--format", "prodigy", "--out", str(out), "--labels", ","])
        == 2
    )
    assert "--labels needs at least one label" in capsys.readouterr().err
    assert (
        main(
            [
                "convert",
                "--input",
                str(DEMO / "es.conll"),
                "--format",
                "prodigy",
                "--out",
                str(out),
                "--shard-size",
                "5",
            ]
        )
        == 2
    )
    assert "--shard-size applies to --format spacy only" in capsys.readouterr().err
    assert (
        main(["convert", "--input", str(DEMO / "es.conll"), "--from", "spacy", "--format", "conll", "--out", str(out)])
        == 2
    )
    assert "es.conll: is not a spaCy DocBin (.spacy) file" in capsys.readouterr().err
    assert not out.exists()
    tasks = tmp_path / "tasks.json"
    tasks.write_text(json.dumps(label_studio_export(), ensure_ascii=False), encoding="utf-8")
    assert main(["convert", "--input", str(tasks), "--format", "conll", "--out", str(out), "--lang", "es"]) == 0
    assert "warning: 1 tasks have no annotation and were written without entities: 3" in capsys.readouterr().err


# --- downloads -----------------------------------------------------------------------------


def test_export_bytes_gives_loadable_files(demo, tmp_path):
    import datasets
    from spacy.tokens import DocBin

    archive = tmp_path / "es.zip"
    archive.write_bytes(export_bytes("hf", demo, stem="demo-es-all"))
    with zipfile.ZipFile(archive) as zf:
        assert "demo-es-all/dataset_info.json" in zf.namelist()
        zf.extractall(tmp_path / "unzipped")
    assert datasets.load_from_disk(str(tmp_path / "unzipped" / "demo-es-all")).num_rows == 36
    assert len(DocBin().from_bytes(export_bytes("spacy", demo))) == 36
    assert len(json.loads(export_bytes("label-studio", demo))) == 36
    assert len(export_bytes("prodigy", demo).decode("utf-8").splitlines()) == 36
    assert len(export_bytes("hf-jsonl", demo).decode("utf-8").splitlines()) == 36


@pytest.mark.parametrize("reader", [read_prodigy, read_hf_jsonl])
def test_both_jsonl_readers_name_an_empty_file_bad_utf8_and_bad_json_the_same_way(tmp_path, reader):
    cases = [
        (b"\n  \n", r"x\.jsonl: the file is empty"),
        (b"\n\xff\xfe\n", r"x\.jsonl, line 2: not valid UTF-8"),  # the line the bad bytes are on
        (b'\n{"tokens": \n', r"x\.jsonl, line 2: record 1 is not valid JSON"),
    ]
    for content, message in cases:
        (tmp_path / "x.jsonl").write_bytes(content)
        with pytest.raises(CorpusError, match=message):
            reader(tmp_path / "x.jsonl")
    with pytest.raises(CorpusError, match=r"missing\.jsonl: no such file"):
        reader(tmp_path / "missing.jsonl")
