"""Sources: turn paths, folders, JSONL datasets and stdin into `Document`s.

Bad input never stops a batch: a file or line that cannot be read becomes an `InputProblem`,
which the batch runner reports and skips. Texts are decoded without newline translation, so
CRLF and every other byte of the original survive into the output.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from semsiedit.errors import InputError
from semsiedit.types import Document

DEFAULT_GLOBS = ("*.txt", "*.md")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
# Byte-order marks, longest first so UTF-32 is not mistaken for UTF-16.
BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


@dataclass
class InputProblem:
    """A document that could not be read; reported, skipped, never fatal for a batch.

    A JSONL row (`row` set) still gets its line in the output, so output rows line up with input
    rows: the record passes through untouched and the error goes into its `semsiedit` report."""

    source: str
    message: str
    row: bool = False  # a JSONL line: the output gets an error row in its place
    record: dict | None = None  # the parsed record, when the line was a JSON object
    line: int | None = None
    id: str | None = None


def decode_bytes(data: bytes, source: str, encoding: str | None = None) -> str:
    """Decode a file's bytes: explicit encoding, else a BOM, else strict UTF-8, else a clear error."""
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"{source}: cannot decode as {encoding} ({exc})") from None
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(f"{source}: invalid {codec} text ({exc.reason} at byte {exc.start})") from None
    if b"\x00" in data[:8192]:
        guess = _utf16_without_bom(data[:8192])
        if guess:
            raise InputError(f"{source}: looks like UTF-16 text without a byte-order mark; pass --encoding {guess}")
        raise InputError(f"{source}: binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: not UTF-8 (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it or pass --encoding (e.g. --encoding latin-1)"
        ) from None


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when the NUL bytes sit where ASCII text in UTF-16 puts them."""
    even, odd = head[0::2], head[1::2]
    if len(head) < 4:
        return None
    if odd.count(0) >= 0.8 * len(odd) and even.count(0) <= 0.1 * len(even):
        codec = "utf-16-le"
    elif even.count(0) >= 0.8 * len(even) and odd.count(0) <= 0.1 * len(odd):
        codec = "utf-16-be"
    else:
        return None
    try:
        head[: len(head) // 2 * 2].decode(codec)
    except UnicodeDecodeError:
        return None
    return codec


def detect_newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def read_text(path: Path, encoding: str | None = None) -> str:
    try:
        data = path.read_bytes()
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return decode_bytes(data, str(path), encoding)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


DEFAULT_FIELD = "answer"  # the SemSI datasets' text field (SPEC §4)
FALLBACK_FIELDS = ("text", "content", "body")  # read when a record has no DEFAULT_FIELD and --field was not given


@dataclass
class JsonlOptions:
    field: str | None = None  # None: DEFAULT_FIELD, else the first of FALLBACK_FIELDS a record has
    context_field: str | None = None
    id_field: str | None = None
    stdin_jsonl: bool = False  # read stdin as a JSONL dataset rather than one text


def is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in JSONL_SUFFIXES


def iter_jsonl_lines(lines: Iterator[bytes], source: str, options: JsonlOptions, encoding: str | None = None):
    """Yield a Document per record; malformed lines become InputProblems with their line number."""
    for lineno, raw in enumerate(lines, start=1):
        where = f"{source}:{lineno}"
        if not raw.strip():
            continue
        def problem(message: str, record: dict | None = None, doc_id: str = where, lineno: int = lineno,
                    where: str = where) -> InputProblem:  # fmt: skip
            return InputProblem(where, message, row=True, record=record, line=lineno, id=doc_id)

        try:
            record = json.loads(decode_bytes(raw, where, encoding))
        except InputError as exc:
            yield problem(str(exc))
            continue
        except json.JSONDecodeError as exc:
            yield problem(f"{where}: {_json_error(raw, exc)}")
            continue
        if not isinstance(record, dict):
            yield problem(f"{where}: expected a JSON object, got {_json_type(record)}")
            continue
        doc_id = str(record[options.id_field]) if options.id_field and options.id_field in record else where
        field = options.field or DEFAULT_FIELD
        text = record.get(field)
        if text is None and options.field is None:
            # No SemSI "answer" and no --field: a dataset's usual text field ("text", "content", "body").
            text = next((record[f] for f in FALLBACK_FIELDS if isinstance(record.get(f), str)), None)
        if not isinstance(text, str):
            what = "missing" if field not in record else f"not a string ({_json_type(text)})"
            also = f" (nor {', '.join(FALLBACK_FIELDS)})" if options.field is None and what == "missing" else ""
            yield problem(f"{where}: field {field!r} {what}{also}; choose it with --field", record, doc_id)
            continue
        context = record.get(options.context_field) if options.context_field else None
        yield Document(
            id=doc_id,
            text=text,
            context=context if isinstance(context, str) else None,
            source=where,
            record=record,
            newline=detect_newline(text),
        )


def _json_type(value: object) -> str:
    return {type(None): "null", bool: "boolean", int: "number", float: "number", str: "string",
            list: "array", dict: "object"}.get(type(value), type(value).__name__)  # fmt: skip


def _json_error(raw: bytes, exc: json.JSONDecodeError) -> str:
    """'malformed JSON (...)', or the clearer 'several JSON values on one line' for `{..}{..}`."""
    if exc.msg == "Extra data":
        return (f"several JSON values on one line (the second starts at column {exc.colno}); "
                "JSONL needs one object per line")
    return f"malformed JSON ({exc.msg} at column {exc.colno})"


def expand_paths(paths: Sequence[str], globs: Sequence[str] | None = None) -> list[tuple[Path, Path | None]]:
    """Resolve inputs to (file, root folder or None). Missing paths and empty folders are usage errors."""
    patterns = tuple(globs) if globs else DEFAULT_GLOBS
    files: list[tuple[Path, Path | None]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # `x.question.txt` files are the questions of their siblings, not documents.
            found = sorted(
                {p for pattern in patterns for p in path.rglob(pattern) if p.is_file()}
                - {p for p in path.rglob("*.question.txt")}
            )
            if not found:
                raise InputError(f"{path}: no files match {', '.join(patterns)} (use --glob)")
            files.extend((p, path) for p in found)
        elif path.exists():
            files.append((path, None))
        else:
            raise InputError(f"{raw}: no such file or directory")
    return files


def _stdin_bytes() -> bytes:
    stream: BinaryIO = sys.stdin.buffer
    return stream.read()


def iter_documents(
    paths: Sequence[str],
    *,
    globs: Sequence[str] | None = None,
    jsonl: JsonlOptions | None = None,
    context: str | None = None,
    encoding: str | None = None,
    stdin_bytes: bytes | None = None,
) -> Iterator[Document | InputProblem]:
    """All inputs in order. Paths are checked up front so usage errors surface before any work."""
    jsonl = jsonl or JsonlOptions()
    inputs = ["-"] if not paths else list(paths)
    # Validate every path before yielding anything: a typo must not surface after an hour of work.
    resolved = {raw: expand_paths([raw], globs) for raw in inputs if raw != "-"}
    for raw in inputs:
        if raw == "-":
            data = _stdin_bytes() if stdin_bytes is None else stdin_bytes
            if jsonl.stdin_jsonl:
                yield from iter_jsonl_lines(iter(data.splitlines()), "<stdin>", jsonl, encoding)
                continue
            try:
                text = decode_bytes(data, "<stdin>", encoding)
            except InputError as exc:
                yield InputProblem("<stdin>", str(exc))
                continue
            yield Document(id="<stdin>", text=text, context=context, source="<stdin>", newline=detect_newline(text))
            continue
        for path, root in resolved[raw]:
            if is_jsonl(path):
                try:
                    with path.open("rb") as handle:
                        yield from iter_jsonl_lines(handle, str(path), jsonl, encoding)
                except OSError as exc:
                    yield InputProblem(str(path), f"{path}: cannot read ({exc.strerror})")
                continue
            try:
                text = read_text(path, encoding)
            except InputError as exc:
                yield InputProblem(str(path), str(exc))
                continue
            doc_id = str(path.relative_to(root)) if root else str(path)
            yield Document(
                id=doc_id,
                text=text,
                context=context or _sibling_question(path),
                source=str(path),
                newline=detect_newline(text),
            )


def _sibling_question(path: Path) -> str | None:
    """`x.question.txt` beside `x.txt` holds the question the text answers (the paper's setting)."""
    question = path.with_name(path.stem + ".question.txt")
    if question.is_file() and question != path:
        try:
            return question.read_text(encoding="utf-8").strip() or None
        except (OSError, UnicodeDecodeError):
            return None
    return None
