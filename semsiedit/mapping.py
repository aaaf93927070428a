"""Reversible pseudonyms: the surrogate -> original map of a run, encrypted at rest, and `restore`.

A rewrite with `--mapping FILE` records every surrogate the local editor hands out (through the
`SurrogateMap.observers` hook) and writes the map encrypted with Fernet (AES-128-CBC + HMAC-SHA256,
from `cryptography`). `restore` puts the originals back into any text that uses the surrogates:
typically an LLM's answer to the pseudonymised prompt.

Only surrogates that stand for exactly one value are reversible: people ("Person A"), accounts ("User QX"), placeholders
("<EMAIL_ADDRESS_1>") and fakes. Descriptors shared by many values ("a phone number", "a city"),
generalisations ("a chronic health condition") and hedges are one-way by design and never recorded.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from semsiedit.errors import InputError

if TYPE_CHECKING:
    from semsiedit.loop import EditingLoop

KEY_ENV = "SEMSIEDIT_MAPPING_KEY"
FORMAT = "semsiedit-mapping"
VERSION = 1
_TITLE_CASE = re.compile(r"^[A-Z][a-z]")


@dataclass(frozen=True)
class Entry:
    surrogate: str
    original: str
    label: str


def _tokens(value: str, label: str) -> list[str]:
    if label == "PERSON":
        from semsiedit.editing.surrogates import split_title

        value = split_title(value)[1]  # "Ms. Gonzalez" is a form of "Maria Gonzalez"
    return value.casefold().split()


class Vault:
    """The surrogate -> original map of one run (thread-safe; the loop's workers share it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # surrogate -> (label, original forms seen, in order)
        self._seen: dict[str, tuple[str, list[str]]] = {}

    # -- collecting --------------------------------------------------------------------------
    def observe(self, label: str, value: str, surrogate: str, unique: bool) -> None:
        """`SurrogateMap` observer: remember a unique surrogate and the value it replaced."""
        value, surrogate = value.strip(), surrogate.strip()
        if not unique or not value or not surrogate or value.casefold() == surrogate.casefold():
            return
        if label == "PERSON":
            value, surrogate = _strip_shared_title(value, surrogate)
        with self._lock:
            # A later round can re-detect one of our fakes as a name and replace it again: the
            # new surrogate stands for what the fake stood for.
            earlier = self._seen.get(value)
            values = earlier[1] if earlier is not None and earlier is not self._seen.get(surrogate) else [value]
            forms = self._seen.setdefault(surrogate, (label, []))[1]
            forms.extend(v for v in values if v not in forms)

    def watch(self, loop: EditingLoop) -> None:
        """Record the surrogates of every document `loop` edits from now on."""
        loop.local_editor.surrogates.observers.append(self.observe)

    def merge(self, entries: list[Entry]) -> None:
        for entry in entries:
            self.observe(entry.label, entry.original, entry.surrogate, True)

    def entries(self) -> list[Entry]:
        """One original per surrogate. A surrogate seen for values that are not one name
        (two people's shared fake first name) is ambiguous and left out."""
        out = []
        with self._lock:
            items = [(s, label, list(forms)) for s, (label, forms) in self._seen.items()]
        for surrogate, label, forms in items:
            longest = max(forms, key=lambda f: (len(_tokens(f, label)), len(f)))
            whole = set(_tokens(longest, label))
            if all(set(_tokens(f, label)) <= whole for f in forms):
                out.append(Entry(surrogate, longest, label))
        return sorted(out, key=lambda e: e.surrogate)

    def __len__(self) -> int:
        return len(self.entries())

    def ambiguous(self) -> int:
        """Surrogates that stood for different values (so `restore` leaves them as they are)."""
        with self._lock:
            total = len(self._seen)
        return total - len(self.entries())

    # -- restoring ---------------------------------------------------------------------------
    def restore(self, text: str) -> tuple[str, int]:
        """`text` with every surrogate replaced by its original; returns (text, replacements)."""
        entries = {e.surrogate.casefold(): e for e in self.entries()}
        if not entries:
            return text, 0
        patterns = [_pattern(s) for s in sorted((e.surrogate for e in entries.values()), key=len, reverse=True)]
        regex = re.compile("|".join(patterns))
        count = 0

        def put_back(m: re.Match[str]) -> str:
            nonlocal count
            entry = entries.get(" ".join(m.group(0).split()).casefold())
            if entry is None:
                return m.group(0)
            count += 1
            found = m.group(0)
            letters = [c for c in found if c.isalpha()]
            if len(letters) > 1 and all(c.isupper() for c in letters) and not entry.surrogate.isupper():
                return entry.original.upper()  # "PERSON A" in a shouted heading
            return entry.original

        return regex.sub(put_back, text), count

    # -- storage -----------------------------------------------------------------------------
    def to_bytes(self, key: bytes) -> bytes:
        payload = {"format": FORMAT, "version": VERSION,
                   "entries": [e.__dict__ for e in self.entries()]}
        return _fernet(key).encrypt(json.dumps(payload, ensure_ascii=False).encode("utf-8"))

    @classmethod
    def from_bytes(cls, data: bytes, key: bytes, name: str) -> Vault:
        from cryptography.fernet import InvalidToken

        try:
            payload = json.loads(_fernet(key).decrypt(data.strip()))
        except (InvalidToken, ValueError):
            raise InputError(f"{name}: cannot decrypt the mapping: wrong key, or not a semsiedit mapping") from None
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise InputError(f"{name}: not a semsiedit mapping")
        vault = cls()
        vault.merge([Entry(**e) for e in payload.get("entries", [])])
        return vault

    def save(self, path: Path, key: bytes) -> None:
        from semsiedit.sinks import atomic_write_bytes

        atomic_write_bytes(path, self.to_bytes(key))  # mkstemp: 0600 for a new file
        os.chmod(path, 0o600)

    @classmethod
    def load(cls, path: Path, key: bytes) -> Vault:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise InputError(f"{path}: no such mapping file") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot read the mapping ({exc.strerror})") from None
        return cls.from_bytes(data, key, str(path))


def _strip_shared_title(value: str, surrogate: str) -> tuple[str, str]:
    """Fakes keep the title ("Dr. Jane Smith" for "Dr. Maria Gonzalez"): map the names alone,
    so "Jane Smith" without the title is restored too."""
    from semsiedit.editing.surrogates import split_title

    v_title, v_name = split_title(value)
    s_title, s_name = split_title(surrogate)
    if v_title and v_title.casefold() == s_title.casefold():
        return v_name, s_name
    return value, surrogate


def _pattern(surrogate: str) -> str:
    """Any case, any whitespace (line breaks included) between the words, a possessive after.

    A one-word name surrogate must start with a capital: a fake "Grace" is a name, "grace" a word."""
    words = surrogate.split()
    body = r"\s+".join(re.escape(w) for w in words)
    if len(words) == 1 and _TITLE_CASE.match(surrogate):
        body = re.escape(surrogate[0]) + f"(?i:{re.escape(surrogate[1:])})"
    else:
        body = f"(?i:{body})"
    before = r"(?<![\w])" if surrogate[0].isalnum() else ""
    after = r"(?![\w])" if surrogate[-1].isalnum() else ""
    return before + body + after


# -- keys ----------------------------------------------------------------------------------------
def _fernet(key: bytes):
    from cryptography.fernet import Fernet

    try:
        return Fernet(key.strip())
    except (ValueError, TypeError):
        raise InputError("the mapping key is not a Fernet key (44 URL-safe base64 characters)") from None


def default_key_path(mapping: Path) -> Path:
    return mapping.with_name(mapping.name + ".key")


def resolve_key(mapping: Path, key_file: Path | None, *, create: bool, notify=None) -> bytes:
    """The key for `mapping`: --key-file, else $SEMSIEDIT_MAPPING_KEY, else MAPPING.key beside it.

    With `create` (a rewrite) and no key anywhere, a new key is written to the key file (or
    MAPPING.key) with 0600 permissions and `notify` is told where; `restore` never creates one.
    """
    if key_file is None and os.environ.get(KEY_ENV, "").strip():
        key = os.environ[KEY_ENV].strip().encode()
        _fernet(key)
        return key
    path = key_file or default_key_path(mapping)
    try:
        key = path.read_bytes().strip()
    except FileNotFoundError:
        if not create:
            hint = f"--key-file, ${KEY_ENV}, or {path.name} beside the mapping"
            raise InputError(f"no key for the mapping {mapping}: give {hint}") from None
        from cryptography.fernet import Fernet

        key = Fernet.generate_key()
        _write_secret(path, key + b"\n")
        if notify:
            notify(f"semsiedit: new mapping key written to {path} (mode 0600); keep it apart from the mapping")
        return key
    except OSError as exc:
        raise InputError(f"{path}: cannot read the key ({exc.strerror})") from None
    _fernet(key)
    return key


def _write_secret(path: Path, data: bytes) -> None:
    """Create `path` readable by its owner only; never overwrite an existing key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputError(f"{path}: exists; not overwriting a key") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def open_vault(mapping: Path, key_file: Path | None, *, resume: bool = False, notify=None) -> tuple[Vault, bytes]:
    """For a rewrite: the key and the vault. A mapping belongs to one run: an existing one is only
    continued by `--resume` (and must decrypt: checked before any work), never overwritten."""
    if mapping.exists() and not resume:
        raise InputError(f"--mapping {mapping} exists (a mapping belongs to one run): choose a new file, "
                         "or --resume to continue that run")
    if mapping.exists() and mapping.is_dir():
        raise InputError(f"--mapping {mapping} is a folder")
    key = resolve_key(mapping, key_file, create=not mapping.exists(), notify=notify)
    if mapping.exists():
        return Vault.load(mapping, key), key
    return Vault(), key


def restore_text(text: str, mapping: Path, key_file: Path | None = None) -> tuple[str, int]:
    """`text` with the originals back, from an encrypted mapping (the library form of `restore`)."""
    vault = Vault.load(mapping, resolve_key(mapping, key_file, create=False))
    return vault.restore(text)


def summary(vault: Vault) -> dict[str, Any]:
    entries = vault.entries()
    return {"surrogates": len(entries), "labels": sorted({e.label for e in entries})}
