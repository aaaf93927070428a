"""On-disk cache of LLM replies, so re-runs and resumes cost nothing (SPEC §6).

One sqlite file in the user cache folder. Keys are sha256 digests of everything that determines the
reply (endpoint, model, sampling settings, schema, full system and user prompts; the prompts embed the
prompt-file text, so editing a prompt file changes the key). Only replies that validated are stored.

Batches call the client from `--jobs N` threads: one connection shared under a lock is plenty for a
cache whose writes are tiny next to an LLM call. WAL mode lets a second process read while one writes.
A broken cache (disk full, locked, corrupt) degrades to "no cache" with a warning; it never fails a run.
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
        try:
            # The cache holds rewritten sensitive text: keep it private to the user.
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.exists():
                self.path.touch(mode=0o600)
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10.0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
            self._conn = conn
        except (OSError, sqlite3.Error) as exc:
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
            if row is None:
                self.misses += 1
                return None
            self.hits += 1
            return CachedReply(text=row[0], prompt_tokens=row[1], completion_tokens=row[2])

    def put(self, key: str, text: str, *, prompt_tokens: int = 0, completion_tokens: int = 0, model: str = "") -> None:
        with self._lock:
            if self._conn is None:
                return
            try:
                self._conn.execute(
                    "INSERT OR REPLACE INTO replies (key, text, prompt_tokens, completion_tokens, model, created)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (key, text, prompt_tokens, completion_tokens, model, time.time()),
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
