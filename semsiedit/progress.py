"""Progress on stderr (stdout stays clean for pipes): a rich bar on a terminal, or with
`--progress` a periodic one-line status when stderr is a file or a pipe.

Documents are the unit of a batch. One long document has no documents to count, so the stages
that loop over pieces of it report those instead (`units("chunks", n)` in the detector): the bar
then counts the pieces of the current pass. Nothing here imports rich until a bar is shown.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TextIO

if TYPE_CHECKING:
    from rich.console import Console

Mode = Literal["bar", "lines", "off"]
LINE_INTERVAL_S = 10.0
LONG_DOCUMENT_CHARS = 100_000  # the detector parses longer texts in pieces: those become the units

_active: RunProgress | None = None  # the progress of the current single long document, if any
_noop: Callable[[int], None] = lambda n=1: None  # noqa: E731


def choose_mode(requested: bool | None, *, is_terminal: bool, worth_it: bool) -> Mode:
    """`requested`: --progress (True), --no-progress (False) or neither (None: a bar on a terminal)."""
    if requested is False:
        return "off"
    if is_terminal:
        return "bar" if (worth_it or requested) else "off"
    return "lines" if requested else "off"


def units(kind: str, total: int) -> Callable[[int], None]:
    """Called by a stage about to process `total` pieces of one long document; returns `advance(n)`.
    A no-op unless a single long document's progress is being shown."""
    progress = _active
    if progress is None or total <= 1:
        return _noop
    return progress.start_units(kind, total)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class RunProgress:
    """Context manager; `update(done)` after each document, `units()` inside one long document."""

    def __init__(self, mode: Mode, *, console: Console | None = None, total: int | None = None,
                 unit: str = "documents", label: str = "rewriting", single: bool = False,
                 interval: float = LINE_INTERVAL_S, stream: TextIO | None = None) -> None:
        self.mode, self.console, self.total, self.unit, self.label = mode, console, total, unit, label
        self.single, self.interval = single, interval
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._bar: Any = None
        self._task: Any = None
        self._inner: tuple[str, int, int] | None = None  # (kind, done, total) of the current pass

    # -- lifecycle -----------------------------------------------------------------------------
    def __enter__(self) -> RunProgress:
        global _active
        if self.mode == "bar":
            self._start_bar()
        elif self.mode == "lines":
            self._thread = threading.Thread(target=self._ticker, name="semsiedit-progress", daemon=True)
            self._thread.start()
        if self.single and self.mode != "off":
            _active = self
        return self

    def __exit__(self, *exc: object) -> None:
        global _active
        if _active is self:
            _active = None
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
            if exc[0] is None:
                self._line(final=True)
        if self._bar is not None:
            self._bar.stop()

    # -- updates -------------------------------------------------------------------------------
    def update(self, done: int) -> None:
        with self._lock:
            self.done = done
            self._inner = None
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=self.total, description=self.label)

    def start_units(self, kind: str, total: int) -> Callable[[int], None]:
        with self._lock:
            self._inner = (kind, 0, total)
        if self._bar is not None:
            self._bar.update(self._task, completed=0, total=total, description=f"{self.label}: {kind}")

        def advance(n: int = 1) -> None:
            with self._lock:
                if self._inner is None:
                    return
                k, d, t = self._inner
                self._inner = (k, min(t, d + n), t)
                done = self._inner[1]
            if self._bar is not None:
                self._bar.update(self._task, completed=done)

        return advance

    # -- the bar -------------------------------------------------------------------------------
    def _start_bar(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        owner = self

        class Rate(ProgressColumn):
            def render(self, task: Any) -> Text:
                speed = task.finished_speed or task.speed
                unit = owner._inner[0] if owner._inner else ("docs" if owner.unit == "documents" else owner.unit)
                return Text("–" if speed is None else f"{speed:.1f} {unit}/s", style="progress.data.speed")

        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), Rate(),
                             TextColumn("ETA"), TimeRemainingColumn(), TimeElapsedColumn(),
                             console=self.console, transient=True)
        self._task = self._bar.add_task(self.label, total=self.total)
        self._bar.start()

    # -- periodic lines ------------------------------------------------------------------------
    def _ticker(self) -> None:
        while not self._stop.wait(self.interval):
            self._line()

    def status(self) -> str:
        with self._lock:
            done, inner = self.done, self._inner
        elapsed = time.monotonic() - self.started
        parts = [f"{done}/{self.total}" if self.total is not None else str(done), self.unit]
        line = f"semsiedit: {self.label} {' '.join(parts)}"
        rate = done / elapsed if elapsed > 0 else 0.0
        if done:
            line += f", {rate:.2f} docs/s"
            if self.total is not None and self.total > done and rate > 0:
                line += f", ETA {_duration((self.total - done) / rate)}"
        if inner is not None:
            line += f"; {inner[0]} {inner[1]}/{inner[2]}"
        return line + f", {_duration(elapsed)} elapsed"

    def _line(self, final: bool = False) -> None:
        try:
            self.stream.write(self.status() + (" (done)" if final else "") + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass  # stderr closed (a pipe reader left): progress is not worth an error


def count_documents(paths: list[str], globs) -> int | None:
    """How many documents the inputs hold, when that is cheap to know (files, folders, JSONL lines);
    None for stdin or a JSONL file too big to count quickly."""
    from pathlib import Path

    from semsiedit.errors import InputError
    from semsiedit.sources import expand_paths, is_jsonl

    total = 0
    for raw in paths:
        if raw == "-":
            return None
        try:
            files = expand_paths([raw], globs)
        except InputError:
            return None
        for item in files:
            path = Path(item[0] if isinstance(item, tuple) else item)
            if is_jsonl(path):
                if path.stat().st_size > 256 * 1024 * 1024:
                    return None
                with path.open("rb") as handle:
                    total += sum(1 for line in handle if line.strip())
            else:
                total += 1
    return total
