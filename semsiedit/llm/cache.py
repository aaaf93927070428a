"""On-disk cache of LLM replies, so re-runs and resumes cost nothing (SPEC §6).

One sqlite file in the user cache folder. Keys are sha256 digests of everything that determines the
reply (endpoint, model, sampling settings, schema, full system and user prompts; the prompts embed the
prompt-file text, so editing a prompt file changes the key). Only replies that validated are stored.

Batches call the client from `--jobs N` threads: one connection shared under a lock is plenty for a
cache whose writes are tiny next to an LLM call. WAL mode lets a second process read while one writes.
A broken cache (disk full, locked, corrupt) degrades to "no cache" with a warning; it never fails a run.

Replies quote the documents (the critic's quotes, the editor's rewrites), so they are encrypted at
rest with Fernet (AES-128-CBC + HMAC-SHA256) under a key generated once into `cache.key` (0600) beside
the database; keys are one-way digests. A row that does not decrypt (another key, an older plain-text
cache) is a miss and gets overwritten. `semsiedit cache clear` deletes the database and the key.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from semsiedit.config import Settings

log = logging.getLogger("semsiedit.llm")

CACHE_FILE = "llm-cache.sqlite3"
KEY_FILE = "cache.key"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS replies (
    key TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    model TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL
)
"""


def default_cache_dir(settings: Settings | None = None) -> Path:
    """settings.cache_dir, else $XDG_CACHE_HOME/semsiedit, else ~/.cache/semsiedit."""
    if settings is not None and settings.cache_dir is not None:
        return Path(settings.cache_dir).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "semsiedit"


def cache_key(
    *,
    base_url: str | None,
    model: str,
    temperature: float,
    max_tokens: int,
    schema_name: str | None,
    schema: dict[str, Any] | None,
    system: str,
    user: str,
) -> str:
    """sha256 over a canonical JSON of every input that changes the reply."""
    payload = json.dumps(
        [base_url or "", model, temperature, max_tokens, schema_name or "", schema, system, user],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class CachedReply:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0


class ResponseCache:
    """Thread-safe sqlite cache: `get(key)` / `put(key, text, ...)`; counts hits and misses."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._fernet: Any = None
        try:
            # The cache holds rewritten sensitive text: keep it private to the user, and encrypted.
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._fernet = _fernet(self.path.parent / KEY_FILE)
            if not self.path.exists():
                self.path.touch(mode=0o600)
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10.0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
            self._conn = conn
        except (OSError, sqlite3.Error, ValueError) as exc:
            log.warning("LLM cache disabled: cannot open %s (%s)", self.path, type(exc).__name__)

    @classmethod
    def from_settings(cls, settings: Settings) -> ResponseCache | None:
        """The cache for these settings, or None when `no_cache` is set."""
        if settings.no_cache:
            return None
        return cls(default_cache_dir(settings) / CACHE_FILE)

    @property
    def enabled(self) -> bool:
        return self._conn is not None

    def get(self, key: str) -> CachedReply | None:
        with self._lock:
            if self._conn is None:
                return None
            try:
                row = self._conn.execute(
                    "SELECT text, prompt_tokens, completion_tokens FROM replies WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.Error as exc:
                self._disable(exc)
                return None
            text = self._decrypt(row[0]) if row is not None else None
            if text is None:
                self.misses += 1
                return None
            self.hits += 1
            return CachedReply(text=text, prompt_tokens=row[1], completion_tokens=row[2])

    def put(self, key: str, text: str, *, prompt_tokens: int = 0, completion_tokens: int = 0, model: str = "") -> None:
        with self._lock:
            if self._conn is None:
                return
            try:
                self._conn.execute(
                    "INSERT OR REPLACE INTO replies (key, text, prompt_tokens, completion_tokens, model, created)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (key, self._fernet.encrypt(text.encode("utf-8")).decode("ascii"), prompt_tokens,
                     completion_tokens, model, time.time()),
                )
            except sqlite3.Error as exc:
                self._disable(exc)

    def __len__(self) -> int:
        with self._lock:
            if self._conn is None:
                return 0
            return int(self._conn.execute("SELECT COUNT(*) FROM replies").fetchone()[0])

    def clear(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.execute("DELETE FROM replies")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _decrypt(self, token: str) -> str | None:
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError, ValueError):
            return None  # another key or an old plain-text row: a miss, overwritten on the next put

    def _disable(self, exc: sqlite3.Error) -> None:
        # Called with the lock held. A failing cache must not fail documents.
        log.warning("LLM cache disabled after an error on %s (%s)", self.path, type(exc).__name__)
        try:
            if self._conn is not None:
                self._conn.close()
        finally:
            self._conn = None

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _fernet(key_path: Path) -> Any:
    """The cache's Fernet, its key generated once into `key_path` (0600; O_EXCL, so two processes
    starting together agree on one key)."""
    from cryptography.fernet import Fernet

    try:
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # the creator may still be writing it
            key = key_path.read_bytes().strip()
            if key:
                return Fernet(key)
            time.sleep(0.02)
        raise ValueError(f"{key_path} is empty") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(Fernet.generate_key())
    return Fernet(key_path.read_bytes().strip())


def clear_cache(cache_dir: Path) -> int:
    """Delete the cache database (with its WAL files) and its key; returns the replies it held."""
    db = cache_dir / CACHE_FILE
    count = 0
    if db.exists():
        try:
            with sqlite3.connect(db) as conn:
                count = int(conn.execute("SELECT COUNT(*) FROM replies").fetchone()[0])
        except sqlite3.Error:
            count = 0
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"), cache_dir / KEY_FILE):
        path.unlink(missing_ok=True)
    return count
