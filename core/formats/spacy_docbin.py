"""spaCy's binary training format (``DocBin``, ``.spacy``), as ``spacy train`` reads it.

>>> from core.datamodel import Sentence, Span
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "train.spacy"
>>> write_docbin(out, [Sentence(("Ana", "vive", "en", "Lima"), (Span(0, 1, "PER"), Span(3, 4, "LOC")))])
1
>>> read_docbin(out)[0].spans
(Span(start=0, end=1, label='PER', score=None), Span(start=3, end=4, label='LOC', score=None))

A ``DocBin`` file is one serialised block, so it is built in memory (compact arrays of
token attributes, not ``Doc`` objects). For very large corpora ``shard_size`` writes a
folder of ``.spacy`` files instead, which ``spacy train`` reads as one corpus.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from core.datamodel import Sentence, Span
from core.errors import CorpusError
from core.formats.common import publish

ATTRS = ("ORTH", "ENT_IOB", "ENT_TYPE")  # what NER training reads; a quarter of the default's memory


def _docbin():
    from spacy.tokens import DocBin

    return DocBin(attrs=list(ATTRS), store_user_data=False)


def _doc(vocab, sentence: Sentence):
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

    words = list(sentence.tokens)
    doc = Doc(vocab, words=words, spaces=[True] * (len(words) - 1) + [False])
    doc.ents = [SpacySpan(doc, s.start, s.end, label=s.label) for s in sentence.spans]
    return doc


def _save(docbin, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        docbin.to_disk(tmp)
        publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_docbin(path: str | os.PathLike, sentences: Iterable[Sentence], shard_size: int | None = None) -> int:
    """Write the sentences with their entities; returns how many were written.

    With ``shard_size``, ``path`` is a folder that receives ``0000.spacy``, ``0001.spacy``...
    of at most ``shard_size`` sentences each (memory then stays bounded by one shard).
    """
    from spacy.vocab import Vocab

    path = Path(path)
    vocab = Vocab()
    if shard_size is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        docbin = _docbin()
        for sentence in sentences:
            docbin.add(_doc(vocab, sentence))
        _save(docbin, path)
        return len(docbin)
    if shard_size < 1:
        raise ValueError("shard_size must be 1 or more")
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    try:
        total, shard, docbin = 0, 0, _docbin()
        for sentence in sentences:
            docbin.add(_doc(vocab, sentence))
            total += 1
            if len(docbin) == shard_size:
                docbin.to_disk(staging / f"{shard:04d}.spacy")
                shard, docbin = shard + 1, _docbin()
        if len(docbin) or shard == 0:
            docbin.to_disk(staging / f"{shard:04d}.spacy")
        if path.exists():
            if not path.is_dir() or any(p.suffix != ".spacy" for p in path.iterdir()):
                raise CorpusError(path, None, "exists and is not a folder of .spacy files; choose a new folder")
            shutil.rmtree(path)
        publish(staging, path)
        return total
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_docbin(path: str | os.PathLike) -> list[Sentence]:
    """Sentences of a ``.spacy`` file, or of every ``.spacy`` file in a folder (name order)."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    path = Path(path)
    files = sorted(path.glob("*.spacy")) if path.is_dir() else [path]
    if not files:
        raise CorpusError(path, None, "holds no .spacy files")
    vocab = Vocab()
    result = []
    for file in files:
        try:
            docbin = DocBin().from_disk(file)
        except FileNotFoundError:
            raise CorpusError(file, None, "no such file") from None
        except Exception:
            raise CorpusError(file, None, "is not a spaCy DocBin (.spacy) file") from None
        for doc in docbin.get_docs(vocab):
            result.append(Sentence(tuple(t.text for t in doc), tuple(Span(e.start, e.end, e.label_) for e in doc.ents)))
    return result
