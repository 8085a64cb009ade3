"""The corpus-evidence ablation (benchmarks/corpus_evidence_parts.py) on corpora written here:
its parts add up to the default projection, and each part changes what it should."""

from __future__ import annotations

import importlib.util
import sys

from helpers import REPO
from test_corpus_evidence import abbreviation_corpus, adjective_corpus, read_corpus

from core.projection.pipeline import ProjectionConfig

spec = importlib.util.spec_from_file_location("corpus_evidence_parts", REPO / "benchmarks" / "corpus_evidence_parts.py")
assert spec is not None and spec.loader is not None
parts = importlib.util.module_from_spec(spec)
sys.modules["corpus_evidence_parts"] = parts
spec.loader.exec_module(parts)

CONFIG = ProjectionConfig(source_lang="en", target_lang="es")


def spans(results, k: int) -> list[tuple[int, int, str]]:
    return [(p.span.start, p.span.end, p.span.label) for p in results[k].matching]


def test_known_names_is_the_part_that_widens_the_abbreviation(tmp_path):
    abbreviation_corpus(tmp_path)
    pairs, links = read_corpus(tmp_path)
    by_part = parts.projections_by_part(pairs, links, CONFIG)  # raises unless the parts add up to the default
    assert list(by_part) == list(parts.PARTS)
    uk = len(pairs) - 1
    assert [spans(by_part[part], uk) for part in parts.PARTS] == [[(1, 2, "LOC")]] * 4 + [[(1, 3, "LOC")]]


def test_cased_labels_is_the_part_that_relabels_the_adjective_and_lower_case_turns_it_off(tmp_path):
    adjective_corpus(tmp_path)
    pairs, links = read_corpus(tmp_path)
    europe = len(pairs) - 1
    by_part = parts.projections_by_part(pairs, links, CONFIG)
    assert spans(by_part["+ known translations"], europe) == [(2, 3, "LOC")]
    assert spans(by_part["+ cased labels"], europe) == [(2, 3, "MISC")]
    lowered = parts.lower_cased(pairs)
    assert all(t == t.lower() for p in lowered for t in p.target.tokens)
    assert [p.source for p in lowered] == [p.source for p in pairs]
    caseless = parts.projections_by_part(lowered, links, CONFIG)
    assert spans(caseless["+ cased labels"], europe) == [(2, 3, "LOC")]  # no label is cased any more


def test_noise_drops_and_adds_links_the_same_way_for_the_same_seed(tmp_path):
    abbreviation_corpus(tmp_path)
    pairs, links = read_corpus(tmp_path)
    assert [a.links for a in parts.with_noise(pairs, links, 0.0, 0.0, seed=1)] == [a.links for a in links]
    assert all(not a.links for a in parts.with_noise(pairs, links, 1.0, 0.0, seed=1))
    noisy = parts.with_noise(pairs, links, 0.3, 2.0, seed=1)
    assert [a.links for a in noisy] == [a.links for a in parts.with_noise(pairs, links, 0.3, 2.0, seed=1)]
    assert sum(len(a.links) for a in noisy) > sum(len(a.links) for a in links)
    for pair, alignment in zip(pairs, noisy):
        assert all(i < len(pair.source) and j < len(pair.target) for i, j in alignment.links)
