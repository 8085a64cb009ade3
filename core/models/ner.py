"""Named-entity recognition with a transformers token-classification model or a spaCy pipeline.

Both tag pre-tokenised sentences word by word. A transformers model labels each word with
the label of its first subword (tags read leniently: IOB1, IOB2, BIOES or bare labels).
spaCy's OntoNotes labels are mapped to PER/LOC/ORG/MISC. :func:`ner_candidates` turns the
predicted spans of a target-side model into matching candidates (labels ignored).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from core.datamodel import Span
from core.errors import ModelLoadError
from core.models.loading import (
    LazyModel,
    Progress,
    batches,
    progress_bar,
    resolve_device,
)

Tokens = Sequence[str]

ONTONOTES_TO_CONLL = {
    "PERSON": "PER",
    "PER": "PER",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "ORG": "ORG",
    "NORP": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
    "MISC": "MISC",
}


class Tagger(Protocol):
    name: str

    def tag(self, sentences: Sequence[Tokens], progress: Progress | None = None) -> list[list[Span]]: ...


def word_tags_to_spans(tags: Sequence[str], scores: Sequence[float] | None = None) -> list[Span]:
    """Spans from per-word model tags, read leniently.

    ``B-``/``S-`` start an entity, ``I-``/``E-`` continue one of the same label (or start
    one), ``E-``/``S-`` close it, a bare label (``PER``) acts like ``I-``. A span's score is
    the mean of its words' scores.

    >>> [(s.start, s.end, s.label) for s in word_tags_to_spans(["I-PER", "I-PER", "O", "B-LOC", "I-ORG"])]
    [(0, 2, 'PER'), (3, 4, 'LOC'), (4, 5, 'ORG')]
    """
    spans: list[Span] = []
    start, label = None, ""

    def close(end: int) -> None:
        if start is not None:
            score = None if scores is None else float(sum(scores[start:end]) / (end - start))
            spans.append(Span(start, end, label, score))

    for k, tag in enumerate(tags):
        prefix, _, rest = tag.partition("-")
        if tag == "O" or not tag:
            close(k)
            start = None
            continue
        if not rest:
            prefix, rest = "I", tag
        if prefix in {"B", "S"} or start is None or rest != label:
            close(k)
            start, label = k, rest
        if prefix in {"E", "S"}:
            close(k + 1)
            start = None
    close(len(tags))
    return spans


@dataclass
class TransformersTagger(LazyModel):
    """A token-classification model by hub name or local path, loaded on first use."""

    device: str = "auto"
    batch_size: int = 32
    max_length: int = 512
    name: str = "transformers"
    what: ClassVar[str] = "NER model"
    auto_class: ClassVar[str] = "AutoModelForTokenClassification"
    fast_tokenizer_for: ClassVar[str] = "word-wise tagging"

    def labels(self) -> dict[int, str]:
        return {int(k): v for k, v in self.load()[0].config.id2label.items()}

    def tag(self, sentences: Sequence[Tokens], progress: Progress | None = None) -> list[list[Span]]:
        """Spans per sentence; each word gets its first subword's label."""
        import torch

        model, tokenizer = self.load()
        id2label = self.labels()
        device = resolve_device(self.device)
        result: list[list[Span]] = [[] for _ in sentences]
        indices = [k for k, tokens in enumerate(sentences) if len(tokens)]
        with progress_bar(len(sentences), "tagging", progress) as advance:
            advance(len(sentences) - len(indices))
            for batch in batches(indices, self.batch_size):
                words = [list(sentences[k]) for k in batch]
                inputs = tokenizer(
                    words,
                    is_split_into_words=True,
                    truncation=True,
                    max_length=self.max_length,
                    padding=True,
                    return_tensors="pt",
                )
                with torch.inference_mode():
                    logits = model(**{k: v.to(device) for k, v in inputs.items()}).logits
                probabilities = logits.softmax(-1).cpu()
                best = probabilities.argmax(-1)
                for row, k in enumerate(batch):
                    tags, scores = ["O"] * len(words[row]), [0.0] * len(words[row])
                    seen: set[int] = set()
                    for position, word in enumerate(inputs.word_ids(row)):
                        if word is None or word in seen:
                            continue
                        seen.add(word)
                        label_id = int(best[row, position])
                        tags[word] = id2label[label_id]
                        scores[word] = float(probabilities[row, position, label_id])
                    result[k] = word_tags_to_spans(tags, scores)
                advance(len(batch))
        return result


@dataclass
class SpacyTagger:
    """A spaCy pipeline by package name or folder; its entity labels mapped to CoNLL's."""

    model: str
    label_map: dict[str, str] = field(default_factory=lambda: dict(ONTONOTES_TO_CONLL))
    name: str = "spacy"
    _nlp: Any = field(default=None, repr=False)

    def load(self) -> Any:
        if self._nlp is None:
            import spacy

            try:
                self._nlp = spacy.load(self.model)
            except (OSError, ValueError) as err:
                raise ModelLoadError(
                    f"Cannot load the spaCy pipeline {self.model!r}: it is neither an installed package nor a pipeline folder "
                    f"({str(err).splitlines()[0][:120]}); install it (python -m spacy download NAME) or give the folder nlp.to_disk wrote."
                ) from None
        return self._nlp

    def tag(self, sentences: Sequence[Tokens], progress: Progress | None = None) -> list[list[Span]]:
        from spacy.tokens import Doc

        nlp = self.load()
        result: list[list[Span]] = []
        with progress_bar(len(sentences), "tagging", progress) as advance:
            for tokens in sentences:
                if not tokens:
                    result.append([])
                else:
                    doc = nlp(Doc(nlp.vocab, words=list(tokens)))
                    result.append(
                        [Span(e.start, e.end, self.label_map[e.label_]) for e in doc.ents if e.label_ in self.label_map]
                    )
                advance(1)
        return result


def is_spacy_pipeline(name_or_path: str) -> bool:
    """A folder with spaCy's ``config.cfg``/``meta.json``, or an installed spaCy package."""
    if name_or_path.startswith("spacy:"):
        return True
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return (path / "config.cfg").exists() and not (path / "config.json").exists()
    if "/" in name_or_path or not name_or_path.isidentifier():
        return False
    import importlib.util

    spec = importlib.util.find_spec(name_or_path)
    locations = list(spec.submodule_search_locations or []) if spec else []
    return any((Path(location) / "meta.json").exists() for location in locations)


def load_tagger(name_or_path: str, device: str = "auto", batch_size: int = 32) -> Tagger:
    """A spaCy pipeline (``spacy:NAME``, an installed package or a spaCy folder) or a
    transformers token-classification model (anything else)."""
    if is_spacy_pipeline(name_or_path):
        return SpacyTagger(name_or_path.removeprefix("spacy:"))
    return TransformersTagger(name_or_path, device=device, batch_size=batch_size)


def tag_sentences(
    tagger: Tagger,
    sentences: Sequence[Tokens],
    dropped_labels: frozenset[str] = frozenset(),
    progress: Progress | None = None,
) -> list[list[Span]]:
    """Tag and drop unwanted labels (e.g. MISC)."""
    return [[s for s in spans if s.label not in dropped_labels] for spans in tagger.tag(sentences, progress)]


def ner_candidates(
    tagger: Tagger, sentences: Sequence[Tokens], progress: Progress | None = None
) -> list[list[tuple[int, int]]]:
    """Matching candidates from a target-side NER model: its spans, labels ignored."""
    return [sorted({(s.start, s.end) for s in spans}) for spans in tagger.tag(sentences, progress)]
