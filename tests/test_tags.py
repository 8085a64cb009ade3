"""Tag schemes (IOB1, IOB2, IOE1, BIOES/IOBES, BILUO) read into spans, and spans written back as IOB2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.corpus.tags import (
    TagError,
    detect_scheme,
    drop_labels,
    spans_to_iob2,
    split_tag,
    tags_to_spans,
    to_bioes_letters,
)
from core.datamodel import Span

# One sentence, three entities (a two-word PER, a one-word LOC, a three-word ORG directly
# after a one-word ORG), written in each scheme. Spans: PER [0,2), LOC [3,4), ORG [5,6), ORG [6,9).
EXPECTED = [Span(0, 2, "PER"), Span(3, 4, "LOC"), Span(5, 6, "ORG"), Span(6, 9, "ORG")]
IOB2 = ["B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG", "B-ORG", "I-ORG", "I-ORG"]
# IOB1: an entity starts with I- unless it directly follows one of the same label.
IOB1 = ["I-PER", "I-PER", "O", "I-LOC", "O", "I-ORG", "B-ORG", "I-ORG", "I-ORG"]
BIOES = ["B-PER", "E-PER", "O", "S-LOC", "O", "S-ORG", "B-ORG", "I-ORG", "E-ORG"]
BILUO = ["B-PER", "L-PER", "O", "U-LOC", "O", "U-ORG", "B-ORG", "I-ORG", "L-ORG"]
# IOE1: an entity ends with E- only when an entity of the same label follows directly.
IOE1 = ["I-PER", "I-PER", "O", "I-LOC", "O", "E-ORG", "I-ORG", "I-ORG", "I-ORG"]


@pytest.mark.parametrize("scheme, tags", [("IOB1", IOB1), ("IOB2", IOB2), ("BIOES", BIOES), ("BILUO", BILUO)])
def test_each_scheme_reads_to_the_same_spans(scheme, tags):
    assert tags_to_spans(tags, scheme) == EXPECTED
    assert detect_scheme(tags) == scheme


def test_iobes_is_bioes_and_ioe1_is_read_when_named():
    assert tags_to_spans(BIOES, "IOBES") == EXPECTED
    assert tags_to_spans(IOE1, "IOE1") == EXPECTED
    assert tags_to_spans(["E-PER", "E-PER", "I-LOC", "I-LOC"], "IOE1") == [
        Span(0, 1, "PER"),
        Span(1, 2, "PER"),
        Span(2, 4, "LOC"),
    ]


@pytest.mark.parametrize(
    "scheme, tags, index, words",
    [
        ("BILUO", ["O", "I-PER", "L-PER"], 1, "does not continue an entity"),
        ("BILUO", ["O", "L-PER"], 1, "an entity starts with B-PER or U-PER"),
        ("BILUO", ["B-PER", "L-LOC"], 1, "does not continue an entity"),
        ("BILUO", ["B-PER", "I-PER", "O"], 1, "not closed by L- (scheme BILUO)"),
        ("BILUO", ["U-PER", "S-LOC"], 1, "is not BILUO (only O, B-, I-, L- and U-)"),
        ("BILUO", ["B-PER", "E-PER"], 1, "is not BILUO"),  # the foreign letter is named, not a missing L-
        ("BIOES", ["B-PER", "L-PER"], 1, "is not BIOES (only O, B-, I-, E- and S-)"),
        ("IOB2", ["B-PER", "E-PER"], 1, "is not IOB2 (only O, B- and I-)"),
        ("IOE1", ["B-PER"], 0, "is not IOE1 (only O, I- and E-)"),
    ],
)
def test_biluo_and_foreign_letters_are_named(scheme, tags, index, words):
    with pytest.raises(TagError, match=re.escape(words)) as info:
        tags_to_spans(tags, scheme)
    assert info.value.index == index
    assert f"token {index + 1}" in str(info.value)


def test_detect_scheme_biluo_wins_over_bioes_letters():
    """L-/U- decide BILUO even when E-/S- occur too; reading then names the E-/S- tag."""
    tags = ["S-PER", "O", "U-LOC"]
    assert detect_scheme(tags) == "BILUO"
    with pytest.raises(TagError, match="'S-PER' at token 1 is not BILUO"):
        tags_to_spans(tags, detect_scheme(tags))


def test_to_bioes_letters_renames_biluo_only():
    assert to_bioes_letters(BILUO, "BILUO") == BIOES
    assert to_bioes_letters(IOB2, "IOB2") == IOB2


@pytest.mark.parametrize("tags", [IOB1, IOB2, BIOES, BILUO])
def test_writing_iob2_and_reading_back_keeps_the_spans(tags):
    spans = tags_to_spans(tags, detect_scheme(tags))
    written = spans_to_iob2(spans, len(tags))
    assert written == IOB2
    assert tags_to_spans(written, "IOB2") == spans


def test_split_tag():
    assert split_tag("O") == ("O", "")
    assert split_tag("B-PER") == ("B", "PER")
    # Only the first hyphen separates prefix and label.
    assert split_tag("I-B-X") == ("I", "B-X")


@pytest.mark.parametrize("tag", ["", "PER", "X-PER", "B-", "B_PER", "o", "b-PER", "-PER", "l-PER", "U_PER"])
def test_invalid_tags_are_named_in_the_error(tag):
    with pytest.raises(TagError) as info:
        split_tag(tag, 7)
    assert repr(tag) in str(info.value)
    assert info.value.index == 7


@pytest.mark.parametrize(
    "scheme, tags, index",
    [
        ("IOB2", ["O", "I-PER"], 1),  # I- after O continues nothing
        ("IOB2", ["B-LOC", "I-PER"], 1),  # I- of another label continues nothing
        ("IOB2", ["I-PER"], 0),  # I- at the start of a sentence
        ("BIOES", ["O", "I-PER", "E-PER"], 1),
        ("BIOES", ["O", "E-PER"], 1),
        ("BIOES", ["B-PER", "E-LOC"], 1),  # E- must close an entity of the same label
    ],
)
def test_an_inside_tag_that_continues_nothing_is_an_error(scheme, tags, index):
    with pytest.raises(TagError) as info:
        tags_to_spans(tags, scheme)
    assert info.value.index == index
    assert "does not continue an entity" in str(info.value)
    assert f"token {index + 1}" in str(info.value)


@pytest.mark.parametrize(
    "tags, index", [(["B-PER"], 0), (["B-PER", "I-PER", "O"], 1), (["B-PER", "B-PER", "E-PER"], 0)]
)
def test_bioes_entity_not_closed_by_e_is_an_error(tags, index):
    with pytest.raises(TagError) as info:
        tags_to_spans(tags, "BIOES")
    assert info.value.index == index
    assert "not closed by E-" in str(info.value)


def test_s_tag_is_not_iob1():
    with pytest.raises(TagError, match="not IOB1"):
        tags_to_spans(["O", "S-PER"], "IOB1")


def test_unknown_scheme():
    with pytest.raises(ValueError, match="unknown tag scheme 'BILOU'"):
        tags_to_spans(["O"], "BILOU")


def test_iob1_starts_an_entity_at_a_label_change():
    # I-PER I-LOC: two entities, since the label changes; B-PER after I-PER splits.
    assert tags_to_spans(["I-PER", "I-LOC", "I-PER", "B-PER"], "IOB1") == [
        Span(0, 1, "PER"),
        Span(1, 2, "LOC"),
        Span(2, 3, "PER"),
        Span(3, 4, "PER"),
    ]


def test_entity_at_sentence_end_is_closed():
    assert tags_to_spans(["O", "B-MISC", "I-MISC"]) == [Span(1, 3, "MISC")]


def test_detect_scheme_plain_iob2_and_all_o():
    assert detect_scheme(["B-PER", "I-PER", "O"]) == "IOB2"
    assert detect_scheme(["O", "O"]) == "IOB2"


def test_spans_to_iob2_rejects_overlap_and_overflow():
    with pytest.raises(ValueError, match="overlaps"):
        spans_to_iob2([Span(0, 2, "PER"), Span(1, 3, "LOC")], 4)
    with pytest.raises(ValueError, match="runs past 2 tokens"):
        spans_to_iob2([Span(1, 3, "PER")], 2)


def test_drop_labels():
    spans = [Span(0, 1, "PER"), Span(1, 2, "MISC"), Span(2, 3, "LOC")]
    assert drop_labels(spans, {"MISC"}) == [Span(0, 1, "PER"), Span(2, 3, "LOC")]
    assert drop_labels(spans, frozenset()) == spans


@st.composite
def non_overlapping_spans(draw):
    """A sentence length and non-overlapping spans on it, in order."""
    length = draw(st.integers(1, 12))
    cuts = sorted(draw(st.sets(st.integers(0, length), min_size=0, max_size=length + 1)))
    spans = []
    for start, end in zip(cuts, cuts[1:]):
        if draw(st.booleans()):
            spans.append(Span(start, end, draw(st.sampled_from(["PER", "LOC", "ORG", "MISC"]))))
    return length, spans


def to_bioes(spans, length):
    tags = ["O"] * length
    for span in spans:
        if len(span) == 1:
            tags[span.start] = f"S-{span.label}"
        else:
            tags[span.start] = f"B-{span.label}"
            tags[span.start + 1 : span.end - 1] = [f"I-{span.label}"] * (len(span) - 2)
            tags[span.end - 1] = f"E-{span.label}"
    return tags


def to_iob1(spans, length):
    tags = ["O"] * length
    previous = None
    for span in spans:
        first = "B" if previous is not None and previous.end == span.start and previous.label == span.label else "I"
        tags[span.start] = f"{first}-{span.label}"
        tags[span.start + 1 : span.end] = [f"I-{span.label}"] * (len(span) - 1)
        previous = span
    return tags


@given(non_overlapping_spans())
def test_any_spans_survive_each_scheme(case):
    length, spans = case
    iob2 = spans_to_iob2(spans, length)
    assert tags_to_spans(iob2, "IOB2") == spans
    assert tags_to_spans(to_bioes(spans, length), "BIOES") == spans
    assert tags_to_spans(to_iob1(spans, length), "IOB1") == spans
    assert tags_to_spans(to_bioes_letters_biluo(spans, length), "BILUO") == spans


def to_bioes_letters_biluo(spans, length):
    rename = {"B": "B", "I": "I", "E": "L", "S": "U"}
    return [tag if tag == "O" else rename[tag[0]] + tag[1:] for tag in to_bioes(spans, length)]


def test_check_iob2_accepts_strict_iob2_only():
    from core.corpus.tags import check_iob2

    check_iob2(["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC"])
    for tags, index, words in [
        (["O", "I-LOC"], 1, "does not continue an entity"),
        (["B-PER", "I-LOC"], 1, "does not continue an entity"),
        (["B-PER", "O", "I-PER"], 2, "does not continue an entity"),
        (["S-PER"], 0, "is not IOB2"),
        (["B-PER", "E-PER"], 1, "is not IOB2"),
    ]:
        with pytest.raises(TagError, match=words) as info:
            check_iob2(tags)
        assert info.value.index == index


def test_a_stray_inside_tag_says_how_an_entity_starts():
    with pytest.raises(TagError, match="an entity starts with B-LOC"):
        tags_to_spans(["O", "I-LOC"], "IOB2")


DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"


@pytest.mark.parametrize("name", ["en.conll", "es.conll", "de.conll"])
def test_biluo_is_read_as_spacy_reads_it(name):
    """Our reading of BILUO equals spaCy's on the demo corpus, both ways: spaCy writes
    BILUO from our spans (offsets_to_biluo_tags) and from our IOB2 (iob_to_biluo), and
    reads our spans back out of it (biluo_tags_to_spans)."""
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import Doc
    from spacy.training.iob_utils import biluo_tags_to_spans, iob_to_biluo, offsets_to_biluo_tags

    from core.corpus.io import read_conll

    vocab = spacy.blank("xx").vocab
    entities = 0
    for sentence in read_conll(DEMO / name):
        doc = Doc(vocab, words=list(sentence.tokens))
        offsets = [(doc[s.start].idx, doc[s.end - 1].idx + len(doc[s.end - 1]), s.label) for s in sentence.spans]
        biluo = offsets_to_biluo_tags(doc, offsets)
        assert biluo == iob_to_biluo(spans_to_iob2(sentence.spans, len(sentence)))
        assert tags_to_spans(biluo, "BILUO") == list(sentence.spans)
        assert [(s.start, s.end, s.label_) for s in biluo_tags_to_spans(doc, biluo)] == [
            (s.start, s.end, s.label) for s in sentence.spans
        ]
        entities += len(sentence.spans)
    assert entities > 20
