"""LabelBridge's projection engine: read corpora, align words, project entity spans onto a
translation (heuristic or matching), evaluate and export. No model is needed on the default
path; model-backed parts (translation, NER, neural aligners) load torch only when used.

>>> from core import ProjectionConfig, project_corpus, read_parallel
>>> pairs = read_parallel("en.conll", "es.txt")                      # doctest: +SKIP
>>> projected = project_corpus(pairs, ProjectionConfig(target_lang="es"))  # doctest: +SKIP
>>> projected[0].target_with("matching").spans                       # doctest: +SKIP
"""

from core.corpus.evaluate import evaluate
from core.corpus.io import (
    read_conll,
    read_parallel,
    read_pharaoh,
    read_sentences,
    write_conll,
    write_pharaoh,
)
from core.datamodel import Alignment, Projection, Sentence, SentencePair, Span
from core.errors import CorpusError, LabelBridgeError, ModelLoadError
from core.projection.pipeline import (
    ProjectedPair,
    ProjectionConfig,
    align,
    project_corpus,
    project_pair,
)

__all__ = [
    "Alignment",
    "CorpusError",
    "LabelBridgeError",
    "ModelLoadError",
    "ProjectedPair",
    "Projection",
    "ProjectionConfig",
    "Sentence",
    "SentencePair",
    "Span",
    "align",
    "evaluate",
    "project_corpus",
    "project_pair",
    "read_conll",
    "read_parallel",
    "read_pharaoh",
    "read_sentences",
    "write_conll",
    "write_pharaoh",
]
