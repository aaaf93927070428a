"""Which findings the local editor edits, and where a table term applies: a "name" that is a common
noun or part of an organisation's name, a statement the text already attributes or rejects, a group
word or term that continues a proper name, a term used in a non-sensitive sense. The operators
(pseudonymise, generalise, attribute, suppress) only see what passes here."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from semsiedit.detection.lexicon import other_sense
from semsiedit.editing.attribute import attributed, said_to_be_unproven
from semsiedit.editing.surrogates import canonical_label
from semsiedit.types import Edit, Finding
from semsiedit.verify import check_form, org_name_end


def other_sense_term(text: str, start: int, end: int, category: str = "harmful") -> bool:
    """A table term used in a sense its category's detector knows is not sensitive ("the double charge"
    on a card is no criminal charge, "COVID-19 lockdown restrictions" no one's illness): the lexicon's
    `not_senses`, so detection and editing agree."""
    return other_sense("privacy" if category.startswith("privacy") else "harmful", text, start, end)


def known_name_words(findings: list[Finding]) -> set[str]:
    """Words of the multi-word person names found in the document ("Evelyn", "Marchetti")."""
    words: set[str] = set()
    for f in findings:
        if f.category == "pii" and canonical_label(f.label) == "PERSON" and len(f.text.split()) > 1:
            words.update(w.strip(".,;:'’").lower() for w in f.text.split())
    return words


def whole_organisation(text: str, f: Finding, known: set[str]) -> Finding:
    """"Harcourt & Lyle Solicitors" after "Rebecca Harcourt": the organisation's whole name, not the
    surname inside it (organisation names are replaced whole or not at all)."""
    if f.category != "pii" or canonical_label(f.label) != "PERSON" or f.text.strip().lower() not in known:
        return f
    end = org_name_end(text, f.end)
    if end is None:
        return f
    return replace(f, end=end, text=text[f.start : end], label="ORGANIZATION")


def not_a_name(text: str, f: Finding, known: set[str] = frozenset()) -> bool:  # type: ignore[assignment]
    """A PERSON finding in a common-noun slot ("ein widerlicher Typ") or inside an organisation's name.

    A word of a full name found elsewhere in the document is that person, whatever stands before it
    ("The next day Marchetti said" after "Senator Evelyn Marchetti")."""
    if f.category != "pii" or canonical_label(f.label) != "PERSON":
        return False
    if len(f.text.split()) == 1 and f.text.strip(".,;:'’").lower() in known:
        return False
    reason = check_form(text, Edit(f.start, f.end, f.text, "Person A", strategy="pseudonym"))
    return reason is not None and "name" in reason


def group_word_in_a_name(text: str, f: Finding) -> bool:
    """A group word (NRP) that is part of a proper name: "Baylor Scott & White", "Jack White"."""
    if f.category != "pii" or canonical_label(f.label) != "NRP":
        return False
    return in_a_name(text, f.start, after_a_name=True)


def in_a_name(text: str, start: int, *, after_a_name: bool = False) -> bool:
    """Whether a capitalised word at `start` continues a proper name: after "&" ("Baylor Scott &
    White"), or, with `after_a_name`, after a capitalised word that does not open the sentence ("Jack
    White"; not for table terms: "a Catholic Democrat" is two attributes, not a name)."""
    if not text[start : start + 1].isupper():
        return False
    before = text[max(0, start - 40) : start]
    if re.search(r"&[ \t]*$", before):
        return True
    if not after_a_name:
        return False
    prev = re.search(r"(?<![\w'’.-])([A-Z][a-z]+)[ \t]+$", before)
    if prev is None:
        return False
    lead = before[: prev.start(1)].rstrip()
    return bool(lead) and lead[-1] not in ".!?:\n\"“"


def already_attributed(text: str, f: Finding, profile: str = "record") -> bool:
    """A harmful or unverified statement the text already attributes ("A flyer claimed that ...") or
    already says is unproven ("There is no evidence that ...", "None of the claims have been
    verified"): not stated as fact, nothing to hedge (a privacy finding on it still applies).

    In public text a privacy statement that the text calls false or denies ("Some people falsely
    believe she was arrested ..., but she was never charged") reveals nothing about the person:
    rewriting it only broke the correction. (Reported speech still reveals: "Reports say X was
    diagnosed with ..." is edited.)"""
    start = max(text.rfind("\n", 0, f.start), text.rfind(". ", 0, f.start)) + 1
    if f.category == "privacy" and profile == "public":
        return said_to_be_false(text, f.start, f.end) or bool(_DENIED.search(f.text))
    if f.category not in ("harmful", "misinformation"):
        return False
    # "Some fans believe that X is a lizard, and he is a greedy sociopath": the attribution does not
    # reach past a coordinated clause with a subject of its own.
    own = [m.end() for m in _OWN_CLAUSE.finditer(text, start, f.start)]
    if own:
        start = own[-1]
    # "X is a wife-beater and Y a liar, according to fans": an attribution closing the sentence covers it.
    stop = min((i for i in (text.find(". ", f.end), text.find("\n", f.end)) if i >= 0), default=len(text))
    trailing = bool(_TRAILING_ATTRIBUTION.search(text, f.end, stop + 1))
    return trailing or attributed(text[start : f.end]) or said_to_be_unproven(text, f.start, f.end)


_TRAILING_ATTRIBUTION = re.compile(
    r",[ \t]*(?:according to|(?:critics|fans|sources|reports|officials|rumou?rs|bloggers|tabloids)[ \t]+"
    r"(?:say|said|claim|claimed|allege|alleged))\b[^.!?\n]*[.!?]?$"
)


_OWN_CLAUSE = re.compile(r"(?:;|,[ \t]*(?:and|but|yet|while))[ \t]+(?=(?:he|she|they|it|we|I|[A-Z][\w'’-]+)\s)")


# The text rejects the claim outright (not merely hedges it: "reportedly diagnosed" still tells). "False"
# rejects only as a verdict on a claim ("the rumour is false", "false reports"), not in a deed ("making
# false statements to investigators").
_FALSE = re.compile(
    r"(?<![\w'’-])(?:falsely|(?:is|are|was|were|be|been|proved|proven) (?:\w+ )?false|untrue|not true|"
    r"false (?:claims?|rumou?rs?|reports?|allegations?|stor(?:y|ies)|information|narratives?|accusations?)|"
    r"(?:no|without) (?:[\w-]+ ){0,2}(?:evidence|proof)|debunked|baseless|unfounded|"
    r"(?:common )?(?:myth|misconception)|never|"
    r"(?:has|have|had)(?: always| repeatedly| consistently| strongly| flatly)? denied|"
    r"(?:always|repeatedly|flatly) denie[sd])"
    r"(?![\w'’-])",
    re.IGNORECASE,
)


def said_to_be_false(text: str, start: int, end: int) -> bool:
    from semsiedit.text import paragraph_around, split_sentences

    base, stop = paragraph_around(text, start, end)
    return any(
        base + s < end and start < base + e and _FALSE.search(text, base + s, base + e)
        for s, e in split_sentences(text[base:stop])
    )


_DENIED = re.compile(r"(?<![\w'’-])(?:never|not|no longer|neither|nor)(?![\w'’-])|n[’']t(?![\w])", re.IGNORECASE)


# The person made it public: "publicly came out as gay in a 2014 essay", "the first openly gay CEO", "has
# spoken openly about being abused as a child", "revealed in her memoir", "In a 2021 interview ... said she".
_DISCLOSED = re.compile(
    r"(?<![\w'’-])(?:(?:publicly |openly )?(?:came|comes|coming) out(?: publicly)? as|"
    r"publicly (?:disclosed|revealed|announced|acknowledged|discussed|shared|expressed|professed)|"
    r"(?:expressed|professed|spoken of|talked about) (?:his|her|their) (?:faith|beliefs?)(?: [\w ]{0,30}?)? publicly|"
    r"openly (?:gay|lesbian|bisexual|trans\w*|queer|autistic)|"
    r"(?:has|have|had)(?: also| often| repeatedly)? (?:spoken|written|talked) (?:openly|publicly) about|"
    r"(?:spoke|wrote|talked) (?:openly|publicly) about|"
    r"(?:has|have|had) (?:spoken|talked|written) (?:openly |publicly )?about (?:how )?(?:his|her|their)|"
    r"(?:has|have|had)(?: also| always| long)? been (?:open|candid|vocal) about|"
    r"(?:is|are|was|were) (?:open|candid) about|"
    r"(?:she|he|they) (?:wrote|spoke|talked|blogged|posted) about|announced (?:his|her|their)|"
    r"announced (?:the|that) (?:diagnosis|condition|illness|news)(?: (?:herself|himself|themselves))?|"
    r"(?:she|he|they) (?:revealed|disclosed) (?:in (?:a|an|her|his|their) [\w-]+ )?that|"
    r"(?:she|he|they) (?:has|have|had) (?:said|stated|revealed|confirmed) (?:that )?(?:she|he|they)|"
    # "Meghan said she had ...": the person, by name (not "Investigators said he had", "Police said ...").
    r"(?-i:(?!Police|Staff|Media|Family|Someone|Everyone|Nobody|They|This|That|Her|His)[A-Z][a-z]+(?<!s)) "
    r"(?:said|told [\w ]{1,20}?|revealed|admitted) (?:that )?(?:she|he) (?:had|has|was|is)|"
    r"(?:revealed|disclosed|discussed|wrote about|written about|spoke about|spoken about) [^.!?\n]{0,40}?in "
    r"(?:his|her|their) "
    r"(?:memoir|autobiography|essay|podcast|documentary|book)|in (?:his|her|their) (?:memoir|autobiography)|"
    r"in an? (?:\d{4} )?(?:[\w-]+ ){0,2}interview[^.!?\n]{0,60}?\b(?:said|revealed|disclosed|told \w+))"
    r"(?![\w'’-])",
    re.IGNORECASE,
)


def publicly_disclosed(text: str, findings: Sequence[Finding]) -> list[Finding]:
    """In public text, the privacy findings of a kind the text says the person disclosed themselves: a
    public figure's own announcement is public knowledge, and rewriting it only broke the sentence ("the
    first openly CEO"). Every statement of that kind in the document goes with it ("Is it true that X is
    gay? Yes. X publicly came out as gay ...")."""
    privacy = [f for f in findings if f.category == "privacy"]
    disclosed: set[str] = set()
    own: list[Finding] = []
    for f in privacy:
        start = max(text.rfind("\n", 0, f.start), text.rfind(". ", 0, f.start), text.rfind("? ", 0, f.start)) + 1
        stops = [i for i in (text.find(". ", f.end), text.find("\n", f.end), text.find("?", f.end)) if i >= 0]
        stop = min(stops, default=len(text))
        if _DISCLOSED.search(text, start, stop):
            disclosed.add(f.label)
            own.append(f)
    # The other statements of a disclosed kind go with it ("Rishi Sunak is a practising Hindu … has
    # spoken about how his faith guides him").
    # Not an insult in those words ("he is a degenerate crackhead" beside "he has written openly about
    # his addiction"): that is a harmful statement to soften.
    harmful = [(h.start, h.end) for h in findings if h.category == "harmful"]
    others = [f for f in privacy if f.label in disclosed and f not in own]
    return own + [f for f in others if not any(a < f.end and f.start < b for a, b in harmful)]
