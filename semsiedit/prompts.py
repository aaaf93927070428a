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
