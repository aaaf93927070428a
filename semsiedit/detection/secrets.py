"""Credentials pasted into tickets, logs and bug reports: API keys, access tokens and private keys.

A known vendor prefix ("sk_live_…", "ghp_…", "AKIA…", "xoxb-…", "AIza…") is enough on its own; any other
long token counts only right after a word that names a secret ("API key: …", "token=…", "password …")
and only when it mixes letters and digits, so "password reset" or "token of thanks" is never one.
A leaked key identifies an account and opens it, so it is removed in both profiles (SECRET).
"""

from __future__ import annotations

import re

from semsiedit.types import Finding

SOURCE = "semsi-secret"
LABEL = "SECRET"

_VENDOR = re.compile(
    r"(?<![\w-])(?:"
    r"(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"  # Stripe
    r"|sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"  # OpenAI, Anthropic
    r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}"  # GitHub
    r"|glpat-[A-Za-z0-9_-]{20,}"  # GitLab
    r"|xox[abprs]-[A-Za-z0-9-]{10,}"  # Slack
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key id
    r"|AIza[0-9A-Za-z_-]{35}"  # Google API key
    r"|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"  # SendGrid
    r"|eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"  # a JSON Web Token
    r")(?![\w-])"
)
_NAMED = re.compile(
    r"(?i:api[ _-]?key|access[ _-]?key|secret(?:[ _-]?key)?|client[ _-]?secret|auth[ _-]?token|access[ _-]?token|"
    r"bearer|token|password|passwd|pwd)"
    r"(?:[ \t]+(?:used|is|was|for|in|of|the|request|header)){0,4}[ \t]*[:=]?[ \t]*[\"'`]?"
    r"(?P<v>[A-Za-z0-9_\-+/=.]{12,})"
)
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----")


def _mixed(value: str) -> bool:
    """Letters and digits both: a key, not a word ("password reset") or a plain number."""
    return bool(re.search(r"[A-Za-z]", value)) and sum(c.isdigit() for c in value) >= 2


def find_secrets(text: str) -> list[Finding]:
    spans = {(m.start(), m.end()) for m in _VENDOR.finditer(text)}
    spans |= {(m.start(), m.end()) for m in _PRIVATE_KEY.finditer(text)}
    spans |= {(m.start("v"), m.end("v")) for m in _NAMED.finditer(text) if _mixed(m.group("v"))}
    out: list[Finding] = []
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if out and start < out[-1].end:
            continue  # one finding per key: the vendor pattern and the named one often both match
        out.append(Finding(start, end, text[start:end], "pii", LABEL, 3, 0.95, SOURCE, "an API key, token or password"))
    return out
