"""spaCy pipeline components semsiedit adds to the model's own (models.load_spacy).

`line_sentences` (before the parser): a line break that `text.split_sentences` calls a sentence
boundary starts a sentence for the parser too. The parser alone runs a form's fields, a list's items
and a chat log's lines into one sentence ("dan.k: yep breast cancer, stage 3. don't say anything, he
told me"), and a subject from another line then decides whose a term is; hard-wrapped prose ("…
pending a\nGMC investigation") stays one sentence, as the splitter keeps it.

`entities_per_line` (after the NER): the small English NER sometimes runs an entity across a line
break ("Olamide Bakare\\n\\nOlamide Bakare" tagged as one ORG, a letter's heading joined to its first
word). A break that ends a sentence separates fields, headings and paragraphs, so an entity that
crosses one is two things: it is cut there into the pieces that hold words, each keeping the label
(a break that only hard-wraps a sentence is kept: "taken to Leicester\\nRoyal Infirmary"). A piece
that is not the label's kind is then corrected like any other NER mistake (the first-name and
person-filter recognizers), which a single span across two lines never was.

Both read the same sentence bounds (`sentence_bounds`), which detection.clauses reuses.
"""

from __future__ import annotations

from typing import Any

ENTITIES_PER_LINE = "semsiedit_entities_per_line"
LINE_SENTENCES = "semsiedit_line_sentences"


def doc_text(doc: Any) -> str:
    """`doc.text`, kept in `doc.user_data`: spaCy's property joins every token on each access, and a
    dozen recognizers read it per document (8% of detection's time on the dev answers, profiled)."""
    text = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.user_data[_TEXT] = doc.text
    return text


def sentence_bounds(doc: Any) -> list[tuple[int, int]]:
    """`text.split_sentences` of the doc's text, computed once per doc (kept in `doc.user_data`)."""
    bounds = doc.user_data.get(_SENTENCES)
    if bounds is None:
        from semsiedit.text import split_sentences

        bounds = doc.user_data[_SENTENCES] = split_sentences(doc_text(doc))
    return bounds


_SENTENCES = "semsiedit.sentences"
_TEXT = "semsiedit.text"


def start_sentences_at_line_breaks(doc: Any) -> Any:
    """Mark the first word after a line break that ends a sentence as a sentence start."""
    if "\n" not in doc_text(doc):
        return doc
    import numpy as np
    from spacy.attrs import IDX

    # Only the tokens that start a sentence are looked at: a Token object per word was most of the cost.
    offsets = doc.to_array(IDX)
    for start, _ in sentence_bounds(doc):
        i = int(np.searchsorted(offsets, start))
        if i < 1 or i >= len(doc) or offsets[i] != start:
            continue
        tok, before = doc[i], doc[i - 1]
        if not tok.is_space and ((before.is_space and "\n" in before.text) or before.whitespace_ == "\n"):
            tok.is_sent_start = True
    return doc


def _line_break(token: Any) -> bool:
    return token.is_space and "\n" in token.text


def _column_gap(token: Any) -> bool:
    """A run of spaces or a tab inside a line (spaCy makes it a token of its own): a form's columns."""
    return token.is_space and "\n" not in token.text


def _spaced_dash(doc: Any, i: int) -> bool:
    """A dash with a space on both sides: a separator between fields, never inside a name."""
    tok = doc[i]
    return tok.text in ("-", "–", "—") and i > 0 and bool(tok.whitespace_) and bool(doc[i - 1].whitespace_)


def split_at_line_breaks(doc: Any) -> Any:
    """doc.ents with every entity that crosses a line break, a spaced dash or a column gap cut there
    (space-only and dash-only pieces dropped).

    Not a break that hard-wraps a sentence ("taken to Leicester\nRoyal Infirmary"): only one where
    `text.split_sentences` ends a sentence, as the parser was told (`start_sentences_at_line_breaks`)."""
    from spacy.tokens import Span

    if not any(_line_break(t) or _spaced_dash(doc, t.i) or _column_gap(t) for ent in doc.ents for t in ent):
        return doc
    starts = {s for s, _ in sentence_bounds(doc)}

    def cut(i: int) -> bool:
        if _spaced_dash(doc, i) or _column_gap(doc[i]):
            return True  # "Grievance - Marcus Ellery", "reg. CF19 XKR      Date of incident": fields, not one name
        return _line_break(doc[i]) and (i + 1 >= len(doc) or doc[i + 1].idx in starts)

    ents = []
    for ent in doc.ents:
        if not any(cut(t.i) for t in ent):
            ents.append(ent)
            continue
        start = ent.start
        for i in range(ent.start, ent.end + 1):
            if i == ent.end or cut(i):
                piece = [t for t in doc[start:i] if not t.is_space and not _spaced_dash(doc, t.i)]
                if piece:
                    ents.append(Span(doc, piece[0].i, piece[-1].i + 1, label=ent.label))
                start = i + 1
    doc.ents = ents
    return doc


def add_components(nlp: Any) -> None:
    """Register the components and add each to a loaded pipeline that has its neighbour (idempotent)."""
    from spacy.language import Language

    if ENTITIES_PER_LINE not in Language.factories:
        Language.component(ENTITIES_PER_LINE, func=split_at_line_breaks)
    if LINE_SENTENCES not in Language.factories:
        Language.component(LINE_SENTENCES, func=start_sentences_at_line_breaks)
    if "parser" in nlp.pipe_names and LINE_SENTENCES not in nlp.pipe_names:
        nlp.add_pipe(LINE_SENTENCES, before="parser")
    if "ner" in nlp.pipe_names and ENTITIES_PER_LINE not in nlp.pipe_names:
        nlp.add_pipe(ENTITIES_PER_LINE, after="ner")
    split_full_stop_after_digit_and_capital(nlp)


# "… had just switched on 5G. Many people reported …": spaCy's suffix rules leave a full stop after a
# capital on the word (an initial's: "Person A."), so "5G." stayed one token, the sentence ran on into
# the next, and a claim took the next sentence's attribution cue ("reported") for its own.
_DIGIT_CAPITAL_STOP = r"(?<=[0-9][A-Z])\.|(?<=[0-9][A-Z]{2})\."


def split_full_stop_after_digit_and_capital(nlp: Any) -> None:
    """A full stop after a digit and one or two capitals ("5G.", "3D.", "4WD.") is a token of its own
    (added to the language's default suffixes, once per pipeline)."""
    from spacy.util import compile_suffix_regex

    current = getattr(nlp.tokenizer.suffix_search, "__self__", None)
    if current is not None and _DIGIT_CAPITAL_STOP in current.pattern:
        return
    suffixes = list(nlp.Defaults.suffixes or ())
    nlp.tokenizer.suffix_search = compile_suffix_regex([*suffixes, _DIGIT_CAPITAL_STOP]).search
