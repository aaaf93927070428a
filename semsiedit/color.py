"""Colour on a terminal: `--color auto|always|never`; NO_COLOR (https://no-color.org) is respected
by `auto`, and an explicit `--color always` wins over it."""

from __future__ import annotations

import os
from typing import TextIO

from semsiedit.errors import InputError

CHOICES = ("auto", "always", "never")
_RESET = "\x1b[0m"
_STYLES = {"header": "\x1b[1m", "hunk": "\x1b[36m", "add": "\x1b[32m", "remove": "\x1b[31m"}


def wants_color(choice: str, stream: TextIO | None) -> bool:
    if choice not in CHOICES:
        raise InputError(f"--color must be auto, always or never, not {choice!r}")
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def color_diff(diff: str) -> str:
    """A unified diff with ANSI colours: file headers bold, hunks cyan, additions green, removals red."""
    out = []
    for line in diff.splitlines(keepends=True):
        body, end = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        if line.startswith(("+++", "---")):
            style = _STYLES["header"]
        elif line.startswith("@@"):
            style = _STYLES["hunk"]
        elif line.startswith("+"):
            style = _STYLES["add"]
        elif line.startswith("-"):
            style = _STYLES["remove"]
        else:
            out.append(line)
            continue
        out.append(f"{style}{body}{_RESET}{end}")
    return "".join(out)
