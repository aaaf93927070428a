"""Prompt files: shipped inside the package, hashed into every report for reproducibility."""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROMPT_NAMES = ("critic", "editor", "generator")


def prompts_dir() -> Path:
    """Installed wheels carry prompts/ inside the package; a source checkout has it at the top."""
    packaged = Path(__file__).parent / "prompts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "prompts"


@dataclass(frozen=True)
class Prompt:
    name: str
    system: str
    user: str  # a string.Template: $text, $context, $findings ...
    sha256: str

    def render(self, **values: str) -> str:
        # string.Template, not str.format: prompts contain JSON braces, documents contain anything.
        return string.Template(self.user).substitute(values)

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]


def frame(text: str, context: str | None = None) -> dict[str, str]:
    """Template values that put the document (and the question) inside tags it cannot contain.

    A document holding `</document>` or "ignore the above" must not end its own framing: the tag
    names carry a suffix derived from the content (`<document-3f9a1c0b>`), lengthened until neither
    the text nor the question contains it. Derived, not random, so a rerun sends the same prompt
    (the reply cache and reproducibility depend on it)."""
    question = context.strip() if context and context.strip() else ""
    digest = hashlib.sha256(f"{question}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()
    size = 8
    while True:
        suffix = digest[:size] if size <= len(digest) else digest + str(size)
        doc_tag, q_tag = f"document-{suffix}", f"question-{suffix}"
        if doc_tag not in text and doc_tag not in question and q_tag not in text and q_tag not in question:
            break
        size += 4
    context_block = f"<{q_tag}>\n{question}\n</{q_tag}>\n\n" if question else ""
    return {"text": text, "context_block": context_block, "doc_tag": doc_tag}


@cache
def load_prompt(name: str) -> Prompt:
    """prompts/NAME.md: a system part and a user template, split by a line '=== user ==='."""
    path = prompts_dir() / f"{name}.md"
    raw = path.read_text(encoding="utf-8")
    system, sep, user = raw.partition("\n=== user ===\n")
    if not sep:
        raise ValueError(f"{path}: missing '=== user ===' separator")
    return Prompt(name, system.strip(), user.strip(), hashlib.sha256(raw.encode()).hexdigest())


def prompt_hashes() -> dict[str, str]:
    return {name: load_prompt(name).short_hash for name in PROMPT_NAMES}
