"""The library calls behind each CLI command. Usable from Python without the CLI."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from semsiedit.batch import RewriteOptions, RewriteRun
from semsiedit.config import Settings
from semsiedit.errors import InputError
from semsiedit.models import set_offline_environment
from semsiedit.report import BatchSummary, findings_table, summary_table
from semsiedit.sources import (
    Document,
    InputProblem,
    JsonlOptions,
    decode_bytes,
    expand_paths,
    iter_documents,
    read_text,
)
from semsiedit.types import DocumentResult, Finding

if TYPE_CHECKING:
    from rich.console import Console


def _is_multi(paths: Sequence[str], globs: Sequence[str] | None) -> bool:
    if len(paths) > 1:
        return True
    return paths[0] != "-" and Path(paths[0]).is_dir()


def _documents(paths, *, globs, field, context_field, id_field, context, encoding):
    stdin_jsonl = "-" in paths and (context_field is not None or id_field is not None or field is not None)
    options = JsonlOptions(field=field, context_field=context_field, id_field=id_field, stdin_jsonl=stdin_jsonl)
    return iter_documents(paths, globs=globs, jsonl=options, context=context, encoding=encoding)


def _with(settings: Settings | None, overrides: dict[str, Any]) -> Settings:
    """`settings` (default: built-in defaults) with keyword overrides, validated like a config file."""
    from pydantic import ValidationError

    from semsiedit.errors import ConfigError

    if not overrides:
        return settings or Settings()
    base = settings.model_dump() if settings is not None else {}
    try:
        return Settings(**{**base, **overrides})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(f"invalid setting {'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def _contexts(texts: Sequence[str], contexts: Sequence[str | None] | None) -> list[str | None]:
    if contexts is None:
        return [None] * len(texts)
    if len(contexts) != len(texts):
        raise InputError(f"{len(texts)} texts but {len(contexts)} contexts")
    return list(contexts)


def rewrite_texts(
    texts: Sequence[str],
    settings: Settings | None = None,
    *,
    contexts: Sequence[str | None] | None = None,
    vault=None,
    **overrides: Any,
) -> list[DocumentResult]:
    """Rewrite several texts as one run (the same value gets the same surrogate in all of them).

    Returns one `DocumentResult` per text, in order: `.rewritten`, `.findings_before/after`,
    `.rounds` (with every edit), `.scores`. Keyword overrides are `Settings` fields
    (`pseudonyms="fake"`, `max_iterations=1`, `score=False` ...). A `semsiedit.mapping.Vault`
    as `vault` collects the surrogate -> original map (`vault.restore(llm_answer)`).
    """
    texts = list(texts)
    docs = [Document(id=f"text{i + 1}", text=t, context=c)
            for i, (t, c) in enumerate(zip(texts, _contexts(texts, contexts), strict=True))]
    return _rewrite(docs, _with(settings, overrides), vault)


def rewrite_text(text: str, settings: Settings | None = None, *, context: str | None = None, vault=None,
                 **overrides: Any) -> DocumentResult:
    """Rewrite one text; returns its `DocumentResult` (`.rewritten` is the new text)."""
    return _rewrite([Document(id="text", text=text, context=context)], _with(settings, overrides), vault)[0]


def _rewrite(docs: list[Document], settings: Settings, vault=None) -> list[DocumentResult]:
    from semsiedit.loop import build_loop

    for i, doc in enumerate(docs):
        if not isinstance(doc.text, str):
            raise InputError(f"text {i + 1} is {type(doc.text).__name__}, not str")
    set_offline_environment()
    loop = build_loop(settings)
    if vault is not None:
        vault.watch(loop)
    return loop.run_many(docs)


def detect_texts(
    texts: Sequence[str],
    settings: Settings | None = None,
    *,
    contexts: Sequence[str | None] | None = None,
    **overrides: Any,
) -> list[list[Finding]]:
    """The findings (detectors, then the critic: the LLM when one is configured) for each text."""
    from semsiedit.critique import LLMCritic, LocalCritic
    from semsiedit.detection import DetectionEngine

    texts = list(texts)
    settings = _with(settings, overrides)
    set_offline_environment()
    # One engine per configuration and process: Presidio is set up and workers forked once, however
    # many calls a run makes (detect_paths flushes every 64 documents).
    detected = DetectionEngine.shared(settings).detect_many(texts)
    critic = LocalCritic()
    if settings.llm_configured and settings.critic != "local":
        from semsiedit.llm import make_client

        critic = LLMCritic(make_client(settings), settings)
    return [
        critic.critique(text, context, found).findings
        for text, context, found in zip(texts, _contexts(texts, contexts), detected, strict=True)
    ]


def detect_text(text: str, settings: Settings | None = None, *, context: str | None = None,
                **overrides: Any) -> list[Finding]:
    """The findings in one text: `Finding(start, end, text, category, label, severity, ...)`."""
    return detect_texts([text], settings, contexts=[context], **overrides)[0]


def rewrite_paths(
    paths: Sequence[str],
    settings: Settings,
    *,
    output: Path | None = None,
    in_place: bool = False,
    fmt: str = "text",
    report: Path | None = None,
    globs: Sequence[str] | None = None,
    field: str | None = None,
    context_field: str | None = None,
    id_field: str | None = None,
    context: str | None = None,
    encoding: str | None = None,
    resume: bool = False,
    mapping: Path | None = None,
    key_file: Path | None = None,
    html: Path | None = None,
    show_progress: bool | None = None,
    color: str = "auto",
    console: Console | None = None,
    stdout=None,
    engine: str = "local",
    ray_address: str | None = None,
) -> BatchSummary:
    """`engine`: local (this process, or `settings.workers` processes) or ray (semsiedit.engines)."""
    from semsiedit.batch import check_outputs
    from semsiedit.engines import make_engine

    set_offline_environment()
    multi = _is_multi(paths, globs)
    # Path and output errors surface here, before any model loads.
    for raw in paths:
        if raw != "-":
            expand_paths([raw], globs)
    from semsiedit.color import wants_color

    options = RewriteOptions(output=output, in_place=in_place, format=fmt, report=report, resume=resume,
                             encoding=encoding, color=wants_color(color, stdout or sys.stdout))
    check_outputs(options, list(paths), multi, {"--html": html, "--mapping": mapping, "--key-file": key_file})
    documents = _documents(paths, globs=globs, field=field, context_field=context_field, id_field=id_field,
                           context=context, encoding=encoding)
    vault = key = None
    if mapping is not None:  # before the models load: a mapping we cannot read stops the run now
        from semsiedit.mapping import open_vault

        if engine != "local" or settings.workers > 1:
            raise InputError("--mapping needs the in-process engine (no --engine ray, no --workers)")
        vault, key = open_vault(mapping, key_file, resume=resume, notify=_note_printer(console))
        settings = settings.model_copy(update={"workers": 1})  # auto would fork: the vault watches this process
    loop = make_engine(settings, engine, ray_address=ray_address)
    if vault is not None:
        vault.watch(loop)
    records: list[dict[str, Any]] = []
    originals: dict[int, str] = {}

    def keep(doc: Document, record: dict[str, Any]) -> None:
        if settings.show_values:
            originals[len(records)] = doc.text
        records.append(record)

    try:
        summary = _run_batch(loop, documents, paths, settings, multi, console, stdout, options,
                             on_record=keep if html is not None else None, show_progress=show_progress, globs=globs)
    finally:
        if html is not None and records:  # after Ctrl-C too: the documents that were finished
            from semsiedit.review_page import write_review

            write_review(html, records, show_values=settings.show_values, originals=originals)
        if vault is not None and mapping is not None and key is not None:
            vault.save(mapping, key)  # also after Ctrl-C: the finished documents' surrogates
            if vault.ambiguous():
                _note_printer(console)(f"semsiedit: warning: {vault.ambiguous()} surrogates stood for several "
                                       "values in this run; restore leaves them as they are")
    if summary.documents == 0 and summary.problems and not summary.skipped_existing:
        raise InputError(f"no document could be read ({len(summary.problems)} skipped)")
    return summary


def _run_batch(loop, documents, paths, settings, multi, console, stdout, options: RewriteOptions,
               on_record=None, show_progress: bool | None = None, globs=None) -> BatchSummary:
    from semsiedit import progress

    jsonl = any(p.endswith(".jsonl") for p in paths)
    single = not multi and not jsonl
    long_single = single and paths[0] != "-" and Path(paths[0]).stat().st_size > progress.LONG_DOCUMENT_CHARS
    mode = progress.choose_mode(show_progress, is_terminal=console is not None and console.is_terminal,
                                worth_it=multi or jsonl or long_single)
    total = progress.count_documents(list(paths), globs) if mode != "off" and not single else None
    run = RewriteRun(settings, options, loop=loop, stdout=stdout, on_record=on_record,
                     on_problem=_problem_printer(console))
    with progress.RunProgress(mode, console=console, total=1 if single else total, single=single) as shown:
        summary = run.summary
        run.progress = lambda: shown.update(summary.documents + summary.skipped_existing + len(summary.problems))
        summary = run.run(documents, inputs=list(paths), multi=multi)
    if console is not None and (multi or summary.documents > 1 or jsonl):
        console.print(summary_table(summary))
    return summary


def _note_printer(console: Console | None):
    def note(message: str) -> None:
        if console is not None:
            console.print(message, markup=False, highlight=False, soft_wrap=True)
        else:
            print(message, file=sys.stderr)

    return note


def restore_paths(source: str, mapping: Path, *, key_file: Path | None = None, output: Path | None = None,
                  encoding: str | None = None, stdout=None) -> int:
    """`semsiedit restore`: the originals back into a text that uses the surrogates; returns the count."""
    from semsiedit.mapping import default_key_path, restore_text
    from semsiedit.sinks import check_no_clobber

    read = [Path(source)] if source != "-" else []
    check_no_clobber({"-o": output}, [*read, mapping, key_file or default_key_path(mapping)])
    text = _read_arg(source, encoding)
    restored, count = restore_text(text, mapping, key_file)
    if output is not None:
        from semsiedit.sinks import atomic_write_text

        atomic_write_text(output, restored)
    else:
        (stdout or sys.stdout).write(restored)
    return count


def _problem_printer(console: Console | None):
    from rich.markup import escape

    def report(message: str) -> None:
        if console is not None:
            # soft_wrap: one line whatever the width; a pipe or a log must not get it cut at 80 columns.
            console.print(f"[yellow]semsiedit: skipped:[/yellow] {escape(' '.join(message.split()))}", markup=True,
                          highlight=False, soft_wrap=True)
        else:
            print(f"semsiedit: skipped: {message}", file=sys.stderr)

    return report


def detect_documents(documents: list[Document], settings: Settings) -> list[list[Finding]]:
    """Detectors, then the critic (LLM when configured) on each document."""
    return detect_texts([d.text for d in documents], settings, contexts=[d.context for d in documents])


def detect_paths(
    paths: Sequence[str],
    settings: Settings,
    *,
    fmt: str = "table",
    globs: Sequence[str] | None = None,
    field: str | None = None,
    context_field: str | None = None,
    id_field: str | None = None,
    context: str | None = None,
    encoding: str | None = None,
    console: Console | None = None,
    stdout=None,
) -> bool:
    """Print findings; returns True when anything was found."""
    set_offline_environment()
    stdout = stdout or sys.stdout
    for raw in paths:
        if raw != "-":
            expand_paths([raw], globs)
    found_any = False
    problems = 0
    batch: list[Document] = []
    everything: list[dict[str, Any]] = []
    def flush() -> None:
        nonlocal found_any
        if not batch:
            return
        for doc, findings in zip(batch, detect_documents(batch, settings), strict=True):
            found_any |= bool(findings)
            record = {"id": doc.id, "findings": [f.to_dict(settings.show_values) for f in findings]}
            if fmt == "jsonl":
                stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            elif fmt == "json":
                everything.append(record)
            else:
                from rich.console import Console

                width = None if stdout.isatty() else 160  # piped tables: wide, not 80 columns
                table = findings_table(doc.id, doc.text, findings, settings.show_values)
                Console(file=stdout, width=width).print(table)
        batch.clear()

    for item in _documents(paths, globs=globs, field=field, context_field=context_field, id_field=id_field,
                           context=context, encoding=encoding):
        if isinstance(item, InputProblem):
            problems += 1
            _problem_printer(console)(item.message)
            continue
        batch.append(item)
        if len(batch) >= 64:
            flush()
    flush()
    if fmt == "json":
        stdout.write(json.dumps(everything, ensure_ascii=False, indent=2) + "\n")
    if problems and not everything and not found_any and fmt != "jsonl" and fmt != "table":
        raise InputError(f"no document could be read ({problems} skipped)")
    return found_any


def _read_arg(raw: str, encoding: str | None) -> str:
    if raw == "-":
        return decode_bytes(sys.stdin.buffer.read(), "<stdin>", encoding)
    path = Path(raw)
    if not path.exists():
        raise InputError(f"{raw}: no such file")
    return read_text(path, encoding)


def load_findings_json(path: Path, text: str) -> list[Finding]:
    """Findings from `detect -f json` (one document) or a plain list of {start, end, category, ...}."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a findings JSON file ({exc})") from None
    if isinstance(data, list) and data and isinstance(data[0], dict) and "findings" in data[0]:
        data = data[0]["findings"]
    elif isinstance(data, dict):
        data = data.get("findings", [])
    findings = []
    for item in data:
        try:
            start, end = int(item["start"]), int(item["end"])
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{path}: each finding needs integer start and end") from None
        if not 0 <= start < end <= len(text):
            raise InputError(f"{path}: finding offsets {start}-{end} are outside the original text")
        findings.append(Finding(start, end, text[start:end], item.get("category", "pii"), item.get("label", ""),
                                int(item.get("severity", 2))))
    return findings


def score_pair(original: str, rewritten: str, settings: Settings, *, findings: Path | None = None,
               as_json: bool = False, encoding: str | None = None, stdout=None) -> dict[str, Any]:
    from semsiedit.scoring import Scorer

    set_offline_environment()
    stdout = stdout or sys.stdout
    original_text = _read_arg(original, encoding)
    rewritten_text = _read_arg(rewritten, encoding)
    if findings is not None:
        spans = load_findings_json(findings, original_text)
    else:
        spans = detect_documents([Document(id="original", text=original_text)], settings)[0]
    scores = Scorer(settings).score(original_text, rewritten_text, spans)
    result = scores.to_dict()
    result["spans_by_category"] = {c: sum(f.category == c for f in spans) for c in settings.categories}
    if as_json:
        stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="leakage against utility")
        table.add_column("measure")
        table.add_column("value", justify="right")
        table.add_row("utility (sentence coverage)", f"{scores.utility:.3f}")
        table.add_row("utility (whole text)", f"{scores.utility_whole:.3f}")
        table.add_row("leakage before → after", f"{scores.leakage_before:.3f} → {scores.leakage_after:.3f}")
        table.add_row("spans leaked / total", f"{scores.leaked_spans} / {scores.total_spans}")
        table.add_row("length ratio", f"{scores.length_ratio:.2f}")
        Console(file=stdout).print(table)
    return result


def ask(question: str, settings: Settings, *, show_rounds: bool = False, fmt: str = "text",
        console: Console | None = None, stdout=None):
    """The paper's setting: the LLM answers, then the loop edits the answer with the question as context."""
    from semsiedit.errors import BackendUnavailable, LLMError
    from semsiedit.llm import make_client
    from semsiedit.loop import build_loop
    from semsiedit.prompts import load_prompt

    set_offline_environment()
    stdout = stdout or sys.stdout
    if not question.strip():
        raise InputError("the question is empty")
    if not settings.llm_configured:
        raise BackendUnavailable("`ask` needs an LLM: set --model (and --base-url) or SEMSIEDIT_MODEL")
    client = make_client(settings)
    prompt = load_prompt("generator")
    try:
        answer = client.complete_text(prompt.system, prompt.render(question=question)).text
    except LLMError as exc:
        raise BackendUnavailable(f"the LLM could not answer ({exc.kind}): {exc}") from None
    loop = build_loop(settings, client_factory=lambda _s: client)
    result = loop.run(Document(id="answer", text=answer, context=question))
    if show_rounds and console is not None:
        console.rule("generated answer")
        console.print(answer if settings.show_values else f"[{len(answer)} characters; --show-values to print]")
        for record in result.rounds:
            accepted = sum(d.accepted for d in record.decisions)
            console.print(f"round {record.iteration}: {len(record.findings)} findings, "
                          f"{accepted}/{len(record.decisions)} edits accepted; {'; '.join(record.notes)}")
    if fmt == "json":
        stdout.write(json.dumps({"question": question, "answer": result.rewritten,
                                 "semsiedit": result.to_report(settings.show_values)}, ensure_ascii=False) + "\n")
    else:
        stdout.write(result.rewritten.rstrip("\n") + "\n")
    return result
