"""Person names in labelled fields: "Patient: Marcus Whitford", "From: Jasmine Okafor <j@example.com>",
"Attendees: Zoë Müller (chair), José Ñúñez", "Dear Mr Ashworth,", "Kind regards,\\nJasmine Okafor".

Field labels, salutations and closings are listed in data/lexicons/names.json. A value is a PERSON only
when it is shaped like a name (see `names.scan_name`); a one-word value must also not be a word the
text uses in lower case. Handles after "Posted by:" / "Username:" are USERNAME.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from semsiedit.detection.first_names import first_names
from semsiedit.detection.names import is_common_word, lexicon, person, scan_name
from semsiedit.text import alternation
from semsiedit.types import Finding

SOURCE = "semsi-field"
# After a name in a list: "(chair)", then ",", ";", "&" or "and" before the next name.
_AFTER_NAME = re.compile(r"(?:[ \t]*\([^()\n]{0,40}\))?[ \t]*(?:,|;|&|\band\b)[ \t]*")


# What follows a field's label, not a name: "Policy no.", "Account number", "Claim ref", "Room:".
_LABEL_AFTER = re.compile(r"[ \t]*(?::|[ \t](?:no\.?|number|num\.?|#|ref\.?|reference|id|code)(?![\w'’-]))", re.I)


def _lower(terms: list[str]) -> str:
    return alternation([t.lower() for t in terms])


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], ...]:
    lex = lexicon()
    bullet = r"^[ \t>*•·-]*"
    # A field opens a line, or follows a sentence or a separator on it ("Session note, 12 March. Client: ..."),
    # or a form's next column ("Employee: Kyle Brennan (ID 40718)   Manager: Sophie Adeyemi").
    inline = r"(?<=[.;|)] )|(?<= [-–—] )|(?<=[ \t]{2})|(?<=\t)"
    field = re.compile(rf"(?:{bullet}|{inline})(?:{_lower(lex['field_labels'])})[ \t]*:[ \t]*", re.I | re.M)
    user = re.compile(rf"(?:{_lower(lex['username_labels'])})[ \t]*:[ \t]*(?P<v>@?[\w][\w.-]{{2,}}[\w])", re.I)
    hello = re.compile(rf"{bullet}(?:{alternation(lex['salutations'])})[ \t]+", re.M)
    closings = _lower(lex["closings"])
    closing = re.compile(rf"{bullet}(?:{closings})[ \t]*[,!.]?[ \t]*\r?\n(?:[ \t]*\r?\n)?[ \t]*", re.I | re.M)
    # A one-line message signed on the same line: "... in the future. Regards, Tanya (Recruitment, ...)".
    inline_closing = re.compile(rf"(?<=[.!?] )(?:{closings})[ \t]*,[ \t]*(?=[A-Z])", re.I)
    return field, user, hello, closing, inline_closing


def _accept(text: str, name, whole_line: bool = False) -> bool:
    if name is None:
        return False
    if whole_line and not re.match(r"[ \t]*(?:,[^\n]*)?(?:\r?\n|$)", text[name.end :]):
        return False  # a closing's name line is just the name (", Title" may follow)
    return len(name.words) > 1 or name.title is not None or not is_common_word(name.words[0], text)


def _names_in_list(text: str, pos: int) -> list:
    """Names at text[pos] and after it, separated by commas / "and" (an attendee list)."""
    out = []
    while True:
        name = scan_name(text, pos)
        if not _accept(text, name) or _LABEL_AFTER.match(text, name.end):
            return out  # "Mrs Eleanor Fairbrother, Policy no. HHX-…": the next field's label
        out.append(name)
        sep = _AFTER_NAME.match(text, name.end)
        if not sep:
            return out
        pos = sep.end()


def _surname_first(text: str, names: list) -> int | None:
    """The end of one name written "Surname, Given [I.]" that the list reader took for two: a lone word,
    a comma, a known given name (and an initial), and nothing more in the field; else None."""
    if len(names) != 2 or len(names[0].words) != 1 or names[0].title is not None:
        return None
    given = names[1]
    if given.title is not None or len(given.words) != 1 or given.words[0] not in first_names():
        return None
    if text[names[0].end : given.start].strip() != ",":
        return None
    rest = re.match(r"(?:[ \t]+[A-Z]\.?)?(?=[ \t]{2,}|\t|[ \t]*(?:\r?\n|$))", text[given.end :])
    return given.end + rest.end() if rest else None


def _username(m: re.Match[str]) -> Finding:
    return Finding(
        start=m.start("v"),
        end=m.end("v"),
        text=m.group("v"),
        category="pii",
        label="USERNAME",
        severity=2,
        score=0.85,
        source=SOURCE,
        reason="user name in a labelled field",
    )


_TURN_OPENER = re.compile(
    r"(?:thanks|thank you|cheers|hi|hello|hey|sorry|ok|okay|yes|yeah|yep|no|nope|well|so|sure|right|great|"
    r"honestly|um|uh|hmm|oh|ah)\b[,!.]?[ \t]+",
    re.IGNORECASE,
)


# A chat or transcript turn that opens with its speaker: "Nadia K: fyi ...", "[14:02] Tom Reid: ...".
_SPEAKER = re.compile(
    r"^[ \t>*•·-]*(?:\[[^\]\n]{1,25}\][ \t]*)?(?P<name>(?P<given>[A-Z][a-z'’-]+)(?:[ \t]+[A-Z](?:\.|[a-z'’-]+)?)?)"
    r"[ \t]*:[ \t]",
    re.M,
)


# A log's or a query string's key and its quoted or bare value: 'name="Lorraine Tebbutt"', "patient=Ann Lee&".
_KEY_VALUE = re.compile(
    r"(?<![\w-])(?:name|full_?name|patient_?name|customer_?name|client_?name|first_?name|last_?name|surname|"
    r"patient|customer|client|employee|person)=(?:\"(?P<q>[^\"\n]{2,60})\"|'(?P<s>[^'\n]{2,60})'|"
    r"(?P<b>[A-Z][\w'’-]+(?:[ +][A-Z][\w'’-]+){0,3}))",
    re.I,
)


def find_field_names(text: str) -> list[Finding]:
    field, user, hello, closing, inline_closing = _patterns()
    out: list[Finding] = [
        person(text, m.start("name"), m.end("name"), SOURCE, "a speaker's name opening a turn", 0.9)
        for m in _SPEAKER.finditer(text)
        if m.group("given") in first_names() and not is_common_word(m.group("given"), text)
    ]
    for m in field.finditer(text):
        # A transcript's turn opens with a word to the other speaker: "Agent: Thanks Doug.", "Customer: Yeah it's …".
        lead = _TURN_OPENER.match(text, m.end())
        names = _names_in_list(text, lead.end() if lead else m.end())
        if end := _surname_first(text, names):
            # "PATIENT: Hernandez, Luis A.": one person written surname first, not a list of two.
            names = [replace(names[0], end=end, words=names[0].words + names[1].words)]
        for n in names:
            out.append(person(text, n.start, n.end, SOURCE, "name in a labelled field", 0.9))
    for m in hello.finditer(text):
        name = scan_name(text, m.end())
        if _accept(text, name) and re.match(r"[ \t]*[,:!\r\n]", text[name.end : name.end + 2] or "\n"):
            out.append(person(text, name.start, name.end, SOURCE, "name after a salutation", 0.9))
    for m in closing.finditer(text):
        name = scan_name(text, m.end())
        if _accept(text, name, whole_line=True):
            out.append(person(text, name.start, name.end, SOURCE, "name after a closing", 0.9))
    for m in inline_closing.finditer(text):
        # Only a listed given name: "Thanks, Great work" signs nothing.
        name = scan_name(text, m.end())
        if name is not None and name.words[0] in first_names() and not is_common_word(name.words[0], text):
            out.append(person(text, name.start, name.end, SOURCE, "name after a closing", 0.9))
    for m in _KEY_VALUE.finditer(text):
        group = next(g for g in ("q", "s", "b") if m.group(g))
        name = scan_name(text, m.start(group))
        if name is not None and name.end <= m.end(group) and re.search(r"[A-Z]", m.group(group)):
            out.append(person(text, m.start(group), m.end(group), SOURCE, "a name in a key=value field", 0.9))
    for m in user.finditer(text):
        value = m.group("v")
        if re.search(r"[\d_.@]", value):  # a handle, not a name ("desert_rose_82")
            out.append(_username(m))
    return out
