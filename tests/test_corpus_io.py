"""Corpus IO: CoNLL in and out, tokenised text, Pharaoh alignments, and the errors
that name the file, the line and what is wrong."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from core.corpus.io import (
    format_conll,
    looks_like_conll,
    read_conll,
    read_parallel,
    read_pharaoh,
    read_sentences,
    read_text,
    write_conll,
    write_file,
    write_pharaoh,
    write_text,
)
from core.datamodel import Alignment, Sentence, SentencePair, Span
from core.errors import CorpusError


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def corpus_error(call, *args, **kwargs) -> CorpusError:
    with pytest.raises(CorpusError) as info:
        call(*args, **kwargs)
    return info.value


def assert_names(err: CorpusError, path: Path, line: int | None, *words: str) -> None:
    """The message names the file, the line (when there is one) and what is wrong."""
    message = str(err)
    assert err.path == str(path)
    assert err.line == line
    where = str(path) if line is None else f"{path}, line {line}"
    assert message.startswith(f"{where}: ")
    for word in words:
        assert word in message


# Two sentences; the same entities written in each scheme.
# Sentence 1: "John Smith visited New York City ." PER [0,2), LOC [3,6)
# Sentence 2: "EU and UN met ." ORG [0,1), ORG [2,3)
TOKENS = [["John", "Smith", "visited", "New", "York", "City", "."], ["EU", "and", "UN", "met", "."]]
SPANS = [[Span(0, 2, "PER"), Span(3, 6, "LOC")], [Span(0, 1, "ORG"), Span(2, 3, "ORG")]]
TAGS = {
    "IOB2": [["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "I-LOC", "O"], ["B-ORG", "O", "B-ORG", "O", "O"]],
    "IOB1": [["I-PER", "I-PER", "O", "I-LOC", "I-LOC", "I-LOC", "O"], ["I-ORG", "O", "I-ORG", "O", "O"]],
    "BIOES": [["B-PER", "E-PER", "O", "B-LOC", "I-LOC", "E-LOC", "O"], ["S-ORG", "O", "S-ORG", "O", "O"]],
}
IOB2_TEXT = "".join(
    "".join(f"{tok}\t{tag}\n" for tok, tag in zip(toks, tags)) + "\n" for toks, tags in zip(TOKENS, TAGS["IOB2"])
)


def conll_text(scheme: str, extra_columns: int = 0, sep: str = "\t") -> str:
    blocks = []
    for toks, tags in zip(TOKENS, TAGS[scheme]):
        blocks.append("".join(sep.join([tok] + ["x"] * extra_columns + [tag]) + "\n" for tok, tag in zip(toks, tags)))
    return "\n".join(blocks)


@pytest.mark.parametrize("scheme", ["IOB1", "IOB2", "BIOES"])
def test_conll_round_trip_for_each_scheme(tmp_path, scheme):
    """read (any scheme) -> write (IOB2, tab-separated) -> read gives the same sentences."""
    source = write(tmp_path / f"{scheme}.conll", conll_text(scheme))
    sentences = read_conll(source)
    assert [list(s.tokens) for s in sentences] == TOKENS
    assert [list(s.spans) for s in sentences] == SPANS
    out = tmp_path / "out" / "iob2.conll"
    write_conll(out, sentences)
    assert out.read_text(encoding="utf-8") == IOB2_TEXT
    assert read_conll(out) == sentences


def test_token_first_column_tag_last_column(tmp_path):
    path = write(tmp_path / "wide.conll", conll_text("IOB2", extra_columns=2))
    sentences = read_conll(path)
    assert [list(s.tokens) for s in sentences] == TOKENS
    assert [list(s.spans) for s in sentences] == SPANS


def test_space_separated_columns(tmp_path):
    path = write(tmp_path / "spaces.conll", conll_text("IOB2", extra_columns=1, sep=" "))
    assert [list(s.spans) for s in read_conll(path)] == SPANS


def test_docstart_and_comment_lines_are_skipped(tmp_path):
    text = "-DOCSTART- -X- -X- O\n\n# sent_id = 1\n#comment-without-spaces\n" + conll_text("IOB2").replace(
        "\nEU", "\n# a comment inside the file\nEU"
    )
    path = write(tmp_path / "comments.conll", text)
    sentences = read_conll(path)
    assert [list(s.tokens) for s in sentences] == TOKENS
    assert [list(s.spans) for s in sentences] == SPANS


def test_a_hash_token_with_a_tag_is_a_token_not_a_comment(tmp_path):
    path = write(tmp_path / "hash.conll", "#\tO\nEU\tB-ORG\n")
    sentences = read_conll(path)
    assert sentences == [Sentence(("#", "EU"), (Span(1, 2, "ORG"),))]


def test_crlf_line_endings_and_byte_order_mark(tmp_path):
    path = tmp_path / "windows.conll"
    path.write_bytes(b"\xef\xbb\xbf" + conll_text("IOB2").replace("\n", "\r\n").encode("utf-8"))
    sentences = read_conll(path)
    assert [list(s.tokens) for s in sentences] == TOKENS
    assert [list(s.spans) for s in sentences] == SPANS


def test_several_blank_lines_and_no_final_newline(tmp_path):
    path = write(tmp_path / "loose.conll", "\n\nA\tB-PER\n\n\n\nb\tO")
    assert read_conll(path) == [Sentence(("A",), (Span(0, 1, "PER"),)), Sentence(("b",))]


def test_conll_without_tags(tmp_path):
    path = write(tmp_path / "tokens.conll", "Hola\nmundo\n\nAdiós\n")
    assert read_conll(path, require_tags=False) == [Sentence(("Hola", "mundo")), Sentence(("Adiós",))]
    err = corpus_error(read_conll, path)
    assert_names(err, path, 1, "found one column")


def test_tokenised_text_round_trip(tmp_path):
    path = write(tmp_path / "target.txt", "Juan  Pérez visitó\tNueva York .\nLa UE y la ONU .\n")
    sentences = read_text(path)
    assert [s.tokens for s in sentences] == [
        ("Juan", "Pérez", "visitó", "Nueva", "York", "."),
        ("La", "UE", "y", "la", "ONU", "."),
    ]
    assert all(not s.spans for s in sentences)
    out = tmp_path / "again.txt"
    write_text(out, sentences)
    assert out.read_text(encoding="utf-8") == "Juan Pérez visitó Nueva York .\nLa UE y la ONU .\n"
    assert read_text(out) == sentences


def test_tokenised_text_empty_line_is_an_error(tmp_path):
    path = write(tmp_path / "gap.txt", "una frase\n\notra frase\n")
    assert_names(corpus_error(read_text, path), path, 2, "empty line")


def test_read_sentences_tells_conll_from_text(tmp_path):
    conll = write(tmp_path / "a.conll", conll_text("IOB2"))
    one_column = write(tmp_path / "b.conll", "Hola\nmundo\n\nAdiós\n")
    text = write(tmp_path / "c.txt", "Hola mundo\nAdiós\n")
    one_word_lines = write(tmp_path / "d.txt", "Hola\nAdiós\n")
    assert looks_like_conll(conll) and looks_like_conll(one_column)
    assert not looks_like_conll(text) and not looks_like_conll(one_word_lines)
    assert [list(s.spans) for s in read_sentences(conll)] == SPANS
    assert read_sentences(one_column) == [Sentence(("Hola", "mundo")), Sentence(("Adiós",))]
    assert read_sentences(text) == [Sentence(("Hola", "mundo")), Sentence(("Adiós",))]
    assert read_sentences(one_word_lines) == [Sentence(("Hola",)), Sentence(("Adiós",))]


def test_read_parallel_with_text_target(tmp_path):
    source = write(tmp_path / "en.conll", conll_text("BIOES"))
    target = write(tmp_path / "es.txt", "John Smith visitó Nueva York .\nLa UE y la ONU se reunieron .\n")
    pairs = read_parallel(source, target)
    assert len(pairs) == 2
    assert list(pairs[0].source.spans) == SPANS[0]
    assert pairs[1].target.tokens == ("La", "UE", "y", "la", "ONU", "se", "reunieron", ".")
    assert pairs[1].target.spans == ()


def test_read_parallel_sentence_count_mismatch(tmp_path):
    source = write(tmp_path / "en.conll", conll_text("IOB2"))
    target = write(tmp_path / "es.txt", "una sola frase\n")
    err = corpus_error(read_parallel, source, target)
    assert_names(err, target, None, "has 1 sentences", f"{source} has 2")


def test_pharaoh_round_trip(tmp_path):
    # Empty alignments in the middle and at the end are lines of their own.
    alignments = [
        Alignment.from_pairs([(0, 0), (1, 1), (2, 1), (10, 12)]),
        Alignment(),
        Alignment.from_pairs([(3, 0)]),
        Alignment(),
    ]
    path = tmp_path / "links.talp"
    write_pharaoh(path, alignments)
    assert path.read_text(encoding="utf-8") == "0-0 1-1 2-1 10-12\n\n3-0\n\n"
    assert read_pharaoh(path) == alignments


def test_pharaoh_checked_against_the_corpus(tmp_path):
    pairs = [
        SentencePair(Sentence(("a", "b")), Sentence(("x", "y", "z"))),
        SentencePair(Sentence(("c",)), Sentence(("w",))),
    ]
    good = write(tmp_path / "good.talp", "0-0 1-2\n0-0\n")
    assert read_pharaoh(good, pairs) == [Alignment.from_pairs([(0, 0), (1, 2)]), Alignment.from_pairs([(0, 0)])]
    # Target index 3 is one past the three target words of pair 1.
    bad_target = write(tmp_path / "bad_target.talp", "0-0 1-3\n0-0\n")
    assert_names(
        corpus_error(read_pharaoh, bad_target, pairs),
        bad_target,
        1,
        "link 1-3 is outside",
        "2 source and 3 target tokens",
    )
    # Source index 1 is past the one source word of pair 2.
    bad_source = write(tmp_path / "bad_source.talp", "0-0\n1-0\n")
    assert_names(corpus_error(read_pharaoh, bad_source, pairs), bad_source, 2, "link 1-0 is outside")
    short = write(tmp_path / "short.talp", "0-0\n")
    assert_names(
        corpus_error(read_pharaoh, short, pairs), short, None, "has 1 lines but the corpus has 2 sentence pairs"
    )


@pytest.mark.parametrize("item", ["0:1", "a-1", "1-", "-1-2", "1-2-3", "1.0-2"])
def test_pharaoh_bad_link(tmp_path, item):
    path = write(tmp_path / "bad.talp", f"0-0\n0-0 {item}\n")
    assert_names(corpus_error(read_pharaoh, path), path, 2, repr(item), "is not a link")


def test_pharaoh_missing_file(tmp_path):
    path = tmp_path / "nowhere.talp"
    assert_names(corpus_error(read_pharaoh, path), path, None, "no such file")


# Bad input ------------------------------------------------------------------------


def test_wrong_column_count(tmp_path):
    path = write(tmp_path / "cols.conll", "John\tNNP\tB-PER\nSmith\tI-PER\n")
    assert_names(corpus_error(read_conll, path), path, 2, "expected 3 columns", "found 2")


def test_wrong_column_count_after_comments_and_blank_lines(tmp_path):
    path = write(tmp_path / "cols.conll", "# doc\n\nJohn\tB-PER\n\n-DOCSTART-\nSmith\tX\tI-PER\n")
    assert_names(corpus_error(read_conll, path), path, 6, "expected 2 columns", "found 3")


def test_invalid_tag(tmp_path):
    path = write(tmp_path / "tag.conll", "John\tB-PER\n\nin\tO\nParis\tB_LOC\n")
    assert_names(corpus_error(read_conll, path), path, 4, "invalid tag 'B_LOC'")


def test_inside_tag_that_continues_nothing(tmp_path):
    """A stray I- is an error on its own line, whether the scheme is given as IOB2 or
    detected (a B- after O shows the file is IOB2, not IOB1)."""
    path = write(tmp_path / "iob2.conll", "John\tB-PER\n\nin\tO\nParis\tI-LOC\n")
    assert_names(corpus_error(read_conll, path, scheme="IOB2"), path, 4, "'I-LOC'", "does not continue an entity")
    assert_names(corpus_error(read_conll, path), path, 4, "'I-LOC'", "does not continue an entity")


def test_iob1_file_without_b_after_o_is_read_as_iob1(tmp_path):
    path = write(tmp_path / "iob1.conll", "John\tI-PER\nSmith\tI-PER\nin\tO\nParis\tI-LOC\n")
    assert read_conll(path)[0].spans == (Span(0, 2, "PER"), Span(3, 4, "LOC"))


def test_bioes_entity_not_closed(tmp_path):
    path = write(tmp_path / "bioes.conll", "John\tS-PER\n\nNew\tB-LOC\nYork\tI-LOC\n.\tO\n")
    assert_names(corpus_error(read_conll, path), path, 4, "not closed by E-")


def test_non_utf8_names_the_line_of_the_bad_byte(tmp_path):
    path = tmp_path / "latin1.conll"
    path.write_bytes("John\tB-PER\n\nvisitó\tO\n".encode() + "Bogotá\tB-LOC\n".encode("latin-1"))
    assert_names(corpus_error(read_conll, path), path, 4, "not valid UTF-8", "0xe1")


def test_non_utf8_in_tokenised_text(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"una frase\nJos\xe9 Mar\xeda\n")
    assert_names(corpus_error(read_text, path), path, 2, "not valid UTF-8", "0xe9")


@pytest.mark.parametrize("content", [b"", b"\n\n", b"  \t \n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.conll"
    path.write_bytes(content)
    for reader in (read_conll, read_text, read_sentences):
        assert_names(corpus_error(reader, path), path, None, "the file is empty")


def test_file_with_only_a_docstart_has_no_sentences(tmp_path):
    path = write(tmp_path / "docstart.conll", "-DOCSTART- O\n\n")
    assert_names(corpus_error(read_conll, path), path, None, "no sentences found")


def test_missing_file_and_directory(tmp_path):
    missing = tmp_path / "missing.conll"
    assert_names(corpus_error(read_conll, missing), missing, None, "no such file")
    assert_names(corpus_error(read_parallel, missing, missing), missing, None, "no such file")
    assert_names(corpus_error(read_conll, tmp_path), tmp_path, None, "is a directory")


def test_missing_target_in_read_parallel(tmp_path):
    source = write(tmp_path / "en.conll", conll_text("IOB2"))
    target = tmp_path / "es.conll"
    assert_names(corpus_error(read_parallel, source, target), target, None, "no such file")


def test_write_conll_refuses_overlapping_spans(tmp_path):
    sentence = Sentence(("a", "b", "c"), (Span(0, 2, "PER"), Span(1, 3, "LOC")))
    with pytest.raises(ValueError, match="overlaps"):
        write_conll(tmp_path / "x.conll", [sentence])
    assert not (tmp_path / "x.conll").exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_shared_corpus_round_trips_byte_for_byte(europarl):
    """The shared gold corpus is IOB2 and tab-separated: reading and writing it again
    gives the very same text, and the two sides pair up sentence by sentence."""
    for side in ("en", "es"):
        path = europarl / f"{side}.conll"
        sentences = read_conll(path)
        assert len(sentences) == 799
        assert format_conll(sentences) == path.read_text(encoding="utf-8")
    pairs = read_parallel(europarl / "en.conll", europarl / "es.conll")
    assert len(pairs) == 799
    assert sum(len(p.source.spans) for p in pairs) > 600
    assert sum(len(p.target.spans) for p in pairs) > 600


# Line numbering edge cases --------------------------------------------------------


def test_non_utf8_after_a_byte_order_mark_names_the_right_line_and_byte(tmp_path):
    # The bad byte 0xff opens line 4; the three BOM bytes must not shift it.
    path = tmp_path / "bom.conll"
    path.write_bytes(b"\xef\xbb\xbfa\tO\n\nb\tO\n\xffc\tO\n")
    assert_names(corpus_error(read_conll, path), path, 4, "not valid UTF-8", "0xff")


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0c", "\x1e"])
def test_unicode_line_separators_do_not_break_lines(tmp_path, separator):
    """Only LF, CRLF and CR end a line: a token holding another separator stays on its
    line, and later line numbers are those a text editor shows."""
    conll = write(tmp_path / "sep.conll", f"a{separator}b\tO\nc\tO\n\nd\tX\n")
    assert_names(corpus_error(read_conll, conll), conll, 4, "invalid tag 'X'")
    text = write(tmp_path / "sep.txt", f"a b{separator}c\nd e\n")
    assert len(read_text(text)) == 2
    pharaoh = write(tmp_path / "sep.talp", f"0-0{separator}1-1\n2-2\n")
    assert len(read_pharaoh(pharaoh)) == 2


def test_old_mac_line_endings(tmp_path):
    path = tmp_path / "cr.conll"
    path.write_bytes(b"John\tB-PER\rSmith\tI-PER\r\rParis\tB-LOC\r")
    assert read_conll(path) == [
        Sentence(("John", "Smith"), (Span(0, 2, "PER"),)),
        Sentence(("Paris",), (Span(0, 1, "LOC"),)),
    ]


def test_pharaoh_non_utf8_names_the_line(tmp_path):
    path = tmp_path / "bad.talp"
    path.write_bytes(b"0-0\n0-0 1-\xe91\n")
    assert_names(corpus_error(read_pharaoh, path), path, 2, "not valid UTF-8", "0xe9")


def test_pharaoh_byte_order_mark_and_crlf(tmp_path):
    path = tmp_path / "bom.talp"
    path.write_bytes(b"\xef\xbb\xbf0-0 1-1\r\n2-0\r\n")
    assert read_pharaoh(path) == [Alignment.from_pairs([(0, 0), (1, 1)]), Alignment.from_pairs([(2, 0)])]


@pytest.mark.parametrize("item", ["1-\u00b2", "\u0661-1", "\uff11-1"])
def test_pharaoh_non_ascii_digits_are_bad_links(tmp_path, item):
    # Superscript two, Arabic-Indic one and fullwidth one pass str.isdigit().
    path = write(tmp_path / "digits.talp", f"{item}\n")
    assert_names(corpus_error(read_pharaoh, path), path, 1, "is not a link")


def test_space_separated_conll_target_in_read_parallel(tmp_path):
    """The CoNLL-2003 layout (space-separated columns, tag last) is CoNLL on the target
    side too, with -DOCSTART- and comment lines, not tokenised text."""
    source = write(tmp_path / "en.conll", conll_text("IOB2"))
    target = write(
        tmp_path / "es.conll", "-DOCSTART- -X- -X- O\n\n# doc 1\n" + conll_text("IOB1", extra_columns=2, sep=" ")
    )
    assert looks_like_conll(target)
    pairs = read_parallel(source, target)
    assert [list(p.target.spans) for p in pairs] == SPANS
    assert [list(p.target.tokens) for p in pairs] == TOKENS


def test_text_with_a_stray_blank_line_is_still_text(tmp_path):
    path = write(tmp_path / "es.txt", "Hola mundo\n\nAdiós amigos\n")
    assert not looks_like_conll(path)
    assert_names(corpus_error(read_sentences, path), path, 2, "empty line")


def test_pharaoh_weights_round_trip(tmp_path):
    alignment = Alignment.from_pairs([(0, 0), (1, 2), (2, 1)], {(1, 2): 0.4, (2, 1): 0.9})
    path = tmp_path / "weighted.pharaoh"
    write_pharaoh(path, [alignment])
    assert path.read_text() == "0-0 1-2:0.4 2-1:0.9\n"
    (read,) = read_pharaoh(path)
    assert read.weight_map() == {(0, 0): 1.0, (1, 2): 0.4, (2, 1): 0.9}
    write_pharaoh(path, [alignment], weights=False)
    assert path.read_text() == "0-0 1-2 2-1\n"


@pytest.mark.parametrize("item", ["0-1:0", "0-1:1.5", "0-1:x", "0-1:"])
def test_pharaoh_bad_weight(tmp_path, item):
    path = write(tmp_path / "bad.pharaoh", f"0-0\n1-1 {item}\n")
    assert_names(corpus_error(read_pharaoh, path), path, 2, repr(item), "a weight is a number in (0, 1]")


# Tokens that start with "#" ----------------------------------------------------------


def test_hashtag_tokens_in_a_tokens_only_file_are_tokens(tmp_path):
    """#MeToo at the start of a sentence and inside it is a token; "# a note" cannot be a
    one-column token and "#" alone before a sentence is the bare comment form."""
    path = write(tmp_path / "tweets.conll", "# sent_id = 1\n#MeToo\nmarcha\n#8M\n\n#\n# a note\n#hoy\n#\nsí\n")
    sentences = read_conll(path, require_tags=False)
    assert [s.tokens for s in sentences] == [("#MeToo", "marcha", "#8M"), ("#hoy", "#", "sí")]
    assert read_sentences(path) == sentences


def test_hashtag_tokens_with_tags_are_tokens(tmp_path):
    text = "# text = #MeToo en Madrid\n#MeToo\tB-MISC\nen\tO\nMadrid\tB-LOC\n\n#note\n# another note\nSí\tO\n"
    sentences = read_conll(write(tmp_path / "tagged.conll", text))
    assert sentences == [
        Sentence(("#MeToo", "en", "Madrid"), (Span(0, 1, "MISC"), Span(2, 3, "LOC"))),
        Sentence(("Sí",)),
    ]


def test_hashtag_token_in_space_separated_conll(tmp_path):
    path = write(tmp_path / "spaces.conll", "-DOCSTART- -X- O\n\n#MeToo NNP B-MISC\nsí RB O\n")
    assert read_conll(path) == [Sentence(("#MeToo", "sí"), (Span(0, 1, "MISC"),))]


def test_hashtag_target_keeps_its_tokens_in_read_parallel(tmp_path):
    source = write(tmp_path / "en.conll", "#MeToo\tB-MISC\nmarches\tO\n\nYes\tO\n")
    target = write(tmp_path / "es.conll", "#MeToo\nmarcha\n\nSí\n")
    pairs = read_parallel(source, target)
    assert [p.target.tokens for p in pairs] == [("#MeToo", "marcha"), ("Sí",)]


# Files that are not UTF-8 text ----------------------------------------------------------


def test_binary_file_names_the_line_of_its_nul_byte(tmp_path):
    path = tmp_path / "data.conll"
    path.write_bytes(b"Paris\tB-LOC\n\n\x00\x01\x02")
    for reader in (read_conll, read_text, read_sentences, read_pharaoh):
        assert_names(corpus_error(reader, path), path, 3, "binary file")


def test_utf16_file_is_named_as_such(tmp_path):
    path = tmp_path / "utf16.conll"
    path.write_bytes("Paris\tB-LOC\n".encode("utf-16"))
    assert_names(corpus_error(read_conll, path), path, 1, "UTF-16", "UTF-8")


# Writing ----------------------------------------------------------------------------------


@pytest.fixture
def umask():
    """Set the umask for one test and restore it afterwards."""
    saved = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(saved)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_written_files_get_the_permissions_of_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    sentence = Sentence(("Paris",), (Span(0, 1, "LOC"),))
    write_conll(tmp_path / "a.conll", [sentence])
    write_pharaoh(tmp_path / "a.pharaoh", [Alignment.from_pairs([(0, 0)])])
    write_text(tmp_path / "a.txt", [sentence])
    write_file(tmp_path / "report.json", "{}\n")
    for name in ("a.conll", "a.pharaoh", "a.txt", "report.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode, name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.conll", "a.pharaoh", "a.txt", "report.json"]


def test_a_replaced_file_keeps_its_permissions(tmp_path, umask):
    path = tmp_path / "shared.conll"
    path.write_text("old\n")
    path.chmod(0o640)
    write_file(path, "new\n")
    assert path.read_text() == "new\n" and stat.S_IMODE(path.stat().st_mode) == 0o640


def test_writing_creates_missing_folders_and_refuses_a_folder(tmp_path):
    write_file(tmp_path / "new" / "deeper" / "out.conll", "x\n")
    assert (tmp_path / "new" / "deeper" / "out.conll").read_text() == "x\n"
    assert_names(corpus_error(write_file, tmp_path / "new", "x\n"), tmp_path / "new", None, "is a folder")
    blocker = write(tmp_path / "file", "")
    assert_names(
        corpus_error(write_file, blocker / "out.conll", "x\n"), blocker / "out.conll", None, "is a file, not a folder"
    )


def test_writing_through_a_link_writes_the_file_it_points_to(tmp_path):
    real = write(tmp_path / "real.conll", "old\n")
    (tmp_path / "link.conll").symlink_to(real)
    write_file(tmp_path / "link.conll", "new\n")
    assert (tmp_path / "link.conll").is_symlink() and real.read_text() == "new\n"
