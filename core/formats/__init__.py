"""Training and annotation-tool formats: one module a format, each converting LabelBridge
sentences (:class:`core.datamodel.Sentence`) to and from that format.

``EXPORTS`` lists what the Export page and ``python -m core convert --format`` offer;
``IMPORTS`` the formats read back to sentences.

>>> sorted(EXPORTS)
['conll', 'hf', 'hf-jsonl', 'label-studio', 'prodigy', 'spacy']
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from core.corpus.io import read_conll, write_conll
from core.datamodel import Sentence
from core.errors import CorpusError
from core.formats.common import Imported, label_problem
from core.formats.hf_datasets import read_hf_jsonl, write_hf_dataset, write_hf_jsonl
from core.formats.label_studio import read_label_studio, write_label_studio
from core.formats.prodigy import read_prodigy, write_prodigy
from core.formats.spacy_docbin import read_docbin, write_docbin

Writer = Callable[[Path, Iterable[Sentence]], object]


@dataclass(frozen=True)
class ExportFormat:
    """A format sentences can be written in: ``suffix`` ends the file name (empty for a
    folder), ``loads`` says in one line where the result loads (commands in backticks)."""

    name: str
    title: str
    suffix: str
    loads: str
    write: Writer
    folder: bool = False


EXPORTS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "conll",
            "CoNLL (IOB2)",
            ".conll",
            "any CoNLL reader: token, tab, IOB2 tag; a blank line after each sentence",
            write_conll,
        ),
        ExportFormat(
            "spacy",
            "spaCy DocBin",
            ".spacy",
            "spaCy: `python -m spacy train config.cfg --paths.train FILE.spacy --paths.dev DEV.spacy`",
            write_docbin,
        ),
        ExportFormat(
            "hf",
            "Hugging Face dataset",
            "",
            "Hugging Face: `datasets.load_from_disk(FOLDER)`; ner_tags are ClassLabel IOB2 tags",
            write_hf_dataset,
            folder=True,
        ),
        ExportFormat(
            "hf-jsonl",
            "Hugging Face JSONL",
            ".hf.jsonl",
            'Hugging Face: `datasets.load_dataset("json", data_files=FILE)`; ner_tags as IOB2 strings',
            write_hf_jsonl,
        ),
        ExportFormat(
            "label-studio",
            "Label Studio JSON",
            ".json",
            "Label Studio: import into a project with the Named Entity Recognition template",
            write_label_studio,
        ),
        ExportFormat(
            "prodigy",
            "Prodigy JSONL",
            ".prodigy.jsonl",
            "Prodigy: `prodigy db-in DATASET FILE.jsonl`, or as the source of `ner.manual`",
            write_prodigy,
        ),
    )
}

Reader = Callable[..., Imported]


def _imported(read: Callable[[Path], list[Sentence]]) -> Reader:
    """A reader of token-level files in the annotation tools' reader shape (``lang`` unused)."""

    def reader(path: str | os.PathLike, lang: str = "xx", labels: Iterable[str] | None = None) -> Imported:
        sentences = read(Path(path))
        allowed = frozenset(labels) if labels is not None else None
        for k, sentence in enumerate(sentences, start=1):
            for span in sentence.spans:
                problem = label_problem(span.label, allowed)
                if problem:
                    raise CorpusError(path, None, f"sentence {k}: {problem}")
        return Imported(tuple(sentences))

    return reader


IMPORTS: dict[str, Reader] = {
    "conll": _imported(read_conll),
    "spacy": _imported(read_docbin),
    "hf-jsonl": read_hf_jsonl,
    "label-studio": read_label_studio,
    "prodigy": read_prodigy,
}


def guess_input_format(path: str | os.PathLike) -> str:
    """The import format a file's name suggests: ``.json`` Label Studio, ``.hf.jsonl``
    Hugging Face, other ``.jsonl`` Prodigy, ``.spacy`` (or a folder) spaCy, anything else CoNLL."""
    path = Path(path)
    if path.name.endswith(".hf.jsonl"):
        return "hf-jsonl"
    if path.suffix == ".json":
        return "label-studio"
    if path.suffix == ".jsonl":
        return "prodigy"
    if path.suffix == ".spacy" or path.is_dir():
        return "spacy"
    return "conll"


def export(name: str, path: str | os.PathLike, sentences: Iterable[Sentence]) -> None:
    """Write ``sentences`` to ``path`` in the format called ``name``."""
    EXPORTS[name].write(Path(path), sentences)


def export_bytes(name: str, sentences: Iterable[Sentence], stem: str = "export") -> bytes:
    """The file a download offers: the format's file, or for a folder format a zip archive
    holding the folder ``stem``."""
    chosen = EXPORTS[name]
    with tempfile.TemporaryDirectory(prefix="labelbridge-export-") as tmp:
        out = Path(tmp) / f"{Path(stem).name or 'export'}{chosen.suffix}"
        chosen.write(out, sentences)
        if not chosen.folder:
            return out.read_bytes()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(out.rglob("*")):
                if file.is_file():
                    archive.write(file, file.relative_to(tmp).as_posix())
        return buffer.getvalue()


__all__ = [
    "EXPORTS",
    "IMPORTS",
    "ExportFormat",
    "Imported",
    "export",
    "export_bytes",
    "guess_input_format",
    "read_docbin",
    "read_hf_jsonl",
    "read_label_studio",
    "read_prodigy",
    "write_docbin",
    "write_hf_dataset",
    "write_hf_jsonl",
    "write_label_studio",
    "write_prodigy",
]
