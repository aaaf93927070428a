"""The spaCy stand-ins (semsiedit/spacy_speedups.py) annotate exactly as spaCy's own components."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from semsiedit.models import load_spacy, resolve_spacy_model
from semsiedit.spacy_components import add_components
from semsiedit.spacy_speedups import speed_up

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

# The attribute ruler's multi-token rules and exceptions ("ain't", "gonna", "y'all", "let's",
# "c'mon", "there is", "gets"/"got"), spaces, and the lemmatizer's exceptions and rules.
TRICKY = (
    "Y'all ain't gonna believe it, let's go. C'mon, there is a cat and there's a dog.  \n\n"
    "I gotta go; he gets it, she got it, they were running and the mice ran. Ain't that right? "
    "The children's geese wolves; better, best, worse. Dr. O'Neill (MRN 1234) isn't here."
)


def _annotations(nlp, texts: list[str]) -> list[list[tuple[str, ...]]]:
    return [
        [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.ent_type_) for t in doc]
        for doc in nlp.pipe(texts)
    ]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    found = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    assert found, "the samples folder is part of the repository"
    return [TRICKY, *found]


def test_sped_up_pipeline_annotates_exactly_as_spacy(texts: list[str]) -> None:
    plain = spacy.load(resolve_spacy_model("en_core_web_sm"))
    add_components(plain)  # our own entity component, tested below; here only the stand-ins differ
    fast = load_spacy("en_core_web_sm")
    assert fast is not plain
    expected = _annotations(plain, texts)
    # Twice: the second pass runs from the lemma cache.
    assert _annotations(fast, texts) == expected
    assert _annotations(fast, texts) == expected


def test_both_components_are_replaced_on_the_default_model() -> None:
    nlp = spacy.load(resolve_spacy_model("en_core_web_sm"))
    assert speed_up(nlp) == ["gemm", "attribute_ruler", "lemmatizer"]


def test_a_rule_the_matcher_cannot_reproduce_keeps_spacys_code() -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "a", "OP": "+"}]], {"TAG": "DT"})
    assert speed_up(nlp) == []
    assert [t.tag_ for t in nlp("a a b")] == ["DT", "DT", ""]


def test_no_entity_crosses_a_line_break_that_ends_a_sentence() -> None:
    nlp = load_spacy("en_core_web_sm")
    assert "semsiedit_entities_per_line" in nlp.pipe_names
    text = "Olamide Bakare\n\nOlamide Bakare is a nurse.\nAcme Ltd\nJohn wrote."
    doc = nlp(text)
    assert doc.ents, "the model finds entities here"
    assert all("\n" not in e.text and e.text == e.text.strip() for e in doc.ents), doc.ents
    # The plain model joins the two lines; the pieces keep its label.
    plain = spacy.load(resolve_spacy_model("en_core_web_sm"))(text)
    joined = [e for e in plain.ents if "\n" in e.text]
    if joined:
        assert any(e.text == "Olamide Bakare" and e.label_ == joined[0].label_ for e in doc.ents)


def test_the_parser_starts_a_sentence_where_a_line_ends_one() -> None:
    nlp = load_spacy("en_core_web_sm")
    chat = "[09:15] dan.k: yeah. apparently his team is going\n[09:16] jess_m: omg. is his wife ok\nMeeting date: 1 Oct"
    starts = {s.start_char for s in nlp(chat).sents}
    assert {chat.index("[09:16]"), chat.index("Meeting")} <= starts, [s.text for s in nlp(chat).sents]
    # Hard-wrapped prose stays one sentence: the line stops on an article, or a long line goes on.
    wrapped = ("Dr. Anil Varghese, a consultant cardiologist, was suspended in May pending a\nGMC investigation. "
               "He also mentioned that he had been a member of the Jehovah's\nWitnesses since he was a boy.")
    assert [s.text for s in nlp(wrapped).sents] == [wrapped[: wrapped.index(" He")], wrapped[wrapped.index("He") :]]
