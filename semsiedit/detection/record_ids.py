"""HIPAA Safe Harbor identifiers that the other recognizers miss: ZIP codes and postcodes, dates with a
day in them (every date element but the year identifies), and ages over 89.

Whether they are edited is the protection profile's call (semsiedit/profile.py): under `public` a
date is kept; under `record` it is reduced to its year.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from semsiedit.detection.first_names import first_names
from semsiedit.detection.identifiers import is_calendar_date
from semsiedit.detection.lexicon import load_lexicon, term_matcher
from semsiedit.places import is_city, is_county, is_known_place, known_place, street_type_pattern
from semsiedit.text import MONTH_NAMES, long_open_line, split_sentences
from semsiedit.types import Finding

SOURCE = "semsi-record"
# A US ZIP after a state abbreviation or a ZIP cue; a UK postcode (its shape is distinctive enough).
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|"
    "OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC|PR|GU|VI|AS|MP|PW|FM|MH|AA|AE|AP"
)
_ZIP = re.compile(
    rf"(?:(?-i:\b(?:{_STATES})),?[ \t]{{1,2}}|\bzip(?: ?code)?:?\s*|\bpostal code:?\s*)"
    r"(?P<z>\d{5}(?:-\d{4})?)(?!\d|[ \t]\d)",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"(?<![\w-])[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}(?![\w-])")
_AGE = re.compile(
    r"(?<![\w.])(?:aged |age |age: |ages )?(?P<n>\d{2,3})(?:[- ]years?[- ]old|[- ]year-old|yo\b| y/o\b)"
    r"|(?<![\w])(?:aged|age:?)\s+(?P<m>\d{2,3})(?!\w|\.\d)"
    # "He is 91, registered blind": a person's age stated after the pronoun.
    r"|(?<![\w'’])(?:he|she|they|I|who)(?:['’]s| is| was| am| are| turned| turns)\s+(?P<p>\d{2,3})"
    r"(?=[,;.!?)]|\s+(?:and|but|now|this|next|last|in)\b)"
    # "Bed 3: Mrs Edith Crowther, 94, admitted …": an age between commas after a name.
    r"|(?<=[a-z]),[ \t]+(?P<c>\d{2,3}),(?=[ \t]+[a-z])",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _date() -> re.Pattern[str]:
    names = sorted(load_lexicon("pii")["months"], key=len, reverse=True)
    # Only an abbreviation takes a dot, and only before a day or a year: the full stop after
    # "on 5 February." ends the sentence and must survive the edit.
    full = "|".join(re.escape(m) for m in names if len(m) > 4 or m in ("June", "July"))
    short = "|".join(re.escape(m) for m in names if len(m) <= 4 and m not in ("June", "July"))
    months = rf"{full}|(?:{short})(?:\.(?=,?\s+\d))?"
    numeric = r"\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}"
    # "14 and 21 May", "May 3-5": a list or range of days is one date element.
    days = r"(?:\d{1,2}(?:st|nd|rd|th)?[ \t]*(?:,|and|&|-|–|to)[ \t]*)?"
    more_days = r"(?:[ \t]*(?:,|and|&|-|–|to)[ \t]*\d{1,2}(?:st|nd|rd|th)?(?![\d:]))?"
    day_month = rf"{days}\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{months})(?:,?\s+\d{{4}})?"
    month_day = rf"(?:{months})\s+\d{{1,2}}(?:st|nd|rd|th)?{more_days}(?:,?\s+\d{{4}})?"
    month_year = rf"(?:{months}),?\s+(?:1[89]|20)\d\d"  # "July 2024": the month is a date element too
    # "Thursday 9th", "Monday the 3rd": a weekday names the day of the month it stands before.
    weekday_day = (
        rf"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)"
        rf"(?:\s+(?:of\s+)?(?:{months})(?:,?\s+\d{{4}})?)?"
    )
    return re.compile(
        rf"(?<![\w/.-])(?:{numeric}|{day_month}|{month_day}|{month_year}|{weekday_day})(?![\w/-])"
    )


# A day and month without a year ("Admitted 14/03", "seen on 3/11"): only after an event word, since a
# bare "7/10" is as often a pain score or a ratio.
_DAY_MONTH = re.compile(
    r"\b(?:on|admitted|discharged|seen|since|until|till|dated|from|reviewed|started|stopped|meeting|appointment|"
    r"review|session|visit|due|by|informed|notified|contacted|referred|phoned|called|emailed|e-mailed|met|booked|"
    r"scheduled|attended|returned|signed|note|notes|entry|log|round|clinic|consultation|handover|admission|incident|sent|issued|received)"
    r"[ \t]*[:—–-]?[ \t]+"
    r"(?P<d>(?:[0-2]?[1-9]|[123]0|31)/(?:0?[1-9]|1[0-2]))(?![\w/-]|\.\d)",
    re.IGNORECASE,
)


# A month without its day or year, after a preposition ("died in September", "off sick since March",
# "until late June"): still a date element of a person's event. Not "by May" or "from May" (a person).
_MONTHS_ALONE = f"(?:{'|'.join(MONTH_NAMES)})"
_MONTH_ALONE = re.compile(
    r"(?<![\w'’-])(?:(?:in|since|until|till|before|after|during|throughout|last|this|next)[ \t]+"
    r"|(?:by|from)[ \t]+(?!May\b))"
    rf"(?P<m>(?:(?:early|late|mid)[ \t-]*)?{_MONTHS_ALONE})(?![\w/-])(?![ \t]*,?[ \t]*\d)(?![ \t]+[A-Z])"
)


_DATE_FIELD = re.compile(
    r"[ \t]*(?:(?:Date|Dated|Sent|Received)(?:[ \t]+of[ \t]+[a-z]+(?:[ \t]+[a-z]+)?)?(?:[ \t]*/[ \t]*Time)?"
    r"|(?:start|leaving|end|joining|termination|resignation|return|incident|visit|review)[ \t]+date)[ \t]*:",
    re.IGNORECASE,
)


# A date identifies when it is tied to a person: a person word or event on its line (pii.json).
@lru_cache(maxsize=1)
def _personal_cue() -> re.Pattern[str]:
    cues = sorted(load_lexicon("pii")["date_person_cues"], key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(c) for c in cues) + r")\b", re.IGNORECASE)


def _personal(text: str, m: re.Match[str]) -> bool:
    """A person word in the date's paragraph (its line), or a row of a table (a record per row: "Ahmed
    Rahimi | 1987-03-12 | ...")."""
    lo = text.rfind("\n", 0, m.start()) + 1
    hi = text.find("\n", m.end())
    hi = hi if hi >= 0 else len(text)
    line = text[lo:hi]
    if _personal_cue().search(text, lo, hi) or line.count("|") >= 2 or line.count("\t") >= 2:
        return True
    if _DATE_FIELD.match(line):
        return True  # a record's or a message's own date ("Date: 03/11/2025", "Sent: Tuesday 14 October")
    # Hard-wrapped prose: the cue may sit on the line before ("passed away peacefully on\n16 February").
    sentence = next(((s, e) for s, e in split_sentences(text) if s <= m.start() < e), None)
    return sentence is not None and bool(_personal_cue().search(text, *sentence))


def _finding(m: re.Match[str], label: str, reason: str, group: int | str = 0) -> Finding:
    return Finding(
        start=m.start(group), end=m.end(group), text=m.group(group), category="pii", label=label, severity=1,
        score=0.8, source=SOURCE, reason=reason,
    )  # fmt: skip


_NAME_WORD = r"[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?"
_NAME_LINE = re.compile(rf"^[ \t]*((?:{_NAME_WORD}[ \t]+){{1,2}}{_NAME_WORD})[ \t]*$",
                        re.MULTILINE)


def _name_lines(text: str) -> list[Finding]:
    """A line that is only a name, in a letter's or a record's header or signature: before an address,
    e-mail or phone line, or after a closing ("Kind regards,")."""
    from semsiedit.detection.names import lexicon, not_names

    closings = tuple(c.lower().rstrip(",") for c in lexicon()["closings"])
    out = []
    for m in _NAME_LINE.finditer(text):
        words = m.group(1).split()
        if any(w.lower() in not_names() for w in words):
            continue
        nxt = text[m.end() :].lstrip("\n").split("\n", 1)[0]
        prev = text[: m.start()].rstrip().rsplit("\n", 1)[-1].strip().rstrip(",").lower()
        if re.match(r"\s*\d", nxt) or "@" in nxt or re.search(r"\+?\d[\d ()-]{7,}", nxt) or prev in closings:
            out.append(_finding(m, "PERSON", "a name line in a header or signature", 1))
    return out


_ORG = re.compile(
    r"(?<![\w&'’-])((?:[A-Z][\w&'’-]+ (?:& )?){1,4}(?:Inc\.?|LLC|Ltd\.?|Limited|Corp\.?|Corporation|Co\.|GmbH|PLC|LLP|"
    r"Holdings|Group)"
    # A firm named after its founders: "Barker & Sons Joinery", "Harcourt & Co" ("Harlow & Finch LLP" above).
    r"|[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?[ \t]*&[ \t]*(?:Sons?|Co\.?|Daughters|Partners|Associates|Brothers|Bros\.?)"
    r"(?![\w'’-])(?:[ \t]+[A-Z][\w'’-]+){0,3})(?![\w-])"
)


# A firm named by its trade where a person works or deals with it ("my job at Halvorsen Freight", "a quote
# from Okafor Plumbing") or in a signature ("Lettings Manager, Oakmoor Lettings"). The words before the
# trade word must be names, not common or generic words ("Customer Services", "Social Services":
# names.json generic_modifiers); the trade words are names.json's too.
@lru_cache(maxsize=1)
def _business() -> re.Pattern[str]:
    trades = "|".join(re.escape(w) for w in sorted(load_lexicon("names")["trade_words"], key=len, reverse=True))
    cue = r"(?:\b(?:at|for|with|by|from|joined|join|of)[ \t]+|^[ \t]*|,[ \t]+)"
    return re.compile(rf"{cue}((?:[A-Z][\w'’-]+ ){{1,3}}(?:{trades}))(?![\w-])", re.MULTILINE)


# A named school, hospital, clinic or place of worship ("Lincoln Elementary", "Greenfield Academy",
# "Mercy Hospital", "Paws & Claws Veterinary Clinic"): in a record it says where the person studies,
# is treated or worships.
_INSTITUTION = re.compile(
    # Name words end in a letter, or are a short abbreviation ("St."): "Primary. The" is two sentences.
    r"(?<![\w&'’-])((?:(?:[A-Z][\w'’-]*[\w'’]|[A-Z][a-z]{0,2}\.)(?: |\n(?=[A-Z]))(?:& )?){1,3}"
    r"(?:Elementary(?: School)?|Academy|"
    r"(?:High|Middle|Primary|Secondary|Grammar|Junior|Senior|Elementary) School|School|College|University|"
    r"Polytechnic|Hospital|Infirmary|Hospice|"
    r"Clinic|Medical Cent(?:er|re)|Health Cent(?:er|re)|Surgery|Church|Chapel|Cathedral|Mosque|Synagogue|Temple|"
    r"(?:Family|Community|Leisure|Children's|Contact|Youth|Day|Resource|Sports|Wellbeing) Cent(?:er|re)|"
    r"Primary(?! School)|Infants(?! School)|Grammar(?! School)|"
    r"Cemetery|Crematorium|Memorial Park|Funeral Home|Funeral Parlou?r|Funeral Directors|"
    r"Lodge|Care Home|Nursing Home|Care Cent(?:er|re)|Retirement Home|Residential Home|Rest Home|Practice|"
    r"Medical Group|Pediatrics|Paediatrics|(?:C of E|CofE|C\.E\.|RC|R\.C\.) (?:Primary|Infants?|Junior|Academy|High|"
    r"Secondary)(?: School| Academy)?)(?: of (?:the )?[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)?"  # "... of Wales"
    r"|(?:[Tt]he )?(?:University|College|Institute|School) of (?:the )?[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?"
    r"|(?:Cl[ií]nica|Hospital|Centro de Salud|Hôpital|Klinik|Krankenhaus) "
    r"(?:(?:[Dd]e|[Dd]el|[Ll]a|[Ee]l|[Ll]os|[Ll]as|San|Santa) )*"
    r"[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)"
    r"(?![\w-])"
)


def _businesses(text: str) -> list[Finding]:
    from semsiedit.detection.names import generic_modifiers, is_common_word, org_words

    out = []
    for m in _business().finditer(text):
        start = m.start(1)
        words = m.group(1).split(" ")
        while len(words) > 1 and is_common_word(words[0], text):  # "Yesterday Halvorsen Freight"
            start += len(words.pop(0)) + 1
        names = words[:-1]
        generic = generic_modifiers()
        if names and not any(is_common_word(w, text) or w.lower() in org_words() or w in generic for w in names):
            out.append(Finding(start, m.end(1), text[start : m.end(1)], "pii", "ORGANIZATION", 1, 0.7, SOURCE,
                               "a firm named by its trade"))  # fmt: skip
    return out


# "the Elmwood surgery", "at Mercy Ridge nursing home", "to Oakwood primary school": a practice, home,
# school or place of worship whose kind is written in lower case after its name.
_THE_PRACTICE = re.compile(
    r"(?:(?<![\w-])(?:the|The)[ \t]+|(?:(?<=\bat )|(?<=\bto )|(?<=\bin )|(?<=\bfrom )|(?<=\bnear )|(?<=\battends )"
    r"|(?<=\battended )))"
    r"((?:(?:St\.|[A-Z][\w'’-]+)[ \t]){1,2}(?:surgery|clinic|practice|health cent(?:er|re)|medical cent(?:er|re)|"
    r"(?:care|nursing|residential|retirement) home|hospice|(?:(?:primary|secondary|junior|infant|high|grammar|"
    r"middle|elementary|nursery|prep) )?school|academy|nursery|church|chapel|mosque|synagogue|temple|gurdwara))"
    r"(?![\w-])"
)


# After the kind: an event at the place, or "of" a school of thought ("the Geluk school of Tibetan Buddhism").
_AN_EVENT = re.compile(
    r"[ \t]+(?:of|shootings?|attacks?|massacres?|bombings?|fires?|sieges?|stabbings?|shooter|gunman)\b"
)


def _place_words(name_and_kind: str) -> bool:
    """The name before a practice's or school's kind is a country or state ("the Florida school")."""
    return is_known_place(" ".join(w for w in name_and_kind.split() if w[:1].isupper()))


# A hospital called by its short name ("she's in the Royal Alex", "the Royal Vic"): "Royal" and a given name.
_AT_THE = re.compile(r"\b(?:at|in|to|from) the $")
# A local council named after its town or county ("Manchester City Council", "Kent County Council"):
# it names where someone lives as surely as the town does.
_COUNCIL = re.compile(
    r"(?<![\w'’-])((?:[A-Z][a-z]+[ -]){0,2}?[A-Z][a-z]+)"
    r"(?: (?:City|Borough|County|District|Town|Parish|Metropolitan Borough|Borough of))? Council(?![\w'’-])"
)
# A court named after its town ("Leeds County Court", "Swindon Magistrates' Court"): as telling as the town.
_COURT = re.compile(
    r"(?<![\w'’-])((?:[A-Z][a-z]+[ -]){0,2}?[A-Z][a-z]+) "
    r"(?:County|Crown|Magistrates['’]?|Family|Sheriff|Coroner['’]?s) Court(?![\w'’-])"
)
_ROYAL_NAME = re.compile(r"(?<![\w'’-])Royal ([A-Z][a-z]+)(?![\w'’-])(?! (?:Hospital|Infirmary|Hall|Mail|Navy|Family))")


# A named house that is a home, an office or a venue ("Beechwood House", "Marlowe House"), not a
# chamber or a landmark ("the White House", "U.S. House", "Opera House").
_NAMED_HOUSE = re.compile(r"(?<![\w'’.-])((?:[A-Z][a-z][\w'’-]* ){1,2}House)(?![\w'’-])")
_NOT_A_HOUSE_NAME = frozenset({
    "White", "Opera", "Town", "Court", "State", "Senate", "Lower", "Upper", "Public", "Guest", "Boarding", "Light",
    "Green", "Dog", "Open", "Full", "Royal", "Parliament", "Representatives", "The", "This", "That", "Our", "My",
    "Your", "Their", "His", "Her", "Its", "Haunted", "Tree", "Farm", "Country", "Big", "Glass", "Clubs", "Club",
    "Republican", "Democratic", "Democrat", "Labour", "Conservative", "States",
})  # fmt: skip


def _a_named_house(name: str, text: str) -> bool:
    from semsiedit.detection.names import is_common_word

    words = name.split()[:-1]
    return not (
        _NOT_A_HOUSE_NAME & set(words)
        or any(w.endswith(("-controlled", "-led")) for w in words)
        or is_common_word(words[0], text)
        or is_known_place(" ".join(words))
        or any(is_known_place(w) or is_city(w) for w in words)
    )


# A clergy house named for its parish: "St Aidan's Vicarage", "Holy Trinity Rectory", "Kirkton Manse".
_CLERGY_HOUSE = re.compile(
    r"(?<![\w'’.-])((?:(?:St\.?|Saint|Holy) )?(?:[A-Z][\w'’-]+ ){1,2}(?:Vicarage|Rectory|Manse|Presbytery|Parsonage))"
    r"(?![\w'’-])"
)


# A place called by its saint alone ("at St Brigid's", "treated at St Thomas'", "go to St Joseph's"): a
# parish, school or hospital that names where someone worships, studies or is treated. Not followed by a
# capitalised word: "St Mary's Hospital" is an institution's full name, "St Patrick's Day" a feast.
_SAINTS_PLACE = re.compile(
    r"(?<![\w'’.-])((?:St\.?|Saint) [A-Z][a-z]+(?:['’]s|s['’]))(?![\w'’-])(?![ \t]+[A-Z0-9])"
)


# A church named for the Virgin Mary: "Our Lady of Lourdes", "Our Lady Star of the Sea".
_OUR_LADY = re.compile(
    r"(?<![\w'’-])Our Lady(?: (?:of|Queen of|Star of|Help of)(?: the)?(?: [A-Z][\w'’-]+){1,3})?(?![\w'’-])"
)


# A place called by its owner's possessive alone ("died at Addenbrooke's", "works at Sainsbury's."):
# the shop, hospital or home the sentence puts someone in ("St Mary's" is a saint's: names.DEDICATIONS).
_POSSESSIVE_PLACE = re.compile(
    r"\b(?:at|in|into|outside|near|from) ([A-Z][a-z]+)['’]s(?=[ \t]*(?:[,.;:!?)]|\s+(?:and|but|for|with|on"
    r"|in|last|yesterday|today|this|since|where|when|because|until|after|before|so|or)\b|$))"
)


def _possessive_places(text: str) -> list[Finding]:
    out = []
    for m in _POSSESSIVE_PLACE.finditer(text):
        stem = m.group(1)
        if is_city(stem) or is_known_place(stem) or term_matcher("privacy").has_term(f"{stem}'s"):
            continue  # "in Arizona's", "in Alzheimer's"
        if stem in first_names():  # "stayed at Dave's": Dave's home names Dave
            out.append(Finding(m.start(1), m.end(1), stem, "pii", "PERSON", 2, 0.7, SOURCE, "a person's home"))
        else:
            out.append(Finding(m.start(1), m.end(), text[m.start(1) : m.end()], "pii", "ORGANIZATION", 1, 0.7,
                               SOURCE, "a place called by its owner's name"))  # fmt: skip
    return out


def _institutions(text: str) -> list[Finding]:
    from semsiedit.detection.names import is_common_word, org_words

    out = [
        Finding(m.start(), m.end(), m.group(), "pii", "LOCATION", 2, 0.9, SOURCE, "a church named for the Virgin Mary")
        for m in _OUR_LADY.finditer(text)
    ]
    out += [
        # Above the NER's person inside it ("the Jesmond practice"): the place is named, not a person.
        Finding(m.start(), m.end(), m.group(), "pii", "LOCATION", 2, 0.9, SOURCE, "a named practice, school ...")
        for m in _THE_PRACTICE.finditer(text)
        if not is_common_word(m.group(1).split()[0], text)
        # "the Nashville school shooting", "the Florida school": where it was, not what it is called.
        and not _place_words(m.group(1)) and not _AN_EVENT.match(text, m.end())
    ]
    out += [
        Finding(m.start(), m.end(), m.group(), "pii", "LOCATION", 2, 0.9, SOURCE, "a local council named for its place")
        for m in _COUNCIL.finditer(text)
        if is_city(m.group(1)) or is_county(m.group(1))
    ]
    out += [
        Finding(m.start(), m.end(), m.group(), "pii", "LOCATION", 2, 0.9, SOURCE, "a court named for its place")
        for m in _COURT.finditer(text)
        if is_city(m.group(1)) or is_county(m.group(1))
    ]
    out += [
        Finding(m.start(), m.end(), m.group(), "pii", "ORGANIZATION", 1, 0.7, SOURCE, "a hospital's short name")
        for m in _ROYAL_NAME.finditer(text)
        # "the Royal Alex", or a town's hospital seen at ("seen at A&E at the Royal Derby").
        if m.group(1) in first_names()
        or (is_city(m.group(1)) and _AT_THE.search(text, max(0, m.start() - 8), m.start()))
    ]
    out += [
        Finding(m.start(1), m.end(1), m.group(1), "pii", "LOCATION", 1, 0.7, SOURCE, "a named house")
        for m in _NAMED_HOUSE.finditer(text)
        if _a_named_house(m.group(1), text)
    ]
    out += [
        Finding(m.start(1), m.end(1), m.group(1), "pii", "LOCATION", 1, 0.7, SOURCE, "a place called by its saint")
        for m in _SAINTS_PLACE.finditer(text)
    ]
    out += [
        Finding(m.start(1), m.end(1), m.group(1), "pii", "LOCATION", 1, 0.7, SOURCE, "a named clergy house")
        for m in _CLERGY_HOUSE.finditer(text)
        if not is_common_word(m.group(1).split()[0], text) and m.group(1).split()[0] not in ("Old", "New", "Former")
    ]
    for m in _INSTITUTION.finditer(text):
        start = m.start(1)
        if "\n" in m.group(1):
            # A name runs on across a hard wrap ("the Bradford Central\nMosque"), not from a line that
            # ends on its own ("Dr. Priya Raman, MD\nLakeview Family Practice").
            wrap = m.start(1) + m.group(1).rindex("\n")
            if not long_open_line(text[:wrap]):
                start = wrap + 1
        words = text[start : m.end(1)].split(" ")
        # "Yesterday Lincoln Elementary": a common word before the name is not part of it; an
        # institution word is ("University Hospital of Wales").
        while len(words) > 1 and is_common_word(words[0], text) and words[0].lower() not in org_words():
            start += len(words.pop(0)) + 1
        end = m.end(1)
        town = re.match(r" ([A-Z][a-z]+)(?![\w'’-])", text[end : end + 30])
        if town and is_city(town.group(1)):
            end += town.end()  # "Imperial College London": the campus town is part of the name
        if len(words) > 1:
            out.append(Finding(start, end, text[start:end], "pii", "LOCATION", 1, 0.7, SOURCE,
                               "a named school, hospital or place of worship"))  # fmt: skip
    return out


# A city in an address ("Portland, OR 97999", ", Chapmanton 32317") or after a residence cue.
_CITY_NAME = r"(?:[A-Z][a-z]+[ \t]){0,2}[A-Z][a-z]+"
_CITY = re.compile(
    rf",[ \t]+(?P<city>{_CITY_NAME}),?[ \t]+(?:(?-i:{_STATES})[ \t]+)?(?P<zip>\d{{5}}(?:-\d{{4}})?)\b(?![ \t]*\d)"
    rf"|,[ \t]+(?P<city2>{_CITY_NAME}),[ \t]+(?-i:{_STATES})\b"
    rf"|\b(?:born in|(?:live|lives|living|lived|based|settled)(?: just)? (?:in|near|outside|on the outskirts of)"
    rf"|moved (?:back )?to|relocated to|grew up in|from our|in our)[ \t]+(?P<city3>{_CITY_NAME})"
    r"(?=[ \t]+office|[:,.;)!?]|[ \t]+(?:and|but|if|so|now|with|since)\b)"
    rf"|\bfrom[ \t]+(?P<city4>{_CITY_NAME}):"
    # A person from a town: "a 52-year-old man from Halifax", "a woman of Leeds" (checked against the
    # town list: the NER calls Halifax a bank).
    r"|\b(?:man|woman|men|women|boy|girl|teenager|mother|father|mum|dad|resident|pensioner|couple|family"
    r"|student|nurse|driver|worker)[ \t]+(?:from|of)[ \t]+(?P<city6>[A-Z][a-z]+(?:[ \t][A-Z][a-z]+)?)\b"
    # Australia: "Fitzroy VIC 3065", "Surry Hills NSW 2010".
    rf"|(?P<city5>{_CITY_NAME})[ \t]+(?-i:VIC|NSW|QLD|SA|WA|TAS|NT|ACT)[ \t]+(?P<aupost>\d{{4}})(?![\w-])"
)


# A town after a street's name and a comma ("along Kings Road, Reading when ...").
_TOWN_AFTER_STREET = re.compile(
    rf"[A-Z][a-z]+[ \t]+{street_type_pattern(ambiguous=True)},"
    r"[ \t]+([A-Z][a-z]+(?:[ \t][A-Z][a-z]+)?)(?![\w'’-])"
)
# A town as a person's modifier ("A Swindon man who stole ...", "the Rotherham teenager"): where they live.
_TOWN_BEFORE_A_PERSON = re.compile(
    r"(?<![\w'’-])(?:[Aa]n?|[Tt]he|[Tt]wo|[Tt]hree)[ \t]+([A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)[ \t]+(?=(?:man|woman|men|"
    r"women|boy|girl|teenager|teen|youth|pensioner|mother|father|mum|dad|couple|family|resident|student|schoolboy|"
    r"schoolgirl|driver|motorist|cyclist|nurse|teacher|grandmother|grandfather|gran|widow|widower|businessman|"
    r"businesswoman|landlord|shopkeeper|fraudster|thief|burglar|dealer)\b)"
)
# A town closing a byline or a profile line after a separator ("Posted by Sam_T_1984 · Leeds").
_TOWN_AFTER_SEPARATOR = re.compile(r"[·•|][ \t]*([A-Z][a-z]+(?:[ \t][A-Z][a-z]+)?)[ \t]*(?=\r?\n|$)", re.M)


def _places(text: str) -> list[Finding]:
    out = [
        Finding(m.start(1), m.end(1), m.group(1), "pii", "LOCATION", 1, 0.85, SOURCE, "a town closing a byline")
        for m in _TOWN_AFTER_SEPARATOR.finditer(text)
        if is_city(m.group(1))
    ]
    out += [
        Finding(m.start(1), m.end(1), m.group(1), "pii", "LOCATION", 1, 0.85, SOURCE, "a town after a street")
        for m in _TOWN_AFTER_STREET.finditer(text)
        if is_city(m.group(1))
    ]
    out += [
        Finding(m.start(1), m.end(1), m.group(1), "pii", "LOCATION", 1, 0.85, SOURCE, "a town describing a person")
        for m in _TOWN_BEFORE_A_PERSON.finditer(text)
        if is_city(m.group(1)) and not is_known_place(m.group(1))
    ]
    for m in _CITY.finditer(text):
        group = next(g for g in ("city", "city2", "city3", "city4", "city5", "city6") if m.group(g))
        if group == "city6" and not is_city(m.group(group)):
            continue
        place = _finding(m, "LOCATION", "a city in an address or after a residence cue", group)
        if group == "city5":  # a suburb before its state and postcode is a place, whatever the NER says
            place = replace(place, score=0.9, severity=2)
        out.append(place)
        if m.group("zip"):
            out.append(_finding(m, "ZIP_CODE", "ZIP code", "zip"))
        if m.group("aupost"):
            out.append(_finding(m, "ZIP_CODE", "postcode", "aupost"))
    return out


_WEEKDAY_BEFORE = re.compile(
    r"(?<![\w'’-])(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?,?[ \t]+"
    r"(?:the[ \t]+)?\Z"
)


def _with_weekday(text: str, f: Finding) -> Finding:
    """The date with its weekday ("Friday 7 November 2026"): "On Friday 2026" is no date."""
    day = _WEEKDAY_BEFORE.search(text, max(0, f.start - 16), f.start)
    return replace(f, start=day.start(), text=text[day.start() : f.end]) if day else f


# A form's employer field: its value names the firm, whatever the NER makes of it ("Employer: Nando's
# (Trafford Park), shift supervisor"); what follows a bracket or a comma is the role or the branch.
_EMPLOYER_FIELD = re.compile(
    r"^[ \t>*•·-]*(?:current |previous |former )?(?:employer|company|workplace|place of work|organi[sz]ation)[ \t]*:"
    r"[ \t]*(?P<v>[A-Z][^\n,(;]*?)(?=[ \t]*(?:[,(;]|[ \t]{2}|\n|$))",
    re.IGNORECASE | re.MULTILINE,
)


# A payee written as an initial and a surname ("£1,200 to \"R Patel\" by bank transfer").
_PAYEE = re.compile(
    r"(?:\b(?:to|from|payee|paid|pay|transfer(?:red)? to|sent to)[ \t]*:?\s+)[\"“']?"
    r"((?-i:[A-Z])\.?[ \t](?-i:[A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?))(?![\w'’-])",
    re.IGNORECASE,
)


def find_record_ids(text: str) -> list[Finding]:
    found = [_finding(m, "ZIP_CODE", "ZIP code", "z") for m in _ZIP.finditer(text)]
    found += [_finding(m, "ZIP_CODE", "postcode") for m in _POSTCODE.finditer(text) if re.search(r"\d", m.group(0))]
    found += [
        _with_weekday(text, _finding(m, "DATE_TIME", "a date of a person's event"))
        for m in _date().finditer(text)
        if _personal(text, m) and is_calendar_date(m.group())
    ]
    found += [
        _finding(m, "DATE_TIME", "a day and month of a person's event", "d")
        for m in _DAY_MONTH.finditer(text)
        if _personal(text, m)
    ]
    found += [
        _finding(m, "DATE_TIME", "a month of a person's event", "m")
        for m in _MONTH_ALONE.finditer(text)
        if _personal(text, m)
    ]
    found += _name_lines(text) + _places(text) + _institutions(text) + _possessive_places(text)
    found += [_finding(m, "PERSON", "a payee's initial and surname", 1) for m in _PAYEE.finditer(text)]
    # Above the NER's person ("Employer: Yorkshire Water"): the field says what the value is.
    found += [replace(_finding(m, "ORGANIZATION", "an employer's field", "v"), severity=2, score=0.9)
              for m in _EMPLOYER_FIELD.finditer(text)]  # fmt: skip
    found += [_finding(m, "ORGANIZATION", "a company name", 1) for m in _ORG.finditer(text)] + _businesses(text)
    for m in _AGE.finditer(text):
        group = next(g for g in ("n", "m", "p", "c") if m.group(g))
        if 89 < int(m.group(group)) <= 120:  # "the IQ score you mentioned, 156," is no age
            found.append(_finding(m, "AGE", "an age over 89", group))
    return found


_EMAIL_NAME = re.compile(r"(?<![\w.+-])([a-z]{2,})[._-]([a-z]{2,})\d*@", re.IGNORECASE)




def names_from_context(text: str, found: list[Finding]) -> list[Finding]:
    """Names the NER misses that the text itself vouches for:
    - "Mason Cross" when the text has mason.cross@...: an e-mail's first.last names a person;
    - "Amber Myers" when "Myers" is a PERSON and "Amber" a capitalised name word right before it."""
    from semsiedit.detection.first_names import is_given_name
    from semsiedit.detection.names import ADDRESSING_VERBS, KINSHIP_TITLES, is_common_word

    out: list[Finding] = []
    for m in _EMAIL_NAME.finditer(text):
        first, last = m.group(1), m.group(2)
        for n in re.finditer(rf"(?<![\w@.])({first})[ \t]+({last})(?![\w@.])", text, re.IGNORECASE):
            if n.group(1)[:1].isupper() and n.group(2)[:1].isupper():
                out.append(_finding(n, "PERSON", "a name that an e-mail address spells out"))
    lowered = text.lower()
    for f in found:
        # "Reporter: dmitri.volkov (Dmitri Volkov, …)": a login spelled from a name found in the text.
        words = f.text.split()
        if f.category == "pii" and f.label == "PERSON" and len(words) == 2 and all(w.isalpha() for w in words):
            # Stronger than the NER's "person" over the same word: a login reads "User QX", and a
            # lower-case "name" has no capital for the editor's name trimming.
            if not _may_hold_login(words[0], words[1], lowered):
                continue
            out += [replace(_finding(m, "USERNAME", "a login spelled from a name in the text"), severity=2, score=0.95)
                    for m in _login_pattern(words[0], words[1]).finditer(text)]  # fmt: skip
    for f in found:
        if f.category != "pii" or f.label != "PERSON" or " " in f.text.strip():
            continue
        before = re.search(r"(?<![\w'’-])([A-Z][a-z]{2,})[ \t]+$", text[max(0, f.start - 30) : f.start])
        word = before.group(1) if before else ""
        named = before and not is_common_word(word, text) and known_place(word) is None
        if named:
            # A sentence's first word has its capital anyway ("Met Sandra for coffee"): there it must be
            # a given name to open the name.
            opens = f.start - len(before.group(0))
            lead = text[max(0, opens - 3) : opens]
            if (not lead.strip() or re.search(r"[.!?:][\s\"'”’)]*$", lead)) and not is_given_name(word):
                named = False
        if named and word.lower() not in ADDRESSING_VERBS and word not in KINSHIP_TITLES:
            start = f.start - len(before.group(0))
            out.append(Finding(start, f.end, text[start : f.end], "pii", "PERSON", 2, 0.7, SOURCE,
                               "a first name before a known surname"))  # fmt: skip
    return out


def _may_hold_login(first: str, last: str, lowered: str) -> bool:
    """False when `lowered` (the text in lower case) cannot hold first.last: most names have no login,
    and compiling the pattern for each of them cost more than this test. Only ASCII names are
    tested (case-insensitive matching and str.lower differ on some other letters); others pass."""
    if not (first.isascii() and last.isascii()):
        return True
    first, last = first.lower(), last.lower()
    return any(first + sep + last in lowered for sep in "._-")


@lru_cache(maxsize=4096)  # per name, not per pass (see text.bounded_word)
def _login_pattern(first: str, last: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w@.]){re.escape(first)}[._-]{re.escape(last)}\d*(?![\w@]|\.\w)", re.IGNORECASE)
