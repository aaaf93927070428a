"""Input must never switch detection off: the statistical parse sees the text without markup symbols.

spaCy's small English model finds no entity at all in `<<<Patient Eleanor Vance has HIV.>>>`,
`<Patient …>` or `{{…}}`, and even a leading space turns "Patient Eleanor Vance" into one PERSON
that the filters then drop. So the parser gets a copy with bracket-like symbols removed (and the
spaces they leave at a line start), and the findings are mapped back to the original offsets and
texts. Regex detectors run on the original text and are unaffected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from semsiedit.types import Finding

# Symbols that never belong to a name, an e-mail address or a URL. `#` and `=` only in runs:
# a lone "#12" or "name=value" carries meaning the field detectors use.
_MARKUP = re.compile(r"[<>{}\[\]|*~^`]+|#{2,}|={2,}")


@dataclass(frozen=True)
class Cleaned:
    """The text the parser sees, and for each of its characters the original offset."""

    text: str
    index: list[int] | None  # None: nothing was removed, offsets are the same

    def span(self, start: int, end: int) -> tuple[int, int]:
        if self.index is None:
            return start, end
        if end <= start:
            at = self.index[start] if start < len(self.index) else (self.index[-1] + 1 if self.index else 0)
            return at, at
        return self.index[start], self.index[end - 1] + 1


def strip_markup(text: str) -> Cleaned:
    """Remove markup runs: "word<b>word" keeps one space between the words; a run at a line start or
    after a space takes the spaces after it along ("<<< Patient" parses as "Patient")."""
    if not _MARKUP.search(text):
        return Cleaned(text, None)
    out: list[str] = []
    index: list[int] = []
    pos = 0
    for m in _MARKUP.finditer(text):
        start, end = m.span()
        if start < pos:  # swallowed by the previous run's trailing spaces
            continue
        out.append(text[pos:start])
        index.extend(range(pos, start))
        if m.group() == "|" and start > 0:
            # A lone pipe separates fields or table cells ("Customer: Mr. Dmitri Volkov | Plan: Premium"):
            # the parser gets a comma there, not one run-on name (a comma, not a full stop: the fields of
            # one record line stay one sentence, so an order's items keep its customer as their subject).
            out.append(",")
            index.append(start)
            pos = end
            continue
        prev = text[start - 1] if start > 0 else "\n"
        nxt = text[end] if end < len(text) else "\n"
        if not prev.isspace() and not nxt.isspace():
            out.append(" ")
            index.append(start)
        elif prev.isspace() or start == 0:
            while end < len(text) and text[end] in " \t":
                end += 1
        pos = end
    out.append(text[pos:])
    index.extend(range(pos, len(text)))
    return Cleaned("".join(out), index)


def map_back(findings: Sequence[Finding], cleaned: Cleaned, original: str, offset: int = 0) -> list[Finding]:
    """Findings made on `cleaned.text` (offsets from `offset`), in `original`'s offsets and words."""
    if cleaned.index is None:
        return list(findings)
    out = []
    for f in findings:
        start, end = cleaned.span(f.start - offset, f.end - offset)
        out.append(replace(f, start=start + offset, end=end + offset, text=original[start:end]))
    return out
