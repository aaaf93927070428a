"""Sinks: where results go. Every write is atomic (temp file + rename) so nothing is half-written."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Any

from semsiedit.errors import InputError


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    # encode, not open(..., "w"): no newline translation, CRLF stays CRLF.
    atomic_write_bytes(path, text.encode("utf-8"))


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def write_in_place(path: Path, text: str) -> Path:
    """Back the input up first (atomically), then replace it. Returns the backup's path."""
    backup = backup_path(path)
    atomic_write_bytes(backup, path.read_bytes())
    atomic_write_text(path, text)
    return backup


class JsonlSink:
    """Append-as-you-go JSONL with crash safety.

    Lines go to `<out>.partial` and are flushed one by one, so an interrupted run keeps every
    finished document; `close()` renames the partial file onto the target. `--resume` reads the
    partial (or the finished) file back to learn which documents are done.
    """

    def __init__(self, path: Path, *, resume: bool = False) -> None:
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        path.parent.mkdir(parents=True, exist_ok=True)
        if resume and not self.partial.exists() and path.exists():
            os.replace(path, self.partial)
        if resume and self.partial.exists():
            _drop_torn_last_line(self.partial)
        self._handle: IO[str] | None = self.partial.open("a" if resume else "w", encoding="utf-8", newline="\n")

    def write(self, record: dict[str, Any]) -> None:
        assert self._handle is not None, "sink closed"
        self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._handle.flush()

    def close(self, *, complete: bool = True) -> None:
        if self._handle is None:
            return
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        self._handle = None
        if complete:
            os.replace(self.partial, self.path)


def _drop_torn_last_line(path: Path) -> None:
    """A crash can leave half a line at the end: cut it so appends start on a fresh line."""
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        with path.open("r+b") as handle:
            handle.truncate(cut)


def done_ids(path: Path, key: str = "id") -> set[str]:
    """Ids of the documents already written to a JSONL output (partial or finished)."""
    ids: set[str] = set()
    for candidate in (path.with_name(path.name + ".partial"), path):
        if not candidate.exists():
            continue
        with candidate.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue  # the torn last line of a crash
                value = record.get("semsiedit", {}).get(key) if isinstance(record.get("semsiedit"), dict) else None
                if value is not None:
                    ids.add(str(value))
        break
    return ids


def check_output_folder(out_dir: Path, inputs: list[Path]) -> None:
    """An output folder inside an input folder would feed outputs back in as inputs on a rerun."""
    resolved_out = out_dir.resolve()
    for root in inputs:
        if root.is_dir():
            resolved_in = root.resolve()
            if resolved_out == resolved_in or resolved_in in resolved_out.parents:
                raise InputError(f"output folder {out_dir} is inside input folder {root}; choose another -o")
