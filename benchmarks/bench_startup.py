"""Start-up time: `semsiedit --help` against `python -c "import typer"` (SPEC §7: within 1.5×).

    python benchmarks/bench_startup.py [--runs 15]

The commands run alternately (round-robin, order rotated each round) so that load on the shared
machine hits them alike; medians and the ratio to the typer baseline are printed. Then `--help` is
run once more in-process to list which heavy modules it imported (should be none) and, with
`python -X importtime`, the slowest imports.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time

from _common import REPO, header, median

TARGET = 1.5
HEAVY = ("torch", "spacy", "presidio_analyzer", "sentence_transformers", "openai", "matplotlib",
         "transformers", "numpy", "pydantic")  # fmt: skip
NOT_FORBIDDEN = ("numpy", "pydantic")  # reported for information; SPEC forbids the others

MINIMAL_APP = """
import typer
app = typer.Typer()
@app.command()
def hello(name: str = "x") -> None:
    \"\"\"Say hello.\"\"\"
@app.command()
def bye() -> None:
    \"\"\"Say bye.\"\"\"
app()
"""

PROBE = """
import sys
sys.argv = ["semsiedit", "--help"]
import io, contextlib
from semsiedit.cli import main
buf = io.StringIO()
try:
    with contextlib.redirect_stdout(buf):
        main()
except SystemExit:
    pass
heavy = %r
print("LOADED:" + ",".join(m for m in heavy if m in sys.modules))
"""


def time_once(cmd: list[str]) -> float:
    env = None
    if cmd[0].startswith("TYPER_USE_RICH="):  # a reference run with typer's plain (non-rich) help
        env = {**os.environ, "TYPER_USE_RICH": cmd[0].split("=", 1)[1]}
        cmd = cmd[1:]
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=REPO, env=env)
    return time.perf_counter() - t0


def slowest_imports(cmd: list[str], top: int = 8) -> list[tuple[int, str]]:
    proc = subprocess.run([sys.executable, "-X", "importtime", *cmd], capture_output=True, text=True, cwd=REPO)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, _, rest = line.partition(":")
        parts = rest.split("|")
        if len(parts) == 3 and parts[2].startswith(" ") and not parts[2].startswith("  "):
            rows.append((int(parts[1]), parts[2].strip()))  # top-level imports only
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=15, help="timed runs per command (at least 10 recommended)")
    args = p.parse_args()

    commands: dict[str, list[str]] = {
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        "python -m semsiedit --help": [sys.executable, "-m", "semsiedit", "--help"],
    }
    # For reference: the floor a typer app pays to render --help (typer.rich_utils, rich, markdown_it).
    reference = [sys.executable, "-c", MINIMAL_APP, "--help"]
    script = shutil.which("semsiedit")
    if script:
        commands["semsiedit --help (console script)"] = [script, "--help"]
    else:
        print("note: no `semsiedit` console script on PATH; timing `python -m semsiedit` only")
    commands["(reference) 2-command typer app --help"] = reference
    commands["(reference) TYPER_USE_RICH=0 semsiedit"] = [
        "TYPER_USE_RICH=0",
        sys.executable,
        "-m",
        "semsiedit",
        "--help",
    ]

    header("start-up")
    for cmd in commands.values():  # warm the page cache and .pyc files
        time_once(cmd)
    times: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for i in range(args.runs):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            times[name].append(time_once(commands[name]))

    base = median(times[names[0]])
    print(f"{args.runs} alternating runs each; median wall time (min-max):")
    for name in names:
        m = median(times[name])
        ratio = m / base
        if name == names[0]:
            verdict = ""
        elif name.startswith("(reference)"):
            verdict = f"  ratio {ratio:.2f}x  (reference, not a target)"
        else:
            verdict = f"  ratio {ratio:.2f}x  [{'OK' if ratio <= TARGET else 'OVER'} target <= {TARGET}x]"
        print(f"  {name:<42} {m * 1000:7.1f} ms ({min(times[name]) * 1000:.0f}-{max(times[name]) * 1000:.0f}){verdict}")

    proc = subprocess.run([sys.executable, "-c", PROBE % (HEAVY,)], capture_output=True, text=True, cwd=REPO)
    loaded = next((line[7:] for line in proc.stdout.splitlines() if line.startswith("LOADED:")), None)
    if loaded is None:
        print(f"could not probe imports: {proc.stderr.strip()[-500:]}")
    else:
        found = [m for m in loaded.split(",") if m]
        forbidden = [m for m in found if m not in NOT_FORBIDDEN]
        print(
            f"heavy modules imported by --help: {', '.join(forbidden) or 'none'}  [{'OK' if not forbidden else 'FAIL'}]"
        )
        others = [m for m in found if m in NOT_FORBIDDEN]
        if others:
            print(f"  (also imported, not forbidden: {', '.join(others)})")
    print("slowest top-level imports of `python -m semsiedit --help` (cumulative us, one run):")
    for us, name in slowest_imports(["-m", "semsiedit", "--help"]):
        print(f"  {us:>8}  {name}")


if __name__ == "__main__":
    main()
