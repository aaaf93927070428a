"""The editing tables in semsiedit/data/editing/*.json, read once per process. A leaf module (it imports
nothing of ours), so detection and editing can both read the tables without an import cycle. A table's
macro may name a list of a detection lexicon (`_lexicon_terms`) or another table's macro (`_table_macro`),
so no list is kept twice."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data" / "editing"
LEXICON_DIR = DATA_DIR.parent / "lexicons"


@cache
def load_data(name: str) -> dict[str, Any]:
    """A JSON table from semsiedit/data/editing/ (read once per process). A table may define
    `_macros`: each `{NAME}` inside its strings is replaced by the macro's text, so a sub-pattern that
    many rows share is written once."""
    data = json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))
    macros = {k: _lexicon_terms(v) if v.startswith("@") else _table_macro(v) if v.startswith("=") else v
              for k, v in data.pop("_macros", {}).items() if not k.startswith("_")}  # fmt: skip
    return _expand(data, {f"{{{k}}}": v for k, v in macros.items()}) if macros else data


def _lexicon_terms(reference: str) -> str:
    """'@privacy:medications': the terms of the groups of lexicons/privacy.json marked "medications",
    as a regex alternation, longest first. Spaces and hyphens stay as written (generalise loosens them)."""
    lexicon, flag = reference[1:].split(":")
    groups = json.loads((LEXICON_DIR / f"{lexicon}.json").read_text(encoding="utf-8"))["groups"]
    terms = {t for g in groups if g.get(flag) for t in g["terms"]}
    return "|".join(re.sub(r"([.^$*+?{}\[\]\\|()])", r"\\\1", t) for t in sorted(terms, key=lambda t: (-len(t), t)))


def _table_macro(reference: str) -> str:
    """'=generalise:CRIME': the macro CRIME of editing/generalise.json, so two tables share one list."""
    table, name = reference[1:].split(":")
    return str(json.loads((DATA_DIR / f"{table}.json").read_text(encoding="utf-8"))["_macros"][name])


def _expand(value: Any, macros: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, text in macros.items():
            value = value.replace(name, text)
        return value
    if isinstance(value, list):
        return [_expand(v, macros) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v, macros) for k, v in value.items()}
    return value
