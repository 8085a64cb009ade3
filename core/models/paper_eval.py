"""The paper's evaluation protocol on a gold target-language test set.

Gold sentences (CoNLL, or a ``datasets`` folder saved with ``save_to_disk`` such as
XTREME PAN-X or MasakhaNER 2.0) are translated to English, tagged, aligned, projected onto
the original tokens, and scored with seqeval. Labels are mapped as the paper did: a label
only one side can have becomes O -- the English NER's MISC for datasets without MISC,
and MasakhaNER2's DATE, which a CoNLL-2003 tagger never predicts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.corpus.evaluate import Evaluation, evaluate
from core.corpus.io import read_conll
from core.corpus.tags import tags_to_spans
from core.datamodel import Sentence
from core.errors import CorpusError
from core.models.loading import Progress
from core.models.pipeline import (
    ModelPipelineOptions,
    ModelPipelineResult,
    Status,
    run_model_pipeline,
)
from core.projection.pipeline import METHODS, Method

CONLL_LABELS = frozenset({"PER", "LOC", "ORG", "MISC"})


# --- reading gold -----------------------------------------------------------------------


def _label_names(info: Any) -> list[str] | None:
    """ClassLabel names of the ``ner_tags`` feature in a ``dataset_info.json``."""
    features = info.get("features", {}) if isinstance(info, dict) else {}
    feature = features.get("ner_tags")
    while isinstance(feature, dict):
        if "names" in feature:
            return list(feature["names"])
        feature = feature.get("feature")
    return None


def _read_arrow_table(folder: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = []
    for path in sorted(folder.glob("*.arrow")):
        with pa.memory_map(str(path)) as source:
            try:
                tables.append(pa.ipc.open_stream(source).read_all())
            except pa.ArrowInvalid:
                tables.append(pa.ipc.open_file(source).read_all())
    tables += [pq.read_table(path) for path in sorted(folder.glob("*.parquet"))]
    if not tables:
        raise CorpusError(
            folder, None, "no .arrow or .parquet files; expected a folder written by datasets' save_to_disk"
        )
    return pa.concat_tables(tables)


def read_dataset_folder(folder: str | Path, split: str = "test") -> list[Sentence]:
    """Sentences of a ``datasets`` folder (``save_to_disk``): a DatasetDict folder (one
    subfolder per split) or a single split. Needs columns ``tokens`` and ``ner_tags``
    (class ids named in ``dataset_info.json``, or tag strings)."""
    folder = Path(folder)
    if (folder / "dataset_dict.json").exists():
        splits = json.loads((folder / "dataset_dict.json").read_text()).get("splits", [])
        if split not in splits:
            raise CorpusError(folder, None, f"has no split {split!r}; it has {', '.join(splits)}")
        folder = folder / split
    info_path = folder / "dataset_info.json"
    names = _label_names(json.loads(info_path.read_text())) if info_path.exists() else None
    table = _read_arrow_table(folder)
    for column in ("tokens", "ner_tags"):
        if column not in table.column_names:
            raise CorpusError(folder, None, f"has no column {column!r} (columns: {', '.join(table.column_names)})")
    sentences = []
    for row, (tokens, tags) in enumerate(
        zip(table.column("tokens").to_pylist(), table.column("ner_tags").to_pylist()), start=1
    ):
        if tags and isinstance(tags[0], int):
            if names is None:
                raise CorpusError(
                    folder, None, "ner_tags are class ids but dataset_info.json does not name the classes"
                )
            tags = [names[t] for t in tags]
        tokens = _strip_language_prefix(tokens)
        try:
            spans = tags_to_spans(tags, "IOB2")
        except Exception as err:  # noqa: BLE001 - reported with its row
            raise CorpusError(folder, row, f"bad tags: {err}") from None
        if tokens:
            sentences.append(Sentence(tuple(tokens), tuple(spans)))
    return sentences


def _strip_language_prefix(tokens: list[str]) -> list[str]:
    """PAN-X's raw files prefix every token with its language (``es:Madrid``)."""
    if tokens and all(len(t) > 3 and t[2] == ":" and t[:2].isalpha() for t in tokens):
        return [t[3:] for t in tokens]
    return tokens


def read_gold(path: str | Path, split: str = "test") -> list[Sentence]:
    """A CoNLL file, or a saved ``datasets`` folder."""
    path = Path(path)
    if path.is_dir():
        return read_dataset_folder(path, split)
    return read_conll(path)


# --- label mapping ----------------------------------------------------------------------


def shared_labels(gold: Sequence[Sentence], predicted_labels: frozenset[str] = CONLL_LABELS) -> frozenset[str]:
    """Labels both the gold set and the NER model have; every other label becomes O."""
    gold_labels = {span.label for sentence in gold for span in sentence.spans}
    return frozenset(gold_labels & predicted_labels)


def keep_labels(sentences: Sequence[Sentence], labels: frozenset[str]) -> list[Sentence]:
    return [s.with_spans(span for span in s.spans if span.label in labels) for s in sentences]


# --- the protocol -----------------------------------------------------------------------


@dataclass(frozen=True)
class PaperEvaluation:
    labels: frozenset[str]
    scores: dict[Method, Evaluation]
    result: ModelPipelineResult
    sentences: int

    def as_dict(self) -> dict:
        return {
            "sentences": self.sentences,
            "labels": sorted(self.labels),
            "target_lang": self.result.options.target_lang,
            "scores": {method: evaluation.as_dict() for method, evaluation in self.scores.items()},
        }

    def report(self) -> str:
        parts = [f"{self.sentences} sentences, labels scored: {', '.join(sorted(self.labels))} (others mapped to O)"]
        for method, evaluation in self.scores.items():
            parts.append(f"\n{method}\n{evaluation.table()}")
        return "\n".join(parts)


def predictions(result: ModelPipelineResult, method: Method, labels: frozenset[str]) -> list[Sentence]:
    """One method's projections on the gold tokens, restricted to the scored labels (MISC
    counts here when the gold set has it, whatever ``drop_misc`` says)."""
    return keep_labels([p.target_with(method) for p in result.projected], labels)


def paper_evaluate(
    gold: Sequence[Sentence],
    options: ModelPipelineOptions,
    cache_dir: str | Path | None = None,
    predicted_labels: frozenset[str] = CONLL_LABELS,
    progress: Progress | None = None,
    status: Status | None = None,
) -> PaperEvaluation:
    """Run the model pipeline on the gold sentences' tokens and score both projections
    on the labels gold and NER share."""
    if not gold:
        raise CorpusError(None, None, "the gold set has no sentences")
    labels = shared_labels(gold, predicted_labels)
    result = run_model_pipeline([s.with_spans(()) for s in gold], options, cache_dir, progress, status)
    gold_kept = keep_labels(gold, labels)
    scores = {method: evaluate(gold_kept, predictions(result, method, labels)) for method in METHODS}
    return PaperEvaluation(labels, scores, result, len(gold))
