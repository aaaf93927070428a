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
    """Write to a temp file in the same folder, fsync, then rename over the target.

    Failures name the target, never the internal temp file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    # encode, not open(..., "w"): no newline translation, CRLF stays CRLF.
    atomic_write_bytes(path, text.encode("utf-8"))


def backup_path(path: Path) -> Path:
    """The first free backup name: f.txt.bak, then f.txt.bak.1, f.txt.bak.2, ...

    An existing backup is never overwritten: after two `--in-place` runs f.txt.bak still holds the
    original and f.txt.bak.1 the first rewrite."""
    candidate = path.with_name(path.name + ".bak")
    n = 0
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = path.with_name(f"{path.name}.bak.{n}")
    return candidate


def encode_like(text: str, original: bytes, source: str, encoding: str | None = None) -> bytes:
    """Encode `text` the way `original` was: the explicit --encoding, else its BOM, else UTF-8.

    A character the input's encoding cannot hold (a Latin-1 file and a rewrite with "—") is a
    clear error, never a silent switch to UTF-8."""
    from semsiedit.sources import BOMS

    codec, bom = encoding or "utf-8", b""
    if encoding is None:
        for mark, name in BOMS:
            if original.startswith(mark):
                codec, bom = _BOM_CODECS[mark], (b"" if name == "utf-8-sig" else mark)
                break
    try:
        return bom + text.encode(codec)
    except UnicodeEncodeError as exc:
        raise InputError(
            f"{source}: the rewrite has {exc.object[exc.start]!r}, which {encoding or codec} cannot encode; "
            "the input is unchanged (write with -o instead)"
        ) from None
    except LookupError:
        raise InputError(f"{source}: unknown encoding {codec!r}") from None


# The codec that writes the text after a BOM (the BOM itself is copied from the input).
_BOM_CODECS = {
    b"\xff\xfe\x00\x00": "utf-32-le", b"\x00\x00\xfe\xff": "utf-32-be", b"\xef\xbb\xbf": "utf-8-sig",
    b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be",
}  # fmt: skip


def write_in_place(path: Path, text: str, encoding: str | None = None) -> Path:
    """Back the input up first (atomically, under a fresh name), then replace it, in the input's
    encoding and BOM. Returns the backup's path."""
    original = path.read_bytes()
    data = encode_like(text, original, str(path), encoding)  # refuse before touching anything
    backup = backup_path(path)
    atomic_write_bytes(backup, original)
    atomic_write_bytes(path, data)
    return backup


def check_writable(path: Path, what: str) -> None:
    """Fail now, not after the work, when `path` cannot be created: probe its nearest existing
    folder with a real temp file (access() says yes to root on /proc)."""
    if path.is_dir():
        raise InputError(f"{what} {path} is a folder; give a file name")
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(f"{what} {path}: {folder} is not a folder")
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".semsiedit-probe.")
    except OSError as exc:
        raise InputError(f"{what} {path}: cannot write in {folder} ({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(probe)


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


def check_no_clobber(outputs: dict[str, Path | None], inputs: list[Path]) -> None:
    """No output may be a file the command reads, lie inside a folder it reads, or be another output:
    each would silently lose data still needed (`--report a.txt` overwrote an input, `restore -o
    MAPPING` the only copy of the originals, `--report OUT` the rewrite itself)."""
    named = [(flag, path) for flag, path in outputs.items() if path is not None]
    for flag, path in named:
        resolved = path.resolve()
        for source in inputs:
            if source.is_dir():
                if source.resolve() in resolved.parents:
                    raise InputError(f"{flag} {path} is inside input folder {source}; choose another path")
            elif source.exists() and (resolved == source.resolve() or (path.exists() and path.samefile(source))):
                raise InputError(f"{flag} {path} is an input file; choose another path")
    for i, (flag, path) in enumerate(named):
        for other_flag, other in named[:i]:
            if path.resolve() == other.resolve() or (path.exists() and other.exists() and path.samefile(other)):
                raise InputError(f"{other_flag} and {flag} name the same file {path}; give each its own")
