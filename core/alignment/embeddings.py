"""Subword embeddings from one layer of any transformers encoder, for embedding aligners.

Words are tokenised with the model's fast tokenizer (``is_split_into_words``); each
subword keeps the index of the word it came from, special tokens are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from core.errors import ModelLoadError
from core.models.loading import (
    LazyModel,
    Progress,
    batches,
    progress_bar,
    resolve_device,
)

Tokens = Sequence[str]


@dataclass(frozen=True)
class SubwordVectors:
    """One sentence: ``vectors[k]`` is subword k's embedding, ``words[k]`` its word index."""

    vectors: np.ndarray
    words: np.ndarray


@dataclass
class SubwordEncoder(LazyModel):
    """Hidden states of layer ``layer`` (0 = embeddings) of an encoder by name or path."""

    layer: int = 8
    device: str = "auto"
    batch_size: int = 32
    max_length: int = 512
    what: ClassVar[str] = "encoder"
    fast_tokenizer_for: ClassVar[str] = "word alignment"

    def check(self, model: Any) -> None:
        layers = getattr(model.config, "num_hidden_layers", None)
        if layers is not None and not 0 <= self.layer <= layers:
            raise ModelLoadError(
                f"Cannot take layer {self.layer} of the encoder {self.model!r}: it has {layers} layers; choose a layer from 0 to {layers}"
            )

    def embed(
        self, sentences: Sequence[Tokens], progress: Progress | None = None, description: str = "embedding"
    ) -> list[SubwordVectors]:
        import torch

        model, tokenizer = self.load()
        device = resolve_device(self.device)
        result: list[SubwordVectors | None] = [None] * len(sentences)
        order = sorted(range(len(sentences)), key=lambda k: len(sentences[k]), reverse=True)
        with progress_bar(len(sentences), description, progress) as advance:
            for batch in batches(order, self.batch_size):
                words = [list(sentences[k]) or [""] for k in batch]
                inputs = tokenizer(
                    words,
                    is_split_into_words=True,
                    truncation=True,
                    max_length=self.max_length,
                    padding=True,
                    return_tensors="pt",
                )
                with torch.inference_mode():
                    out = model(**{k: v.to(device) for k, v in inputs.items()}, output_hidden_states=True)
                hidden = out.hidden_states[self.layer].float().cpu().numpy()
                for row, k in enumerate(batch):
                    ids = inputs.word_ids(row)
                    keep = [p for p, w in enumerate(ids) if w is not None]
                    word_index = np.array([ids[p] for p in keep], dtype=int)
                    if not sentences[k]:
                        keep, word_index = [], np.zeros(0, dtype=int)
                    result[k] = SubwordVectors(hidden[row, keep], word_index)
                advance(len(batch))
        return result  # type: ignore[return-value]


def subword_links_to_words(
    matrix: np.ndarray, source_words: np.ndarray, target_words: np.ndarray
) -> set[tuple[int, int]]:
    """Words are aligned if any of their subwords are (``matrix[i, j]`` truthy)."""
    rows, cols = np.nonzero(matrix)
    return {(int(source_words[i]), int(target_words[j])) for i, j in zip(rows, cols)}


@dataclass
class EncoderAligner:
    """What aligners over a subword encoder share: the encoder (a hub name or local
    folder, loaded on first use) and embedding both sides of a corpus."""

    model: str = "bert-base-multilingual-cased"
    layer: int = 8
    device: str = "auto"
    batch_size: int = 32
    _encoder: SubwordEncoder | None = field(default=None, repr=False)

    @property
    def encoder(self) -> SubwordEncoder:
        if self._encoder is None:
            self._encoder = SubwordEncoder(self.model, self.layer, self.device, self.batch_size)
        return self._encoder

    def embed_corpus(
        self, sources: Sequence[Sequence[str]], targets: Sequence[Sequence[str]], progress=None
    ) -> tuple[list[SubwordVectors], list[SubwordVectors]]:
        """Subword vectors of every source and target sentence, one progress count for both."""
        if len(sources) != len(targets):
            raise ValueError(f"{len(sources)} source but {len(targets)} target sentences")
        total = 2 * len(sources)
        source_vectors = self.encoder.embed(
            sources, (lambda d, t: progress(d, total)) if progress else None, "embedding sources"
        )
        target_vectors = self.encoder.embed(
            targets, (lambda d, t: progress(len(sources) + d, total)) if progress else None, "embedding targets"
        )
        return source_vectors, target_vectors
