"""Hugging Face ``datasets``: a ``save_to_disk`` folder and a JSONL file, columns ``tokens``
and ``ner_tags`` (IOB2), the layout of CoNLL-2003 and WikiANN on the Hub.

In the folder ``ner_tags`` is a sequence of ``ClassLabel`` whose names are the IOB2 tags
(``O``, then ``B-``/``I-`` of each label in alphabetical order); in the JSONL the tags are
written as strings, so the file explains itself.

>>> from core.datamodel import Sentence, Span
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_hf_jsonl(folder / "train.jsonl", [Sentence(("Ana", "vive", "en", "Lima"), (Span(0, 1, "PER"), Span(3, 4, "LOC")))])
['LOC', 'PER']
>>> (folder / "train.jsonl").read_text(encoding="utf-8")
'{"tokens": ["Ana", "vive", "en", "Lima"], "ner_tags": ["B-PER", "O", "O", "B-LOC"]}\\n'
>>> iob2_names(["PER", "LOC"])
['O', 'B-LOC', 'I-LOC', 'B-PER', 'I-PER']
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from core.corpus.tags import TagError, spans_to_iob2, tags_to_spans
from core.datamodel import Sentence
from core.errors import CorpusError
from core.formats.common import Imported, atomic_text, jsonl_records, label_problem, publish


def iob2_names(labels: Iterable[str]) -> list[str]:
    """The ``ClassLabel`` names for these entity labels: ``O``, then ``B-X``, ``I-X`` per label."""
    return ["O"] + [f"{prefix}-{label}" for label in sorted(set(labels)) for prefix in ("B", "I")]


def write_hf_jsonl(path: str | os.PathLike, sentences: Iterable[Sentence]) -> list[str]:
    """One ``{"tokens": [...], "ner_tags": [...]}`` line a sentence, written as it goes;
    returns the entity labels seen (sorted)."""
    labels: set[str] = set()
    with atomic_text(path) as out:
        for sentence in sentences:
            labels.update(s.label for s in sentence.spans)
            tags = spans_to_iob2(sentence.spans, len(sentence))
            out.write(json.dumps({"tokens": list(sentence.tokens), "ner_tags": tags}, ensure_ascii=False) + "\n")
    return sorted(labels)


def read_hf_jsonl(path: str | os.PathLike, lang: str = "xx", labels: Iterable[str] | None = None) -> Imported:
    """Sentences of a JSONL file with ``tokens`` and IOB2 ``ner_tags`` strings, as
    :func:`write_hf_jsonl` writes it (``lang`` is unused: the tokens are given)."""
    path = Path(path)
    allowed = frozenset(labels) if labels is not None else None
    sentences = []
    for number, record, row in jsonl_records(path):
        tokens = row.get("tokens") if isinstance(row, dict) else None
        tags = row.get("ner_tags") if isinstance(row, dict) else None
        if not (
            isinstance(tokens, list)
            and tokens
            and all(isinstance(t, str) and t for t in tokens)
            and isinstance(tags, list)
            and len(tags) == len(tokens)
            and all(isinstance(t, str) for t in tags)
        ):
            raise CorpusError(
                path,
                number,
                f"record {record}: expected non-empty lists tokens and ner_tags (IOB2 strings) of the same length",
            )
        try:
            spans = tags_to_spans(tags, "IOB2")
        except TagError as err:
            raise CorpusError(path, number, f"record {record}: {err}") from None
        for span in spans:
            problem = label_problem(span.label, allowed)
            if problem:
                raise CorpusError(path, number, f"record {record}: {problem}")
        sentences.append(Sentence(tuple(tokens), tuple(spans)))
    return Imported(tuple(sentences))


def _is_saved_dataset(folder: Path) -> bool:
    return (folder / "dataset_info.json").exists() or (folder / "dataset_dict.json").exists()


def write_hf_dataset(
    path: str | os.PathLike, sentences: Iterable[Sentence], jsonl: str | os.PathLike | None = None
) -> list[str]:
    """A ``datasets`` folder for ``datasets.load_from_disk``; returns its ``ClassLabel`` names.

    The sentences are streamed into a JSONL file (``jsonl``, or a temporary one) and Arrow
    is built from that file in chunks, so memory does not grow with the corpus. An existing
    folder is replaced only if it holds a saved dataset.
    """
    import datasets
    from datasets import ClassLabel, Features, Sequence, Value

    path = Path(path)
    if path.exists() and (not path.is_dir() or (any(path.iterdir()) and not _is_saved_dataset(path))):
        raise CorpusError(path, None, "exists and is not a saved dataset; choose a new folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    bars_were_on = not datasets.utils.are_progress_bars_disabled()
    datasets.disable_progress_bars()
    try:
        rows = Path(jsonl) if jsonl is not None else work / "rows.jsonl"
        labels = write_hf_jsonl(rows, sentences)
        names = iob2_names(labels)
        features = Features({"tokens": Sequence(Value("string")), "ner_tags": Sequence(ClassLabel(names=names))})
        if rows.stat().st_size == 0:
            dataset = datasets.Dataset.from_dict({"tokens": [], "ner_tags": []}, features=features)
        else:
            dataset = datasets.Dataset.from_json(str(rows), features=features, cache_dir=str(work / "cache"))
        dataset.save_to_disk(str(work / "saved"))
        del dataset
        if path.exists():
            shutil.rmtree(path)
        publish(work / "saved", path)
        return names
    finally:
        if bars_were_on:
            datasets.enable_progress_bars()
        shutil.rmtree(work, ignore_errors=True)
