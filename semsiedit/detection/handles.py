"""User handles written inline, as forum posts and social-media text write them: "@mara_22",
"u/dogdad1987", "by user kev_in_leeds", "user: jsmith", "/home/jsmith", a chat log's speakers
("[09:14] sarah.k: ..."). Labelled fields at a line's start
("Username: ...") are fields.py's.

A handle names one account as surely as a name names a person. "user X" needs a handle-shaped X (a
digit, an underscore or a dot inside it): "user experience" is not an account.
"""

from __future__ import annotations

import re

from semsiedit.detection.names import is_stop_word, person
from semsiedit.types import Finding

SOURCE = "semsi-handle"
# Not inside an e-mail address or a URL path ("mara@example.com", "example.com/@mara").
# GitHub handles take inner hyphens ("@dmitri-k").
_AT = re.compile(r"(?<![\w@./:+-])@[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9_])?(?![\w@-]|\.\w)")
_REDDIT = re.compile(r"(?<![\w/])/?u/[A-Za-z0-9_-]{3,20}(?![\w/])")
# The word "user" goes with the handle, so the rewrite reads "by a user", not "by user a user".
_AFTER_WORD = re.compile(
    r"(?<![\w-])(?:[Uu]ser(?:name)?|[Hh]andle|[Aa]ccount) (?P<v>@?[A-Za-z][\w.-]*[\d_.][\w.-]*[A-Za-z0-9])(?![\w@-])"
)

# "user: jsmith" inline (a labelled field at a line's start is fields.py's; "a user: thanks" is our own
# descriptor in a rewrite), and a home folder in a path ("/home/jsmith", "C:\\Users\\jsmith"): a login
# name whatever its shape.
_LOGIN = re.compile(
    r"(?<![\w-])(?<![Aa] )(?<![Aa]n )(?:[Uu]ser(?:name)?|[Ll]ogin|[Hh]andle)[ \t]*[:=][ \t]*"
    r"(?P<v>[A-Za-z][\w.-]{1,30}[A-Za-z0-9])(?![\w@-])"
    r"|(?<![\w.])/(?:home|Users)/(?P<h>[A-Za-z_][\w.-]{0,31})(?![\w-])"
    r"|(?<![\w])[A-Za-z]:\\Users\\(?P<w>[A-Za-z_][\w. -]{0,31}?)(?=\\|[\s,;)]|$)"
    # A log line's actor: "record viewed ... by=j.harrington", "owner=kpatel".
    r"|(?<![\w-])(?:by|author|owner|viewer|actor|operator|uid|changed_by|created_by|updated_by)="
    r"(?P<k>[A-Za-z][\w.-]{1,30}[A-Za-z0-9])(?![\w@-])"
)
_NOT_LOGINS = frozenset({"Public", "Shared", "Default", "All Users", "root", "admin", "user", "username", "runner"})
# A support chat's roles name no one: "[10:03] Customer: hi my internet keeps dropping".
_ROLE_SPEAKERS = frozenset({
    "agent", "advisor", "adviser", "assistant", "bot", "caller", "client", "customer", "guest", "host", "me",
    "moderator", "operator", "staff", "support", "system", "user", "visitor", "you", "interviewer", "patient",
    # A family chat's kinship names: "[09:14] Mum: did you call the GP?"
    "mum", "mom", "mam", "mother", "dad", "father", "nan", "nana", "gran", "grandma", "grandad", "grandpa", "auntie",
    "aunt", "uncle", "sis", "bro", "brother", "sister", "son", "daughter", "wife", "husband", "hubby", "babe",
})  # fmt: skip

# A forum byline: "Posted by throwaway_dad22:" (a handle shape: a digit, an underscore or a dot inside).
_BYLINE = re.compile(
    r"(?<![\w-])(?:[Pp]osted|[Ww]ritten|[Ss]ubmitted|[Rr]eplied|[Cc]ommented) by "
    r"@?(?P<v>[A-Za-z][\w.-]*[\d_.][\w.-]*[A-Za-z0-9])(?![\w@-])"
)

# A chat log's speaker: "[09:14] sarah.k: has anyone ...", "10:02 <tom_w> morning". After a timestamp
# any handle shape; the speaker names one account.
_SPEAKER = re.compile(
    r"^[ \t]*[\[(]?(?:\d{4}-\d\d-\d\d[ T])?\d{1,2}:\d\d(?::\d\d)?(?:[ \t]*[AaPp][Mm])?[\])]?[ \t]+"
    r"(?:<(?P<a>[\w.@-]{2,32})>|(?P<v>[\w][\w.@-]{1,31}):)",
    re.MULTILINE,
)

# A phone chat export: "[12/03/2024, 21:05] Sophie Lambert: ...", "12/03/2024, 21:05 - Jade: ...".
_CONTACT_SPEAKER = re.compile(
    r"^[ \t]*\[?\d{1,2}[/.]\d{1,2}[/.]\d{2,4},?[ \t]+\d{1,2}:\d\d(?::\d\d)?(?:[ \t]*[AaPp][Mm])?\]?[ \t]*(?:-[ \t]*)?"
    r"(?P<n>[A-Z][\w'’-]*(?: [A-Z][\w'’-]*){0,3}):",
    re.MULTILINE,
)

def _finding(start: int, end: int, text: str, reason: str, score: float = 0.8) -> Finding:
    return Finding(start, end, text[start:end], "pii", "USERNAME", 2, score, SOURCE, reason)


# Chat broadcasts that name no one ("@channel quick update").
_BROADCASTS = frozenset({"@channel", "@here", "@everyone", "@all", "@team"})


def find_handles(text: str) -> list[Finding]:
    out = [
        _finding(m.start(), m.end(), text, "an @handle") for m in _AT.finditer(text) if m.group() not in _BROADCASTS
    ]
    out += [_finding(m.start(), m.end(), text, "a Reddit-style u/ handle") for m in _REDDIT.finditer(text)]
    out += [_finding(m.start(), m.end("v"), text, "a handle after 'user'") for m in _AFTER_WORD.finditer(text)]
    # A handle with digits or an underscore is no name ("posted by MarieK_1988"): above a name cue's PERSON.
    for m in _BYLINE.finditer(text):
        score = 0.9 if re.search(r"[\d_]", m.group("v")) else 0.8
        out.append(_finding(m.start("v"), m.end("v"), text, "a handle after 'posted by'", score))
    for m in _CONTACT_SPEAKER.finditer(text):
        # A phone chat export names its speakers as saved contacts: people, not accounts.
        out.append(person(text, m.start("n"), m.end("n"), SOURCE, "a chat log's speaker (a contact name)", 0.9))
    speakers: set[str] = set()
    for m in _SPEAKER.finditer(text):
        group = "a" if m.group("a") else "v"
        if m.group(group).lower() in _ROLE_SPEAKERS:
            continue
        out.append(_finding(m.start(group), m.end(group), text, "a chat log's speaker", 0.9))
        speakers.add(m.group(group))
    for handle in speakers:
        if not re.search(r"[\d_.]", handle) and (handle.islower() or is_stop_word(handle.lower())):
            continue  # "admin", "me": a word, not only this account's name
        # The same account named in a message ("has anyone heard from tom_w?").
        for m in re.finditer(rf"(?<![\w@.-]){re.escape(handle)}(?![\w@-]|\.\w)", text):
            out.append(_finding(m.start(), m.end(), text, "a chat log speaker's handle", 0.9))
    for m in _LOGIN.finditer(text):
        group = next(g for g in ("v", "h", "w", "k") if m.group(g))
        if m.group(group) not in _NOT_LOGINS:
            # Outranks the NER's PERSON on a lower-case login ("jsmith"), which the editor would keep.
            out.append(_finding(m.start(group), m.end(group), text, "a login name", 0.9))
    return out
