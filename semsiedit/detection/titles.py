"""A person title followed by a proper noun is a person: "Dr. Okafor", "Councilman Farraday",
"Mr Simon Ashworth", "Herr Haßler".

Token based, on the spaCy parse the engine already made: the word after the title must be tagged as a
singular proper noun (so a headline's "Councilman Accused of ..." is not a name) and not be a stop
word or a listed non-name. Titles are listed in data/lexicons/names.json.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from semsiedit.detection.names import is_title, not_names, person, scan_name
from semsiedit.spacy_components import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from semsiedit.types import Finding

SOURCE = "semsi-title"
_NAME_TAGS = ("NNP", "NNPS")


def _name_token(tok: Token) -> bool:
    return tok.tag_ == "NNP" and not tok.is_stop and tok.text.lower() not in not_names()


def find_titled_names(doc: Doc, offset: int = 0) -> list[Finding]:
    out: list[Finding] = []
    text = doc_text(doc)
    for tok in doc[:-1]:
        if not is_title(tok.text) or not tok.text[0].isupper():
            continue
        nxt = doc[tok.i + 1]
        bare = tok.text.rstrip(".")
        if bare.isupper() and len(bare) > 1 and (tok.text.endswith(".") or nxt.text == "."):
            continue  # "Warehouse Operative, Leicester DC. Ravi has ...": a rank's letters take no full stop
        if nxt.text == "." and tok.i + 2 < len(doc):  # "Dr" "." split by the tokenizer
            nxt = doc[tok.i + 2]
        if "\n" in text[tok.idx : nxt.idx] or not _name_token(nxt):
            continue
        name = scan_name(text, tok.idx)
        if name is None or name.title is None:
            continue
        # The parse decides where the name stops: proper nouns, initials and hyphens belong to it.
        end = name.end
        for t in doc[nxt.i + 1 :]:
            if t.idx >= name.end:
                break
            if t.tag_ not in (*_NAME_TAGS, "HYPH") and not t.text.endswith("."):
                end = len(text[: t.idx].rstrip())
                break
        if end <= nxt.idx:
            continue
        f = person(text, name.start, end, SOURCE, "name after a person title", 0.85)
        f.start, f.end = f.start + offset, f.end + offset
        out.append(f)
    return out
