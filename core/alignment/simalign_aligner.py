"""SimAlign (Jalili Sabet et al. 2020): cosine similarity of contextual subword embeddings,
aligned with *itermax*; words are aligned if any of their subwords are.

The paper used mBERT (``bert-base-multilingual-cased``), layer 8, subword level, itermax.
This is simalign 0.4's algorithm (``SentenceAligner.iter_max`` with its defaults) over our
own batched embedding extraction, which maps subwords to words with the fast tokenizer's
``word_ids`` and runs on any encoder by hub name or local path.
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

MATCHING_METHODS = ("itermax", "inter", "fwd", "rev")


def similarity(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Cosine similarity rescaled to [0, 1], as simalign computes it."""
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    y = y / np.maximum(np.linalg.norm(y, axis=1, keepdims=True), 1e-12)
    return (x @ y.T + 1.0) / 2.0


def argmax_matrices(sim: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forward (each row's best column) and reverse (each column's best row) 0/1 matrices."""
    m, n = sim.shape
    forward = np.eye(n)[sim.argmax(axis=1)]
    backward = np.eye(m)[sim.argmax(axis=0)].T
    return forward, backward


def iter_max(sim: np.ndarray, max_count: int = 2, alpha_ratio: float = 0.9) -> np.ndarray:
    """simalign's itermax: the intersection of argmax in both directions, then repeated
    argmax over words still unaligned on one side (``max_count`` rounds in all)."""
    m, n = sim.shape
    forward, backward = argmax_matrices(sim)
    inter = forward * backward
    if min(m, n) <= 2:
        return inter
    count = 1
    while count < max_count:
        mask_x = 1.0 - np.tile(inter.sum(1)[:, np.newaxis], (1, n)).clip(0.0, 1.0)
        mask_y = 1.0 - np.tile(inter.sum(0)[np.newaxis, :], (m, 1)).clip(0.0, 1.0)
        mask = ((alpha_ratio * mask_x) + (alpha_ratio * mask_y)).clip(0.0, 1.0)
        mask_zeros = 1.0 - ((1.0 - mask_x) * (1.0 - mask_y))
        if mask_x.sum() < 1.0 or mask_y.sum() < 1.0:
            mask *= 0.0
            mask_zeros *= 0.0
        new_sim = sim * mask
        fwd = np.eye(n)[new_sim.argmax(axis=1)] * mask_zeros
        bac = np.eye(m)[new_sim.argmax(axis=0)].T * mask_zeros
        new_inter = fwd * bac
        if np.array_equal(inter + new_inter, inter):
            break
        inter = inter + new_inter
        count += 1
    return inter


def match(sim: np.ndarray, method: str = "itermax") -> np.ndarray:
    if method == "itermax":
        return iter_max(sim)
    forward, backward = argmax_matrices(sim)
    return {"inter": forward * backward, "fwd": forward, "rev": backward}[method]


def align_vectors(source: SubwordVectors, target: SubwordVectors, method: str = "itermax") -> Alignment:
    """Word links of one sentence pair from its subword embeddings."""
    if not len(source.vectors) or not len(target.vectors):
        return Alignment()
    matrix = match(similarity(source.vectors, target.vectors), method)
    return Alignment.from_pairs(subword_links_to_words(matrix, source.words, target.words))


@dataclass
class SimAlignAligner(EncoderAligner):
    """SimAlign over any encoder: ``model`` is a hub name or local folder."""

    matching: str = "itermax"
    name: str = "simalign"

    def __post_init__(self) -> None:
        if self.matching not in MATCHING_METHODS:
            raise ValueError(f"unknown matching method {self.matching!r}; choose one of {', '.join(MATCHING_METHODS)}")

    def align_corpus(
        self, sources: Sequence[Tokens], targets: Sequence[Tokens], progress: Progress | None = None
    ) -> list[Alignment]:
        source_vectors, target_vectors = self.embed_corpus(sources, targets, progress)
        return [align_vectors(s, t, self.matching) for s, t in zip(source_vectors, target_vectors)]
