"""Person names after an inline cue: "my name is Theresa Langford", "written by Åsa Lindqvist", and
after a role noun: "my team lead, Gregory Paulsen", "her son, Lucas Marchetti", "my husband Luis".

Cues and role nouns are listed in data/lexicons/names.json (matched case-insensitively). The name must
start with a capital letter and be shaped like a name (see `names.scan_name`); a one-word name must not
be a word the text also uses in lower case.
"""

from __future__ import annotations

import re
from functools import lru_cache

from semsiedit.detection.names import is_common_word, lexicon, person, scan_name
from semsiedit.text import alternation
from semsiedit.types import Finding

SOURCE = "semsi-name-cue"


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    lex = lexicon()
    cues = alternation([c.lower() for c in lex["name_cues"]])
    roles = alternation([r.lower() for r in lex["role_nouns"]])
    return re.compile(rf"(?<![\w-])(?:(?P<cue>{cues})[ \t]*:?|(?P<role>{roles}),?)[ \t]+(?=[^\W\d_])", re.I)


def find_cued_names(text: str) -> list[Finding]:
    out = []
    for m in _pattern().finditer(text):
        name = scan_name(text, m.end())
        if name is None:
            continue
        if len(name.words) == 1 and name.title is None and is_common_word(name.words[0], text):
            continue
        if m.group("role") and name.words[0].isupper() and len(name.words[0]) <= 4:
            continue  # an acronym after the role noun: "patient ID PT-330912", "employee NI number"
        reason = "name after a role noun" if m.group("role") else "name after a name cue"
        out.append(person(text, name.start, name.end, SOURCE, reason, 0.85))
    return out
