"""Lexical evidence: links between words that are the same across the two languages.

Numbers, identical tokens and near-identical names ("Nikitin"/"Nikitin",
"Barents"/"Barent", "Lisbon"/"Lisboa") are strong anchors for entities, and a corpus
as small as a few hundred sentences rarely teaches a statistical aligner those pairs.
"""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

from core.alignment.base import Tokens
from core.datamodel import Alignment, Link


@lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """Lower-cased, accents removed: ``"Países"`` -> ``"paises"``."""
    decomposed = unicodedata.normalize("NFKD", token.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def similarity(a: str, b: str) -> float:
    """Normalised edit similarity of two accent-folded words, in ``[0, 1]``."""
    return _folded_similarity(fold(a), fold(b))


def _folded_similarity(a: str, b: str, at_least: float = 0.0) -> float:
    """Similarity of folded words; 0 whenever it is surely below ``at_least`` (cheap bounds first)."""
    if a == b:
        return 1.0
    if not a or not b or 2 * min(len(a), len(b)) / (len(a) + len(b)) < at_least:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < at_least or matcher.quick_ratio() < at_least:
        return 0.0
    return matcher.ratio()


def _is_name_like(token: str) -> bool:
    return token[:1].isupper() or any(ch.isdigit() for ch in token)


def lexical_links(source: Tokens, target: Tokens, min_similarity: float = 0.8, min_length: int = 3) -> set[Link]:
    """Mutual best matches between name-like tokens (capitalised, or with digits) whose
    folded forms are at least ``min_similarity`` alike; tokens shorter than
    ``min_length`` must match exactly (after folding)."""
    names = [(j, t, fold(t)) for j, t in enumerate(target) if _is_name_like(t)]
    scores: dict[Link, float] = {}
    if names:
        for i, s in enumerate(source):
            if not _is_name_like(s):
                continue
            folded = fold(s)
            for j, t, other in names:
                short = min(len(s), len(t)) < min_length
                score = (
                    1.0 if folded == other else (0.0 if short else _folded_similarity(folded, other, min_similarity))
                )
                if score >= min_similarity:
                    scores[(i, j)] = score
    best_for_source: dict[int, float] = {}
    best_for_target: dict[int, float] = {}
    for (i, j), score in scores.items():
        best_for_source[i] = max(best_for_source.get(i, 0.0), score)
        best_for_target[j] = max(best_for_target.get(j, 0.0), score)
    return {(i, j) for (i, j), score in scores.items() if score == best_for_source[i] == best_for_target[j]}


def add_lexical_links(alignment: Alignment, source: Tokens, target: Tokens, min_similarity: float = 0.8) -> Alignment:
    """``alignment`` plus lexical links; a lexical link replaces statistical links that
    tie either of its words to another word (the anchor is trusted more)."""
    anchors = lexical_links(source, target, min_similarity)
    if not anchors:
        return alignment
    anchored_source = {i for i, _ in anchors}
    anchored_target = {j for _, j in anchors}
    links = frozenset(
        {
            link
            for link in alignment.links
            if link in anchors or (link[0] not in anchored_source and link[1] not in anchored_target)
        }
        | anchors
    )
    if links == alignment.links and all(alignment.weight(link) == 1.0 for link in anchors):
        return alignment
    # the kept links' weight entries are reused as they are; anchors weigh 1
    weights = tuple(entry for entry in alignment.weights if entry[0] in links and entry[0] not in anchors)
    return Alignment(links, weights)
