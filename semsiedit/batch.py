"""Batches: stream documents through the loop and write every result safely (SPEC §5, §6).

Documents are read lazily and only a few ahead of the output (`EditingLoop.run_iter`), so memory
stays flat on a large JSONL dataset; each result is written, in input order, as soon as it is done,
so an interrupted run keeps everything finished before the interruption and `--resume` skips it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

from semsiedit.config import Settings
from semsiedit.errors import InputError
from semsiedit.report import BatchSummary, unified_diff
from semsiedit.sinks import (
    JsonlSink,
    atomic_write_text,
    check_no_clobber,
    check_output_folder,
    check_writable,
    done_ids,
    write_in_place,
)
from semsiedit.sources import Document, InputProblem, content_hash, is_jsonl

Format = Literal["text", "json", "jsonl", "diff"]


def output_path(out_dir: Path, doc_id: str) -> Path:
    """Where a document's rewrite goes inside `out_dir`. A folder's files keep their layout ("sub/b.md");
    a file named by an absolute path, or one that climbs out with "..", keeps its path relative to the
    working folder when it lies inside it, else its absolute path without the root, so it never lands
    outside `out_dir` (out_dir / "/abs/a.txt" is "/abs/a.txt": the input itself)."""
    rel = Path(doc_id)
    if rel.is_absolute() or ".." in rel.parts:
        absolute = Path(os.path.abspath(doc_id))
        try:
            rel = absolute.relative_to(Path.cwd())
        except ValueError:
            rel = Path(*absolute.parts[1:])
    return out_dir / rel


@dataclass
class RewriteOptions:
    output: Path | None = None
    in_place: bool = False
    format: Format = "text"
    report: Path | None = None
    resume: bool = False
    color: bool = False  # ANSI colours for a diff written to stdout (resolved from --color)
    encoding: str | None = None  # the explicit --encoding, used again to write --in-place results


def check_outputs(opts: RewriteOptions, inputs: list[str], multi: bool,
                  side: dict[str, Path | None] | None = None) -> None:
    """Every usage and writability check on the outputs (`side`: --html, --mapping, --key-file), run
    before any model loads (exit 2)."""
    jsonl_out = opts.format == "jsonl" or any(is_jsonl(Path(p)) for p in inputs if p != "-")
    if opts.in_place and opts.output is not None:
        raise InputError("--in-place and -o exclude each other: --in-place overwrites the inputs")
    if opts.in_place and (jsonl_out or "-" in inputs):
        raise InputError("--in-place works on text files only (not stdin or JSONL)")
    if multi and not (opts.output or opts.in_place) and opts.format in ("text", "diff") and not jsonl_out:
        raise InputError("several inputs: give -o DIR, --in-place, or --format jsonl")
    out_dir = opts.output if (opts.output and not jsonl_out and multi) else None
    if out_dir is not None:
        check_output_folder(out_dir, [Path(p) for p in inputs if p != "-"])
        if out_dir.exists() and not out_dir.is_dir():
            raise InputError(f"-o {out_dir}: several inputs need a folder, and this is a file")
        check_writable(out_dir / ".probe", "-o")
    elif opts.output is not None:
        single = Path(inputs[0]) if len(inputs) == 1 and inputs[0] != "-" else None
        if single is not None and opts.output.exists() and opts.output.samefile(single):
            raise InputError(f"-o {opts.output} is the input itself; use --in-place to overwrite it")
        check_writable(opts.output, "-o")
    output_file = opts.output if out_dir is None else None
    check_no_clobber({"-o": output_file, "--report": opts.report, **(side or {})},
                     [Path(p) for p in inputs if p != "-"])
    if opts.report is not None:
        check_writable(opts.report, "--report")
    if opts.in_place:
        for raw in inputs:
            folder = Path(raw) if Path(raw).is_dir() else Path(raw).parent
            check_writable(folder / ".semsiedit-backup", "--in-place")


def problem_record(problem: InputProblem) -> dict[str, Any]:
    """The output line for a JSONL row that could not be rewritten: the record untouched (when it
    parsed), `rewritten` null, the error in its report. A malformed line's text is not copied out:
    it was never checked for sensitive content."""
    report = {"id": problem.id or problem.source, "source": problem.source, "line": problem.line,
              "error": problem.message}  # fmt: skip
    return {**(problem.record or {}), "rewritten": None, "semsiedit": report}


def result_record(doc: Document, result, show_values: bool) -> dict[str, Any]:
    """The JSONL line for a document: input fields pass through, `rewritten` and `semsiedit` added."""
    from semsiedit.highlights import edit_highlights

    report = result.to_report(show_values)
    report["source"] = doc.source
    report["highlights"] = edit_highlights(result, show_values)  # where each edit is in `rewritten`
    report["input_sha256"] = content_hash(doc.text)
    if doc.record is not None:
        return {**doc.record, "rewritten": result.rewritten, "semsiedit": report}
    return {"id": doc.id, "rewritten": result.rewritten, "semsiedit": report}


class RewriteRun:
    """One `semsiedit rewrite` invocation: decides the sinks, then streams documents through."""

    def __init__(
        self,
        settings: Settings,
        options: RewriteOptions,
        *,
        loop,
        stdout: TextIO | None = None,
        on_problem: Callable[[str], None] | None = None,
        progress=None,
        on_record: Callable[[Document, dict[str, Any]], None] | None = None,
    ) -> None:
        self.settings = settings
        self.options = options
        self.loop = loop
        self.stdout = stdout or sys.stdout
        self.on_problem = on_problem or (lambda message: print(f"semsiedit: skipped: {message}", file=sys.stderr))
        self.progress = progress
        self.on_record = on_record  # every written record, e.g. for the HTML review page
        self.summary = BatchSummary()
        self.llm_fallbacks = 0  # documents whose LLM calls failed and got the local editor's rewrite

    def run(self, documents: Iterable[Document | InputProblem], *, inputs: list[str], multi: bool) -> BatchSummary:
        opts = self.options
        started = time.perf_counter()
        jsonl_out = opts.format == "jsonl" or any(is_jsonl(Path(p)) for p in inputs if p != "-")
        out_dir = opts.output if (opts.output and not jsonl_out and multi) else None
        check_outputs(opts, inputs, multi)

        jsonl_sink = JsonlSink(opts.output, resume=opts.resume) if (jsonl_out and opts.output) else None
        report_sink = JsonlSink(opts.report, resume=opts.resume) if opts.report else None
        finished: set[str] = set()
        if opts.resume and jsonl_sink is not None:
            finished = done_ids(opts.output)
        # Error rows wait for the documents read before them, so output rows keep the input's order.
        self._pending: list[tuple[int, InputProblem]] = []
        self._yielded = 0
        rows = jsonl_out and (jsonl_sink is not None or opts.output is None)

        def flush_rows(upto: int | None) -> None:
            while self._pending and (upto is None or self._pending[0][0] <= upto):
                _, problem = self._pending.pop(0)
                if opts.resume and (problem.id or problem.source) in finished:
                    continue
                record = problem_record(problem)
                if report_sink:
                    report_sink.write(record["semsiedit"])
                if jsonl_sink is not None:
                    jsonl_sink.write(record)
                else:
                    self.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
                    self.stdout.flush()

        self._rows = rows
        completed = False
        try:
            for index, (doc, result) in enumerate(self.loop.run_iter(self._todo(documents, finished, out_dir))):
                flush_rows(index)
                self.summary.add(result)
                if result.error:  # set by the loop when the LLM failed and the local path took over
                    self.llm_fallbacks += 1
                    print(f"semsiedit: warning: {doc.id}: {result.error}", file=sys.stderr, flush=True)
                record = result_record(doc, result, self.settings.show_values)
                if report_sink:
                    report_sink.write({"id": doc.id, **record["semsiedit"]})
                self._emit(doc, result, record, jsonl_sink, out_dir, jsonl_out)
                if self.on_record:
                    self.on_record(doc, record)
                if self.progress:
                    self.progress()
            flush_rows(None)
            completed = True
            if self.llm_fallbacks:
                print(f"semsiedit: warning: {self.llm_fallbacks} of {self.summary.documents} documents fell back "
                      "to the local editor after LLM failures", file=sys.stderr, flush=True)
        finally:
            # An interrupted run leaves `.partial` files that --resume continues from.
            for sink in (jsonl_sink, report_sink):
                if sink:
                    sink.close(complete=completed)
            self.summary.elapsed_s = time.perf_counter() - started
        return self.summary

    def _todo(
        self, items: Iterable[Document | InputProblem], finished: set[str], out_dir: Path | None
    ) -> Iterator[Document]:
        """The documents to rewrite; unreadable ones are reported and skipped, finished ones counted."""
        for item in items:
            if isinstance(item, InputProblem):
                self.summary.problems.append(item.message)
                self.on_problem(item.message)
                if item.row and self._rows:
                    self._pending.append((self._yielded, item))
            elif self.options.resume and self._already_done(item, finished, out_dir):
                self.summary.skipped_existing += 1
            else:
                self._yielded += 1
                yield item

    def _already_done(self, doc: Document, finished: set[str], out_dir: Path | None) -> bool:
        if doc.id in finished:
            return True
        return out_dir is not None and output_path(out_dir, doc.id).is_file()

    def _emit(self, doc: Document, result, record, jsonl_sink: JsonlSink | None, out_dir: Path | None, jsonl_out: bool):
        opts = self.options
        if opts.in_place:
            try:
                write_in_place(Path(doc.source), result.rewritten, opts.encoding)
            except InputError as exc:  # e.g. the rewrite does not fit a Latin-1 file: input unchanged
                self.summary.problems.append(str(exc))
                self.on_problem(str(exc))
        elif jsonl_sink is not None:
            jsonl_sink.write(record)
        elif out_dir is not None:
            target = output_path(out_dir, doc.id)
            if doc.source and Path(doc.source).exists() and target.exists() and target.samefile(doc.source):
                raise InputError(f"{target} is the input itself; use --in-place to overwrite it")
            atomic_write_text(target, self._render(doc, result, record))
        elif opts.output is not None:
            if Path(doc.source) == opts.output or (opts.output.exists() and opts.output.samefile(doc.source)):
                raise InputError(f"-o {opts.output} is the input itself; use --in-place to overwrite it")
            atomic_write_text(opts.output, self._render(doc, result, record))
        elif jsonl_out:
            self.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            rendered = self._render(doc, result, record)
            if opts.color and opts.format == "diff":
                from semsiedit.color import color_diff

                rendered = color_diff(rendered)
            self.stdout.write(rendered)
        self.stdout.flush()

    def _render(self, doc: Document, result, record) -> str:
        fmt = self.options.format
        if fmt == "json":
            return json.dumps(record, ensure_ascii=False, indent=2) + "\n"
        if fmt == "jsonl":
            return json.dumps(record, ensure_ascii=False) + "\n"
        if fmt == "diff":
            return unified_diff(doc.text, result.rewritten, doc.id)
        return result.rewritten
