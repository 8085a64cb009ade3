"""Precomputes the demo's word alignments (en-es.pharaoh, en-de.pharaoh) so the demo shows the
same links on every machine: the default aligner (eflomal trained on the demo sentences alone,
five runs, soft-voted links with their weights, lexical anchors).

Run: python data/demo/align_demo.py   (from the repository root)
"""

from pathlib import Path

from core.corpus.io import read_parallel, write_pharaoh
from core.projection.pipeline import ProjectionConfig, align

HERE = Path(__file__).resolve().parent

for lang in ("es", "de"):
    pairs = read_parallel(HERE / "en.conll", HERE / f"{lang}.conll")
    alignments = align(pairs, ProjectionConfig(target_lang=lang))
    write_pharaoh(HERE / f"en-{lang}.pharaoh", alignments)
    print(f"wrote {HERE / f'en-{lang}.pharaoh'}")
