"""Entity-level evaluation with seqeval against a hand-checked case."""

from __future__ import annotations

import json

import pytest

from core.corpus.evaluate import evaluate
from core.datamodel import Sentence, Span
from core.errors import CorpusError

TOKENS_1 = ("Mr", "Smith", "visited", "Paris", "European", "Parliament")
TOKENS_2 = ("Human", "Rights", "for", "Kofi")
GOLD = [
    Sentence(TOKENS_1, (Span(0, 2, "PER"), Span(3, 4, "LOC"), Span(4, 6, "ORG"))),
    Sentence(TOKENS_2, (Span(0, 2, "MISC"), Span(3, 4, "PER"))),
]
PREDICTED = [
    # PER and LOC right; ORG cut short ([5,6) for [4,6)) -> wrong.
    Sentence(TOKENS_1, (Span(0, 2, "PER"), Span(3, 4, "LOC"), Span(5, 6, "ORG"))),
    # MISC cut short -> wrong; "for" as LOC -> spurious; "Kofi" as LOC instead of PER -> wrong.
    Sentence(TOKENS_2, (Span(0, 1, "MISC"), Span(2, 3, "LOC"), Span(3, 4, "LOC"))),
]
# By hand: gold 5 entities (PER 2, LOC 1, ORG 1, MISC 1); predicted 6 (PER 1, LOC 3,
# ORG 1, MISC 1); exact matches (span and label) 2: PER "Mr Smith", LOC "Paris".
#   overall  P = 2/6 = 1/3   R = 2/5 = 0.4   F1 = 2*2/(6+5) = 4/11
#   PER      P = 1/1         R = 1/2         F1 = 2/3
#   LOC      P = 1/3         R = 1/1         F1 = 2*1/(3+1) = 1/2
#   ORG      P = 0           R = 0           F1 = 0
#   MISC     P = 0           R = 0           F1 = 0
# MISC ignored: gold 4, predicted 5, matches 2:
#   overall  P = 2/5 = 0.4   R = 2/4 = 0.5   F1 = 2*2/(5+4) = 4/9


def test_hand_checked_scores():
    result = evaluate(GOLD, PREDICTED)
    overall = result.overall
    assert (overall.precision, overall.recall, overall.f1) == pytest.approx((1 / 3, 0.4, 4 / 11))
    assert overall.support == 5
    expected = {
        "PER": (1.0, 0.5, 2 / 3, 2),
        "LOC": (1 / 3, 1.0, 0.5, 1),
        "ORG": (0.0, 0.0, 0.0, 1),
        "MISC": (0.0, 0.0, 0.0, 1),
    }
    assert set(result.per_label) == set(expected)
    for label, (p, r, f, support) in expected.items():
        scores = result.per_label[label]
        assert (scores.precision, scores.recall, scores.f1) == pytest.approx((p, r, f)), label
        assert scores.support == support


def test_ignore_misc():
    result = evaluate(GOLD, PREDICTED, ignore_labels={"MISC"})
    overall = result.overall
    assert (overall.precision, overall.recall, overall.f1) == pytest.approx((0.4, 0.5, 4 / 9))
    assert overall.support == 4
    assert set(result.per_label) == {"PER", "LOC", "ORG"}
    # Per-label scores of the other labels do not change.
    assert result.per_label["LOC"] == evaluate(GOLD, PREDICTED).per_label["LOC"]


def test_perfect_prediction():
    result = evaluate(GOLD, GOLD)
    assert (result.overall.precision, result.overall.recall, result.overall.f1) == (1.0, 1.0, 1.0)


def test_table_and_dict():
    result = evaluate(GOLD, PREDICTED)
    lines = result.table().splitlines()
    assert lines[0].split() == ["label", "precision", "recall", "f1", "support"]
    assert [line.split()[0] for line in lines[1:]] == ["LOC", "MISC", "ORG", "PER", "overall"]
    assert lines[-1].split() == ["overall", "33.3", "40.0", "36.4", "5"]
    data = json.loads(json.dumps(result.as_dict()))
    assert data["overall"]["f1"] == pytest.approx(4 / 11)
    assert data["per_label"]["PER"]["support"] == 2


def test_mismatched_inputs():
    with pytest.raises(CorpusError, match="gold has 2 sentences but the prediction has 1"):
        evaluate(GOLD, PREDICTED[:1])
    short = [PREDICTED[0], Sentence(TOKENS_2[:3])]
    with pytest.raises(CorpusError, match="sentence 2 has 4 gold tokens but 3 predicted tokens"):
        evaluate(GOLD, short)


# Tags as written: orphan I- scored as seqeval's default mode does ------------------------

ORPHANS_GOLD = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "I-ORG", "I-ORG", "O"], ["O", "B-MISC", "I-MISC", "O"]]
ORPHANS_PRED = [["I-PER", "I-PER", "O", "I-LOC"], ["B-ORG", "I-LOC", "I-ORG", "O"], ["O", "O", "I-MISC", "O"]]


@pytest.mark.parametrize("ignore", [(), ("MISC",)])
def test_orphan_inside_tags_are_scored_as_seqeval_does(ignore):
    from seqeval.metrics import f1_score, precision_score, recall_score

    from core.corpus.evaluate import evaluate_tags

    def kept(rows):
        return [["O" if tag.endswith(tuple(f"-{label}" for label in ignore)) else tag for tag in row] for row in rows]

    result = evaluate_tags(ORPHANS_GOLD, ORPHANS_PRED, ignore)
    truth, pred = kept(ORPHANS_GOLD), kept(ORPHANS_PRED)
    assert result.overall.f1 == pytest.approx(f1_score(truth, pred))
    assert result.overall.precision == pytest.approx(precision_score(truth, pred))
    assert result.overall.recall == pytest.approx(recall_score(truth, pred))
    # By hand: "I-PER I-PER" and the first "I-LOC" start entities that match the gold; the
    # ORG is cut in three (ORG, a spurious LOC, ORG), so ORG scores 0 and LOC precision 1/2.
    assert result.per_label["PER"].f1 == 1.0
    assert (result.per_label["LOC"].precision, result.per_label["LOC"].recall) == (0.5, 1.0)
    assert result.per_label["ORG"].precision == 0.0


def test_strict_mode_is_seqevals_strict_iob2_mode():
    from seqeval.metrics import f1_score
    from seqeval.scheme import IOB2

    from core.corpus.evaluate import evaluate_tags

    gold = [["B-PER", "I-PER", "O"], ["B-LOC", "O", "O"]]
    pred = [["B-PER", "I-PER", "O"], ["B-LOC", "B-LOC", "O"]]
    assert evaluate_tags(gold, pred, strict=True).overall.f1 == pytest.approx(
        f1_score(gold, pred, mode="strict", scheme=IOB2)
    )
