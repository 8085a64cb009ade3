"""Precomputes the demo's word alignments (en-es.pharaoh, en-de.pharaoh) so the demo shows the
same links on every machine: eflomal, trained on the demo sentences alone, five runs voting.

Run: python data/demo/align_demo.py   (from the repository root)
"""
from pathlib import Path

from core.aligners import EflomalAligner
from core.corpus_io import read_parallel, write_pharaoh

HERE = Path(__file__).resolve().parent

for lang in ("es", "de"):
    pairs = read_parallel(HERE / "en.conll", HERE / f"{lang}.conll")
    aligner = EflomalAligner(n_runs=5)
    alignments = aligner.align_corpus([p.source.tokens for p in pairs], [p.target.tokens for p in pairs])
    write_pharaoh(HERE / f"en-{lang}.pharaoh", alignments)
    print(f"wrote {HERE / f'en-{lang}.pharaoh'}")
