"""AWESoME-style alignment (Dou & Neubig 2021) without fine-tuning: softmax extraction.

The dot products of source and target subword embeddings (one encoder layer, 8 by
default) are normalised by softmax in both directions; a subword pair is aligned when
both probabilities exceed ``threshold`` (0.001), and words are aligned if any of their
subwords are. Works over any encoder (mBERT as in the paper, or a fine-tuned
awesome-align checkpoint) by hub name or local path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.alignment.base import Progress, Tokens
from core.alignment.embeddings import (
    EncoderAligner,
    SubwordVectors,
    subword_links_to_words,
)
from core.datamodel import Alignment


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted = np.exp(x - x.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def softmax_extraction(source: np.ndarray, target: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    """0/1 subword alignment matrix: both directional softmax probabilities above ``threshold``."""
    scores = source.astype(np.float64) @ target.astype(np.float64).T
    return (_softmax(scores, axis=1) > threshold) & (_softmax(scores, axis=0) > threshold)


def align_vectors(source: SubwordVectors, target: SubwordVectors, threshold: float = 1e-3) -> Alignment:
    if not len(source.vectors) or not len(target.vectors):
        return Alignment()
    matrix = softmax_extraction(source.vectors, target.vectors, threshold)
    return Alignment.from_pairs(subword_links_to_words(matrix, source.words, target.words))


@dataclass
class AwesomeAligner(EncoderAligner):
    """Softmax extraction over any encoder: ``model`` is a hub name or local folder."""

    threshold: float = 1e-3
    name: str = "awesome"

    def align_corpus(
        self, sources: Sequence[Tokens], targets: Sequence[Tokens], progress: Progress | None = None
    ) -> list[Alignment]:
        source_vectors, target_vectors = self.embed_corpus(sources, targets, progress)
        return [align_vectors(s, t, self.threshold) for s, t in zip(source_vectors, target_vectors)]
