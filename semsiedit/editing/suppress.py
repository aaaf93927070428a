"""Suppress: remove a value and leave a generic descriptor of the same grammatical form (noun phrase
for a noun phrase, adjective for an adjective, clause for a clause), from data/editing/suppress.json.

It is the last resort of every operator: a PII value with no safe surrogate, and an edit the verify
guard rejected as meaning-breaking (semsiedit/verify.py, `edit_form`).
"""

from __future__ import annotations

import re

from semsiedit.editing.surrogates import canonical_label, load_data

__all__ = ["descriptor", "noun_descriptor", "pii_descriptor", "stand_in"]


def descriptor(form: str, *, subject: str = "this person", plural: bool = False) -> str:
    """A generic stand-in of `form` ("np", "adj", "adj_predicative", "clause", "np_person")."""
    forms = load_data("suppress")["forms"]
    if form == "np" and plural:
        return forms["np_plural"]
    if form == "clause":
        has = "have" if subject.lower() in {"they", "we", "you", "i"} else "has"
        return forms["clause"].format(subject=subject, has=has)
    return forms.get(form, forms["np"])


def noun_descriptor(category: str) -> str:
    """A bare noun (no article) that can follow the text's own "a"/"an"."""
    nouns = load_data("suppress")["noun"]
    return nouns.get(category, nouns["_default"])


def stand_in(original: str, form: str, category: str) -> str:
    """The generic replacement of `original` in `form` (verify.edit_form) for a finding of `category`."""
    if form == "noun":
        noun = noun_descriptor(category)
        article = re.match(r"(?:a|an)\s+", original.strip(), re.IGNORECASE)
        if article:  # the edit took the article with it
            lead = "An" if original.strip()[0].isupper() else "an"
            return (lead if noun[0] in "aeiou" else lead[0]) + " " + noun
        return noun
    if form == "adj":
        return descriptor("adj")
    return descriptor("np")


def pii_descriptor(label: str) -> str:
    """The descriptor of a removed identifier of type `label` ("a phone number", "someone")."""
    label = canonical_label(label)
    if label == "PERSON":
        return descriptor("np_person")
    forms = load_data("surrogates")["descriptors"]
    return forms.get(label, forms["_default"])["np"]
