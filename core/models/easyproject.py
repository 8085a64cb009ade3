"""EasyProject (Chen et al. 2023): label a *translation* instead of the original text.

English entities are wrapped in ``[ ]``, the sentence is translated by a marker-aware
model (``ychenNLP/nllb-200-3.3B-easyproject``), each entity is also translated on its
own, and the marked spans of the translation get the labels of the entities they match
best (difflib ratio > 0.5). The result is labelled target-language text that is a
translation of the English, not the user's original sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.corpus.wordsplit import join_words
from core.datamodel import Sentence
from core.models.loading import Progress
from core.models.markers import insert_markers, recover_entities
from core.models.translate import Translator

EASYPROJECT_MODEL = "ychenNLP/nllb-200-3.3B-easyproject"


@dataclass(frozen=True)
class MarkedTranslations:
    """Per sentence: the raw marked translation and the labelled sentence read from it."""

    texts: tuple[str, ...]
    sentences: tuple[Sentence, ...]


def translate_with_markers(
    sources: Sequence[Sentence],
    translator: Translator,
    entity_translator: Translator | None = None,
    threshold: float = 0.5,
    progress: Progress | None = None,
) -> MarkedTranslations:
    """Translate English sentences with their entities marked and recover labelled spans.

    ``translator`` goes from the source language to the target language;
    ``entity_translator`` (default: the same) translates the entity strings alone.
    """
    entity_translator = entity_translator or translator
    marked = [insert_markers(sentence) for sentence in sources]
    entity_strings = [join_words(sentence.tokens[s.start : s.end]) for sentence in sources for s in sentence.spans]
    total = len(marked) + len(entity_strings)
    texts = translator.translate(marked, (lambda d, t: progress(d, total)) if progress else None)
    entity_translations = entity_translator.translate(
        entity_strings, (lambda d, t: progress(len(marked) + d, total)) if progress else None
    )
    sentences, offset = [], 0
    for sentence, text in zip(sources, texts):
        own = entity_translations[offset : offset + len(sentence.spans)]
        offset += len(sentence.spans)
        sentences.append(recover_entities(text, sentence, own, threshold))
    return MarkedTranslations(tuple(texts), tuple(sentences))
