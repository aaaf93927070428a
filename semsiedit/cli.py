"""The command line: a thin shell that parses options, builds Settings and calls the library.

Nothing heavy is imported at module level, so `semsiedit --help` answers at once.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Annotated, Any

# typer's rich help rendering alone costs more than importing typer; plain help keeps `--help`
# instant (SPEC §7). TYPER_USE_RICH=1 brings the boxes back.
os.environ.setdefault("TYPER_USE_RICH", "0")

import typer  # after the setting above

from semsiedit import __version__
from semsiedit.errors import InputError, SemsieditError

app = typer.Typer(
    name="semsiedit",
    help="Find sensitive information in text and rewrite it — instead of refusing or deleting — "
    "scored by leakage against utility.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# -- shared options ---------------------------------------------------------------------------
Paths = Annotated[list[str] | None, typer.Argument(help="Files, folders, JSONL datasets, or - for stdin.")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="Config file (default: ./semsiedit.toml).")]
ModelOpt = Annotated[str | None, typer.Option("--model", "-m", help="LLM model name; none = local editor.")]
BaseUrlOpt = Annotated[str | None, typer.Option("--base-url", help="OpenAI-compatible endpoint URL.")]
CriticOpt = Annotated[str | None, typer.Option("--critic", help="auto | local | llm")]
EditorOpt = Annotated[str | None, typer.Option("--editor", help="auto | local | llm")]
GlobOpt = Annotated[list[str] | None, typer.Option("--glob", help="File pattern inside folders (repeatable).")]
FieldOpt = Annotated[
    str | None, typer.Option("--field", help="JSONL field holding the text [default: answer, else text/content/body].")
]
ContextFieldOpt = Annotated[str | None, typer.Option("--context-field", help="JSONL field holding the question.")]
IdFieldOpt = Annotated[str | None, typer.Option("--id-field", help="JSONL field holding the document id.")]
ContextOpt = Annotated[str | None, typer.Option("--context", help="The question the text answers.")]
EncodingOpt = Annotated[str | None, typer.Option("--encoding", help="Input encoding (default: UTF-8 or BOM).")]
CategoriesOpt = Annotated[
    str | None, typer.Option("--categories", help="Comma-separated: pii,privacy,harmful,misinformation.")
]
ShowValuesOpt = Annotated[bool, typer.Option("--show-values", help="Show sensitive values in reports/tables.")]
TimeoutOpt = Annotated[
    float | None, typer.Option("--timeout", help="Seconds per LLM request (default 60; config `timeout`).")
]
DocTimeoutOpt = Annotated[
    float | None,
    typer.Option("--document-timeout", help="Seconds of LLM time per document, then the local editor (default 180)."),
]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", help="LLM requests in flight at most.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]
ProfileOpt = Annotated[
    str | None, typer.Option("--profile", help="record | public | auto (per document; default auto).")
]
ProtectOpt = Annotated[str | None, typer.Option("--protect", help="Privacy goal for the LLM: what else to protect.")]
PreserveOpt = Annotated[str | None, typer.Option("--preserve", help="Privacy goal for the LLM: what to keep intact.")]
RiskOpt = Annotated[str | None, typer.Option("--risk", help="needs_review thresholds: strict | balanced | lenient.")]
MappingOpt = Annotated[
    Path | None, typer.Option("--mapping", help="Encrypted surrogate -> original map (for `restore`).")
]
KeyFileOpt = Annotated[
    Path | None,
    typer.Option("--key-file", help="Mapping key file (default: $SEMSIEDIT_MAPPING_KEY, else MAPPING.key)."),
]
ColorOpt = Annotated[
    str, typer.Option("--color", help="auto | always | never: colours on a terminal (auto respects NO_COLOR).")
]
HtmlOpt = Annotated[Path | None, typer.Option("--html", help="Write a self-contained HTML review page.")]
SpecificClaimsOpt = Annotated[
    bool | None,
    typer.Option("--specific-claims/--no-specific-claims",
                 help="Flag specific dated/numeric claims about named subjects as unverified misinformation "
                      "(default: the `specific_claims` setting, off; with learned detection, even where the "
                      "model does not confirm them: more recall, less precision)."),
]


def _settings(config: Path | None, **flags: Any):
    """Settings from the config layers plus the flags given: a flag left at None is not given.
    On/off switches pass `flag or None`, so an unset switch never overrides the config file."""
    from semsiedit.config import load_settings

    if isinstance(flags.get("categories"), str):
        flags["categories"] = [c.strip() for c in flags["categories"].split(",") if c.strip()]
    return load_settings({k: v for k, v in flags.items() if v is not None}, config_path=config)


def _stderr(color: str = "auto"):
    from rich.console import Console

    return Console(stderr=True, no_color=color == "never" or None)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"semsiedit {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    debug: DebugOpt = False,
) -> None:
    """semsiedit: detect → critique → rewrite sensitive spans, then score leakage against utility."""


# -- rewrite ----------------------------------------------------------------------------------
@app.command()
def rewrite(
    paths: Paths = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Output file, or folder for many.")] = None,
    in_place: Annotated[
        bool, typer.Option("--in-place", help="Overwrite inputs, backing each up to FILE.bak (.bak.1, … if taken).")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text | json | jsonl | diff")] = "text",
    report: Annotated[Path | None, typer.Option("--report", help="Write per-document reports (JSONL).")] = None,
    glob: GlobOpt = None,
    field: FieldOpt = None,
    context_field: ContextFieldOpt = None,
    id_field: IdFieldOpt = None,
    context: ContextOpt = None,
    encoding: EncodingOpt = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    critic: CriticOpt = None,
    editor: EditorOpt = None,
    max_iterations: Annotated[int | None, typer.Option("--max-iterations", help="Rounds (default 3).")] = None,
    pseudonyms: Annotated[str | None, typer.Option("--pseudonyms", help="descriptor | placeholder | fake")] = None,
    surrogate_key: Annotated[
        str | None,
        typer.Option("--surrogate-key", help="Key the surrogates derive from (secret: non-guessable). Env/config too."),
    ] = None,
    categories: CategoriesOpt = None,
    leak_threshold: Annotated[float | None, typer.Option("--leak-threshold", help="Residual that counts.")] = None,
    jobs: JobsOpt = None,
    timeout: TimeoutOpt = None,
    document_timeout: DocTimeoutOpt = None,
    resume: Annotated[bool, typer.Option("--resume", help="Skip documents already in the output.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use the LLM reply cache.")] = False,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="LLM reply cache folder.")] = None,
    no_score: Annotated[bool, typer.Option("--no-score", help="Skip embedding scores (faster).")] = False,
    fail_on_leak: Annotated[bool, typer.Option("--fail-on-leak", help="Exit 1 if leakage remains.")] = False,
    profile: ProfileOpt = None,
    protect: ProtectOpt = None,
    preserve: PreserveOpt = None,
    risk: RiskOpt = None,
    fail_on_review: Annotated[
        bool, typer.Option("--fail-on-review", help="Exit 1 if any document needs review.")
    ] = False,
    show_values: ShowValuesOpt = False,
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes for the local path.")] = None,
    engine: Annotated[str, typer.Option("--engine", help="local | ray (pip install 'semsiedit[ray]').")] = "local",
    ray_address: Annotated[str | None, typer.Option("--ray-address", help="Join this Ray cluster.")] = None,
    mapping: MappingOpt = None,
    key_file: KeyFileOpt = None,
    html: HtmlOpt = None,
    show_progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress",
                     help="Progress on stderr: a bar on a terminal (the default for batches), else a status line "
                          "every 10 s."),
    ] = None,
    color: ColorOpt = "auto",
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Rewrite sensitive spans in files, folders, JSONL datasets or stdin."""
    from semsiedit import api

    if fmt not in ("text", "json", "jsonl", "diff"):
        raise InputError(f"--format must be text, json, jsonl or diff, not {fmt!r}")
    settings = _settings(
        config, model=model, base_url=base_url, critic=critic, editor=editor, max_iterations=max_iterations,
        pseudonyms=pseudonyms, surrogate_key=surrogate_key, categories=categories, leak_threshold=leak_threshold,
        jobs=jobs, timeout=timeout,
        document_timeout=document_timeout, no_cache=no_cache or None, cache_dir=cache_dir,
        show_values=show_values or None,
        score=False if no_score else None, profile=profile, protect=protect, preserve=preserve, risk=risk,
        workers=workers,
    )
    summary = api.rewrite_paths(
        paths or ["-"], settings, output=output, in_place=in_place, fmt=fmt, report=report, globs=glob,
        field=field, context_field=context_field, id_field=id_field, context=context, encoding=encoding,
        resume=resume, mapping=mapping, key_file=key_file, html=html, show_progress=show_progress,
        color=color, console=_stderr(color), engine=engine, ray_address=ray_address,
    )
    if summary.backend_down:
        # Nothing was lost (every document has the local rewrite), but a script must notice.
        print(f"semsiedit: error: the LLM backend failed for all {summary.documents} documents; "
              "they got the local editor's rewrite", file=sys.stderr)
        raise typer.Exit(3)
    if fail_on_leak and (summary.leaked_spans or summary.docs_flagged_after):
        raise typer.Exit(1)
    if fail_on_review and summary.needs_review:
        raise typer.Exit(1)
    if summary.problems:
        raise typer.Exit(2)


# -- detect -----------------------------------------------------------------------------------
@app.command()
def detect(
    paths: Paths = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table | json | jsonl")] = "table",
    glob: GlobOpt = None,
    field: FieldOpt = None,
    context_field: ContextFieldOpt = None,
    id_field: IdFieldOpt = None,
    context: ContextOpt = None,
    encoding: EncodingOpt = None,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    critic: CriticOpt = None,
    categories: CategoriesOpt = None,
    jobs: JobsOpt = None,
    timeout: TimeoutOpt = None,
    show_values: ShowValuesOpt = False,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """List findings. Exit 1 when anything sensitive is found."""
    from semsiedit import api

    if fmt not in ("table", "json", "jsonl"):
        raise InputError(f"--format must be table, json or jsonl, not {fmt!r}")
    settings = _settings(
        config, model=model, base_url=base_url, critic=critic, categories=categories, jobs=jobs, timeout=timeout,
        show_values=show_values or None,
    )
    found = api.detect_paths(
        paths or ["-"], settings, fmt=fmt, globs=glob, field=field, context_field=context_field,
        id_field=id_field, context=context, encoding=encoding, console=_stderr(),
    )
    raise typer.Exit(1 if found else 0)


# -- score ------------------------------------------------------------------------------------
@app.command()
def score(
    original: Annotated[str, typer.Argument(help="Original text file, or - for stdin.")],
    rewritten: Annotated[str, typer.Argument(help="Rewritten text file, or - for stdin.")],
    findings: Annotated[
        Path | None, typer.Option("--findings", help="Findings JSON (from `detect -f json`) instead of detecting.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    leak_threshold: Annotated[float | None, typer.Option("--leak-threshold")] = None,
    categories: CategoriesOpt = None,
    encoding: EncodingOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Leakage and utility of a rewrite against its original."""
    from semsiedit import api

    if original == "-" and rewritten == "-":
        raise InputError("only one of ORIGINAL and REWRITE can be stdin")
    settings = _settings(config, leak_threshold=leak_threshold, categories=categories)
    api.score_pair(original, rewritten, settings, findings=findings, as_json=as_json, encoding=encoding)


# -- eval -------------------------------------------------------------------------------------
@app.command("eval")
def eval_(
    dataset: Annotated[Path, typer.Argument(help="Labelled dataset (SemSI-bench JSONL).")],
    task: Annotated[str, typer.Option("--task", help="rewrite | detect")] = "rewrite",
    out: Annotated[Path | None, typer.Option("--out", help="Folder for summary.json, per_doc.jsonl, pareto.png.")] = (
        None
    ),
    rewritten_file: Annotated[
        Path | None, typer.Option("--rewritten", help="Score rewrites made elsewhere (JSONL, field `rewritten`).")
    ] = None,
    sweep: Annotated[
        list[str] | None, typer.Option("--sweep", help="SETTING=v1,v2,… e.g. max_iterations=0,1,2,3")
    ] = None,
    baselines: Annotated[bool, typer.Option("--baselines/--no-baselines", help="Add redact/Presidio points.")] = True,
    field: FieldOpt = "answer",
    context_field: Annotated[str | None, typer.Option("--context-field")] = "prompt",
    limit: Annotated[int | None, typer.Option("--limit", help="Only the first N rows.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    max_iterations: Annotated[int | None, typer.Option("--max-iterations")] = None,
    jobs: JobsOpt = None,
    specific_claims: SpecificClaimsOpt = None,
    profile: ProfileOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Run the loop (or the detectors) over a labelled dataset and report leakage against utility."""
    from semsiedit import evaluation

    if task not in ("rewrite", "detect"):
        raise InputError(f"--task must be rewrite or detect, not {task!r}")
    if not dataset.is_file():
        raise InputError(f"{dataset}: no such file")
    settings = _settings(config, model=model, base_url=base_url, max_iterations=max_iterations, jobs=jobs,
                         profile=profile)
    if specific_claims is not None:
        settings.specific_claims = specific_claims
    evaluation.run_eval_command(
        dataset, settings, task=task, out=out, rewritten=rewritten_file, sweep=sweep or [], baselines=baselines,
        field=field, context_field=context_field, limit=limit, as_json=as_json, console=_stderr(),
    )


# -- ask --------------------------------------------------------------------------------------
@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question for the LLM.")],
    show_rounds: Annotated[bool, typer.Option("--show-rounds", help="Print each round to stderr.")] = False,
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    max_iterations: Annotated[int | None, typer.Option("--max-iterations")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text | json")] = "text",
    no_cache: Annotated[bool, typer.Option("--no-cache")] = False,
    timeout: TimeoutOpt = None,
    document_timeout: DocTimeoutOpt = None,
    specific_claims: SpecificClaimsOpt = None,
    show_values: ShowValuesOpt = False,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Generate an answer with the LLM, then edit it with the question as context (the paper's setting)."""
    from semsiedit import api

    settings = _settings(
        config, model=model, base_url=base_url, max_iterations=max_iterations, no_cache=no_cache or None,
        timeout=timeout, document_timeout=document_timeout,
        show_values=show_values or None,
    )
    if specific_claims is not None:
        settings.specific_claims = specific_claims
    api.ask(question, settings, show_rounds=show_rounds, fmt=fmt, console=_stderr())


# -- restore ----------------------------------------------------------------------------------
@app.command()
def restore(
    source: Annotated[str, typer.Argument(help="Text that uses the surrogates (file, or - for stdin).")] = "-",
    mapping: Annotated[Path | None, typer.Option("--mapping", help="The mapping written by `rewrite --mapping`.")] = (
        None
    ),
    key_file: KeyFileOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    encoding: EncodingOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Put the original values back for the pseudonyms of a rewrite (e.g. in an LLM's answer)."""
    from semsiedit import api

    if mapping is None:
        raise InputError("restore needs --mapping FILE (written by `semsiedit rewrite --mapping FILE`)")
    api.restore_paths(source, mapping, key_file=key_file, output=output, encoding=encoding)


# -- report -----------------------------------------------------------------------------------
@app.command()
def report(
    results: Annotated[Path, typer.Argument(help="A rewrite's JSONL output (records with `semsiedit` reports).")],
    html: HtmlOpt = None,
    pareto: Annotated[
        Path | None, typer.Option("--pareto", help="Pareto PNG to inline (default: pareto.png beside RESULTS).")
    ] = None,
    show_values: ShowValuesOpt = False,
    debug: DebugOpt = False,
) -> None:
    """The review page (--html) of a rewrite's JSONL output; without --html, the summary as JSON."""
    from semsiedit.review_page import report_command

    def warn(message: str) -> None:
        print(f"semsiedit: skipped: {message}", file=sys.stderr)

    report_command(results, html, show_values=show_values or None, pareto=pareto, warn=warn, stdout=sys.stdout)


# -- doctor -----------------------------------------------------------------------------------
@app.command()
def doctor(
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Show which models and backends are installed and reachable."""
    from semsiedit import doctor as doctor_mod

    settings = _settings(config, model=model, base_url=base_url)
    ok = doctor_mod.run(settings, console=_stderr(), stdout=sys.stdout)
    raise typer.Exit(0 if ok else 3)


cache_app = typer.Typer(help="The LLM reply cache (encrypted replies in the user cache folder).", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


@cache_app.command("clear")
def cache_clear(
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Cache folder (default: ~/.cache/semsiedit).")
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Delete every cached LLM reply and the cache's key."""
    from semsiedit.llm.cache import clear_cache, default_cache_dir

    folder = default_cache_dir(_settings(config, cache_dir=cache_dir))
    count = clear_cache(folder)
    print(f"semsiedit: removed {count} cached replies from {folder}", file=sys.stderr)


def _interrupted() -> None:
    """Exit 130 without joining worker threads: `--jobs` workers may be waiting on LLM replies for
    up to the timeout. The outputs are closed by now (finished documents kept for --resume)."""
    print("semsiedit: interrupted", file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    if "logging" in sys.modules:  # imported by the pipeline, not by `--help` (start-up time)
        sys.modules["logging"].shutdown()
    os._exit(130)


def _one_line(exc: BaseException) -> str:
    """An error is one line in a pipe or a log, whatever the terminal width."""
    return " ".join(str(exc).split())


def _print_traceback() -> None:
    import traceback  # only on --debug: not imported for `--help` (start-up time)

    traceback.print_exc()


def main() -> None:
    """Console entry point: one clear stderr line and the SPEC §5 exit code for every failure."""
    debug = "--debug" in sys.argv or os.environ.get("SEMSIEDIT_DEBUG") == "1"
    try:
        # standalone_mode=False: errors reach us, and typer.Exit comes back as the return value.
        code = app(standalone_mode=False)
    except SemsieditError as exc:
        if debug:  # the traceback as well, never a different exit code
            _print_traceback()
        print(f"semsiedit: error: {_one_line(exc)}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        _interrupted()
    except BrokenPipeError:
        # `semsiedit rewrite big.jsonl | head`: the reader left; not an error worth a traceback.
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # click's usage errors (typer vendors click)
            exc.show()
            sys.exit(2)
        if debug:
            _print_traceback()
            print(f"semsiedit: error: {type(exc).__name__}: {_one_line(exc)}", file=sys.stderr)
        else:
            print(f"semsiedit: error: {type(exc).__name__}: {_one_line(exc)} (rerun with --debug for the traceback)",
                  file=sys.stderr)
        sys.exit(2)
    if code == 130:  # typer turns Ctrl-C into Exit(130), which standalone_mode=False returns
        _interrupted()
    sys.exit(code if isinstance(code, int) else 0)
