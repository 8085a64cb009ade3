"""Back-translation refinement (Politov et al. 2025; docs/method.md, section 5).

The tagged English sentence is translated back into the target language with entity
markers (EasyProject), the labelled spans are recovered by fuzzy matching, and the
user's original target sentence is aligned to this back-translation -- a same-language
alignment, usually easier than a cross-language one. Projection then runs from the
back-translation (the new source) onto the original tokens. In the paper's results this
lowered average F1 except for ja/th/zh: an option to measure, not a default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.alignment.base import Aligner
from core.datamodel import Alignment, Sentence, SentencePair
from core.models.easyproject import translate_with_markers
from core.models.loading import Progress
from core.models.translate import Translator


@dataclass(frozen=True)
class BackTranslation:
    """Pairs (back-translation with entities -> original target) and their alignments."""

    pairs: tuple[SentencePair, ...]
    alignments: tuple[Alignment, ...]
    texts: tuple[str, ...]


def align_back_translations(
    marked: Sequence[Sentence],
    targets: Sequence[Sentence],
    aligner: Aligner,
    progress: Progress | None = None,
) -> tuple[list[SentencePair], list[Alignment]]:
    """Pairs (labelled back-translation -> original target) and their same-language links.

    A sentence whose back-translation is empty becomes a one-word placeholder without
    entities, so it projects nothing. The targets' own spans (gold, if any) are kept.
    """
    if len(marked) != len(targets):
        raise ValueError(f"{len(marked)} back-translations but {len(targets)} target sentences")
    sources = [s if len(s) else Sentence(("∅",)) for s in marked]
    alignments = aligner.align_corpus([s.tokens for s in sources], [t.tokens for t in targets], progress)
    return [SentencePair(s, t) for s, t in zip(sources, targets)], list(alignments)


def back_translate(
    english: Sequence[Sentence],
    targets: Sequence[Sentence],
    translator: Translator,
    aligner: Aligner,
    entity_translator: Translator | None = None,
    threshold: float = 0.5,
    progress: Progress | None = None,
) -> BackTranslation:
    """Back-translate ``english`` (with entities) into the target language with markers and
    align each result to the original ``targets``."""
    if len(english) != len(targets):
        raise ValueError(f"{len(english)} English but {len(targets)} target sentences")
    half = (lambda d, t: progress(d, 2 * t)) if progress else None
    marked = translate_with_markers(english, translator, entity_translator, threshold, half)
    later = (lambda d, t: progress(t + d, 2 * t)) if progress else None
    pairs, alignments = align_back_translations(marked.sentences, targets, aligner, later)
    return BackTranslation(tuple(pairs), tuple(alignments), marked.texts)
