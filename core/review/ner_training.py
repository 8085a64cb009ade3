"""A small target-language NER model trained offline on the project's own projected spans,
whose predictions serve as *NER candidates* for matching (labels are ignored).

Nothing is downloaded: ``spacy.blank(lang)`` plus an ``ner`` component, trained on CPU for a
few epochs. Languages spaCy has no tokenizer data for fall back to the multilingual ``xx``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.datamodel import Span

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class TrainingReport:
    path: Path
    sentences: int
    entities: int
    epochs: int
    seconds: float
    losses: tuple[float, ...]


def _blank(lang: str):
    import spacy

    try:
        return spacy.blank(lang)
    except Exception:  # unknown language code: spaCy's multilingual tokenizer rules
        return spacy.blank("xx")


def _doc(nlp, tokens: Sequence[str]):
    from spacy.tokens import Doc

    return Doc(nlp.vocab, words=list(tokens))


def train_ner(
    data: Sequence[tuple[Sequence[str], Sequence[Span]]],
    lang: str,
    out_dir: str | Path,
    epochs: int = 10,
    seed: int = 0,
    progress: Progress | None = None,
) -> TrainingReport:
    """Train on ``(tokens, spans)`` pairs and save the pipeline to ``out_dir``."""
    import spacy
    from spacy.tokens import Span as SpacySpan
    from spacy.training import Example

    started = time.perf_counter()
    random.seed(seed)
    spacy.util.fix_random_seed(seed)
    nlp = _blank(lang)
    ner = nlp.add_pipe("ner")
    examples = []
    n_entities = 0
    for tokens, spans in data:
        if not tokens:
            continue
        reference = _doc(nlp, tokens)
        reference.ents = [SpacySpan(reference, s.start, s.end, label=s.label) for s in spans]
        for s in spans:
            ner.add_label(s.label)
        n_entities += len(spans)
        examples.append(Example(_doc(nlp, tokens), reference))
    if not examples:
        raise ValueError("no sentences to train the NER model on")
    if n_entities == 0:
        ner.add_label("ENTITY")
    optimizer = nlp.initialize(lambda: examples)
    losses_per_epoch = []
    for epoch in range(epochs):
        random.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in spacy.util.minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
        losses_per_epoch.append(float(losses.get("ner", 0.0)))
        if progress:
            progress(epoch + 1, epochs)
    out_dir = Path(out_dir)
    nlp.to_disk(out_dir)
    return TrainingReport(
        out_dir, len(examples), n_entities, epochs, time.perf_counter() - started, tuple(losses_per_epoch)
    )


def predict_spans(model_dir: str | Path, sentences: Sequence[Sequence[str]]) -> list[list[tuple[int, int]]]:
    """The spans the saved model predicts on pre-tokenised sentences (labels dropped)."""
    import spacy

    nlp = spacy.load(model_dir)
    docs = (_doc(nlp, tokens) for tokens in sentences)
    result = []
    for doc in nlp.pipe(docs):
        result.append([(ent.start, ent.end) for ent in doc.ents])
    return result
