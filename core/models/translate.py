"""Batched machine translation with any transformers seq2seq model, cached on disk.

Language codes follow the model family: NLLB-200 (``spa_Latn``), M2M100 (``es``),
Marian (one model per pair; ``>>spa<<`` for multi-target models). Every translation is
stored in a SQLite cache keyed by model, languages, decoding options and text, so
nothing is translated twice.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from core.errors import LabelBridgeError, ModelLoadError
from core.models.languages import language
from core.models.loading import (
    LazyModel,
    Progress,
    batches,
    progress_bar,
    resolve_device,
)


class TranslationCache:
    """Translations by key, in a SQLite file (or in memory with ``path=None``).

    ``hits`` and ``misses`` count look-ups, so callers can see what was reused.
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path) if self.path else ":memory:", check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL" if self.path else "PRAGMA journal_mode=MEMORY")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS translations (key TEXT PRIMARY KEY, source TEXT NOT NULL, translation TEXT NOT NULL)"
        )
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        with self._lock:
            unique = list(dict.fromkeys(keys))
            for start in range(0, len(unique), 500):
                chunk = unique[start : start + 500]
                rows = self._db.execute(
                    f"SELECT key, translation FROM translations WHERE key IN ({','.join('?' * len(chunk))})", chunk
                )
                found.update(rows.fetchall())
        self.hits += sum(1 for key in keys if key in found)
        self.misses += sum(1 for key in keys if key not in found)
        return found

    def put_many(self, items: Sequence[tuple[str, str, str]]) -> None:
        """Store ``(key, source, translation)`` triples."""
        with self._lock, self._db:
            self._db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?)", items)

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0]

    def close(self) -> None:
        self._db.close()


def language_setup(tokenizer: Any, source_lang: str, target_lang: str) -> tuple[str, int | None]:
    """Prepare ``tokenizer`` for a language pair; returns (text prefix, forced BOS token id).

    NLLB and M2M100 set the source code on the tokenizer and force the target code as the
    first generated token; multi-target Marian models get a ``>>xxx<<`` prefix.
    """
    kind = type(tokenizer).__name__.lower()
    source, target = language(source_lang), language(target_lang)
    vocab = tokenizer.get_vocab()
    if "m2m100" in kind:
        for lang in (source, target):
            if lang.m2m100 is None:
                raise LabelBridgeError(f"M2M100 has no code for {lang.name} ({lang.nllb}); use an NLLB-200 model")
        tokenizer.src_lang = source.m2m100
        return "", tokenizer.get_lang_id(target.m2m100)
    if "marian" in kind:
        token = f">>{target.nllb[:3]}<<"
        return (token + " " if token in vocab else ""), None
    if "nllb" in kind or source.nllb in vocab or target.nllb in vocab:
        for code in (source.nllb, target.nllb):
            if code not in vocab:
                raise LabelBridgeError(
                    f"the translation model's vocabulary has no language code {code}; is it an NLLB-200 model?"
                )
        if hasattr(tokenizer, "src_lang"):
            tokenizer.src_lang = source.nllb
        return "", vocab[target.nllb]
    return "", None


@dataclass
class Translator(LazyModel):
    """A seq2seq translation model by hub name or local path, loaded on first use.

    Greedy decoding by default (``num_beams=1``), so the same input always gives the same
    output. ``generated`` counts the sentences the model actually translated.
    """

    source_lang: str
    target_lang: str
    cache: TranslationCache = field(default_factory=TranslationCache)
    device: str = "auto"
    batch_size: int = 16
    num_beams: int = 1
    max_new_tokens: int = 256
    dtype: str = "auto"
    generated: int = 0
    what: ClassVar[str] = "translation model"
    auto_class: ClassVar[str] = "AutoModelForSeq2SeqLM"

    def key(self, text: str) -> str:
        options = [
            _model_id(self.model),
            language(self.source_lang).nllb,
            language(self.target_lang).nllb,
            self.num_beams,
            self.max_new_tokens,
            text,
        ]
        return hashlib.sha256(json.dumps(options, ensure_ascii=False).encode("utf-8")).hexdigest()

    def translate(self, texts: Sequence[str], progress: Progress | None = None) -> list[str]:
        """Translate ``texts`` in order; cached texts are not translated again."""
        keys = [self.key(text) for text in texts]
        found = self.cache.get_many(keys)
        todo = list(dict.fromkeys(text for text, key in zip(texts, keys) if key not in found))
        if todo:
            results = self._generate(todo, progress)
            self.cache.put_many([(self.key(text), text, out) for text, out in zip(todo, results)])
            found.update({self.key(text): out for text, out in zip(todo, results)})
        elif progress:
            progress(len(texts), len(texts))
        return [found[key] for key in keys]

    def _generate(self, texts: list[str], progress: Progress | None) -> list[str]:
        import torch

        model, tokenizer = self.load()
        prefix, forced_bos = language_setup(tokenizer, self.source_lang, self.target_lang)
        device = resolve_device(self.device)
        order = sorted(range(len(texts)), key=lambda k: len(texts[k]), reverse=True)
        outputs: dict[int, str] = {}
        options: dict[str, Any] = {
            "num_beams": self.num_beams,
            "do_sample": False,
            "max_new_tokens": self.max_new_tokens,
        }
        if forced_bos is not None:
            options["forced_bos_token_id"] = forced_bos
        with progress_bar(
            len(texts), f"translating {language(self.source_lang).nllb}->{language(self.target_lang).nllb}", progress
        ) as advance:
            for batch in batches(order, self.batch_size):
                inputs = tokenizer(
                    [prefix + texts[k] for k in batch],
                    return_tensors="pt",
                    padding=True,
                    truncation=True,
                    max_length=512,
                ).to(device)
                with torch.inference_mode():
                    generated = model.generate(**inputs, **options)
                decoded = tokenizer.batch_decode(generated, skip_special_tokens=True)
                for k, text in zip(batch, decoded):
                    outputs[k] = text.strip()
                self.generated += len(batch)
                advance(len(batch))
        return [outputs[k] for k in range(len(texts))]


def _model_id(name_or_path: str) -> str:
    path = Path(name_or_path).expanduser()
    return str(path.resolve()) if path.exists() else name_or_path


__all__ = ["ModelLoadError", "TranslationCache", "Translator", "language_setup"]
