"""Sentence offsets, chunking and `<<<…>>>` markup (semsiedit.text). Pure string code: fast."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from semsiedit.text import (
    chunk_text,
    extract_marked_spans,
    locate,
    marked_span_texts,
    normalize_ws,
    sentences,
    split_sentences,
    stable_pieces,
)


def test_basic_sentences_and_offsets() -> None:
    text = "The patient arrived. She was tired! Was she? Yes."
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["The patient arrived.", "She was tired!", "Was she?", "Yes."]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Dr. Smith saw Mrs. Jones on Jan. 5. She paid $3.50 for it.",
            ["Dr. Smith saw Mrs. Jones on Jan. 5.", "She paid $3.50 for it."],
        ),
        ("Use a mild drug, e.g. Tylenol. It helps.", ["Use a mild drug, e.g. Tylenol.", "It helps."]),
        ("The U.S. Army said so. Others did not.", ["The U.S. Army said so.", "Others did not."]),
        ("J. R. R. Tolkien wrote it. See Fig. 3 for more.", ["J. R. R. Tolkien wrote it.", "See Fig. 3 for more."]),
        ("Rates rose 4.5% in 2020. They fell later.", ["Rates rose 4.5% in 2020.", "They fell later."]),
        ('He said "stop." Then he left.', ['He said "stop."', "Then he left."]),
        ("Apples, pears, etc. The list ends.", ["Apples, pears, etc.", "The list ends."]),
        ("Wait... What happened?", ["Wait...", "What happened?"]),
        ("it was fine. and then lower case continues.", ["it was fine. and then lower case continues."]),
    ],
)
def test_abbreviations_decimals_quotes(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_crlf_paragraphs_and_non_ascii() -> None:
    text = "Première ligne\r\nSecond line.\r\n\r\nÜber alles gut. Ñandú come. 東京は大きい。次の文。"
    spans = split_sentences(text)
    got = [text[s:e] for s, e in spans]
    assert got == ["Première ligne", "Second line.", "Über alles gut.", "Ñandú come.", "東京は大きい。", "次の文。"]
    for s, e in spans:
        assert "\r" not in text[s:e] and "\n" not in text[s:e]


def test_hard_wrapped_line_stays_one_sentence_and_lists_split() -> None:
    assert sentences("The patient was seen\nin the clinic today.") == ["The patient was seen\nin the clinic today."]
    assert sentences("Causes:\n1. Industrial pollution.\n2. Farm runoff.") == [
        "Causes:",
        "1. Industrial pollution.",
        "2. Farm runoff.",
    ]
    # A line that stops on an article or a preposition goes on, whatever case the next line opens with.
    assert sentences("He was suspended pending a\nGMC investigation. Staff were told.") == [
        "He was suspended pending a\nGMC investigation.",
        "Staff were told.",
    ]
    assert sentences("Olamide Bakare\nNurse, Ward 4") == ["Olamide Bakare", "Nurse, Ward 4"]


def test_empty_and_whitespace() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \r\n\t ") == []
    assert split_sentences("  One.  ") == [(2, 6)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab. !?\n\r\tÉé東。\"')Dr5")), max_size=80))
def test_sentence_offsets_property(text: str) -> None:
    spans = split_sentences(text)
    prev_end = 0
    covered = set()
    for s, e in spans:
        assert prev_end <= s < e <= len(text)
        chunk = text[s:e]
        assert chunk == chunk.strip() and chunk
        covered.update(range(s, e))
        prev_end = e
    # No character of content is ever dropped: everything outside the sentences is whitespace.
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


def _check_chunks(text: str, max_chars: int) -> list[tuple[int, int]]:
    chunks = chunk_text(text, max_chars)
    assert "".join(text[s:e] for s, e in chunks) == text
    pos = 0
    for s, e in chunks:
        assert s == pos and e > s
        assert e - s <= max_chars
        pos = e
    return chunks


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("abc .!?\n\r\téß東。x")), max_size=400),
    st.integers(min_value=1, max_value=60),
)
def test_chunk_text_property(text: str, max_chars: int) -> None:
    _check_chunks(text, max_chars)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("abc .!?\n\r\téß東。x")), max_size=600),
    st.integers(min_value=1, max_value=80),
)
def test_stable_pieces_cover_the_text(text: str, max_chars: int) -> None:
    pieces = stable_pieces(text, max_chars)
    assert "".join(text[s:e] for s, e in pieces) == text
    assert all(e - s <= max_chars for s, e in pieces)  # no unbreakable run in this alphabet is cut softly
    assert all(e > s for s, e in pieces)
    assert [s for s, _ in pieces] == [e for _, e in [(0, 0), *pieces[:-1]]][: len(pieces)]


def test_stable_pieces_resynchronise_after_an_edit() -> None:
    """An edit in one paragraph leaves the pieces away from it as they were, so their findings are reused."""
    paragraphs = [f"Paragraph {i} says something about item {i * 7919 % 1000}. " * (1 + i % 5) for i in range(300)]
    text = "\n\n".join(paragraphs)
    edited = text.replace(paragraphs[150], paragraphs[150].replace("Paragraph", "A longer rewritten paragraph"))
    before = {text[s:e] for s, e in stable_pieces(text, 2000)}
    after = {edited[s:e] for s, e in stable_pieces(edited, 2000)}
    assert len(before) > 20
    assert len(before - after) <= 3  # the edited piece and at most its neighbours


def test_chunk_prefers_paragraphs_then_sentences() -> None:
    para = "One sentence here. Another one follows."
    text = "\n\n".join([para] * 4)
    chunks = _check_chunks(text, 100)
    # Each chunk ends after a paragraph break (or at the end), never mid-paragraph.
    for s, e in chunks[:-1]:
        assert text[s:e].endswith("\n\n")
    long_para = " ".join(["A short sentence."] * 20)
    for s, e in _check_chunks(long_para, 60)[:-1]:
        assert long_para[s:e].rstrip().endswith(".")


def test_chunk_unbreakable_run_and_crlf() -> None:
    blob = "x" * 25
    assert _check_chunks(blob, 10) == [(0, 10), (10, 20), (20, 25)]
    text = "ab\r\ncd"  # a hard cut never separates CR from LF when it can avoid it
    for s, e in _check_chunks(text, 3):
        assert not text[s:e].endswith("\r") or e == len(text)
    assert chunk_text("", 10) == []
    assert chunk_text("short", 10) == [(0, 5)]
    with pytest.raises(ValueError):
        chunk_text("text", 0)


def test_extract_marked_spans() -> None:
    plain, spans = extract_marked_spans("He has <<<HIV>>> and <<<a criminal record>>>.")
    assert plain == "He has HIV and a criminal record."
    assert [plain[s:e] for s, e in spans] == ["HIV", "a criminal record"]


def test_extract_marked_spans_unbalanced() -> None:
    plain, spans = extract_marked_spans("a <<<b>>> c >>> d <<<e <<<f>>> g <<<tail")
    assert plain == "a b c  d e f g tail"
    assert [plain[s:e] for s, e in spans] == ["b", "e f", "tail"]
    assert extract_marked_spans("no marks") == ("no marks", [])
    assert extract_marked_spans("<<<>>>x") == ("x", [])
    assert marked_span_texts("<<< padded >>> and <<<  >>>") == ["padded"]


def test_locate_ignores_case_and_whitespace() -> None:
    text = "First part. \n\nMaria  Gonzalez was seen."
    span = locate(text, "maria gonzalez WAS")
    assert span is not None and text[span[0] : span[1]] == "Maria  Gonzalez was"
    assert locate(text, "absent") is None
    assert locate(text, "   ") is None
    assert locate(text, "First", start=1) is None
    assert normalize_ws(" a \r\n b\t") == "a b"


def test_in_full_names() -> None:
    from semsiedit.text import in_full_names

    text = "Senator Evelyn Marchetti spoke. The next day Marchetti left; a marchetti is not a name."
    assert in_full_names(text, "Marchetti") == [(8, 24)]
    assert in_full_names("The next day Marchetti left.", "Marchetti") == []


def test_a_line_ending_on_the_first_word_of_a_place_does_not_end_a_sentence() -> None:
    text = "He was convicted in New\nYork in 2020."
    assert [text[s:e] for s, e in split_sentences(text)] == [text]


def test_a_shortened_wrapped_line_still_continues_its_sentence() -> None:
    text = ("Martha Stewart was involved in a past legal matter in\n2004. She served five months at the Federal\n"
            "Prison Camp in Alderson.\nName: Jo Bloggs\nAddress: 1 High Street")  # fmt: skip
    pieces = [text[s:e] for s, e in split_sentences(text)]
    assert "She served five months at the Federal\nPrison Camp in Alderson." in pieces, pieces
    assert "Name: Jo Bloggs" in pieces and "Address: 1 High Street" in pieces, pieces
