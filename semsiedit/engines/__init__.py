"""Where the loop runs: in this process, in forked worker processes, or on a Ray cluster.

Every engine has the one method `RewriteRun` needs, `run_iter(documents)`, yielding
`(document, result)` in input order while reading the input lazily; so the sources, sinks,
`--resume` and reports are the same whichever engine runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Literal, Protocol

from semsiedit.config import Settings
from semsiedit.errors import InputError
from semsiedit.types import Document, DocumentResult

EngineName = Literal["local", "ray"]


class Engine(Protocol):
    def run_iter(self, docs: Iterable[Document]) -> Iterator[tuple[Document, DocumentResult]]: ...


def make_engine(settings: Settings, engine: str = "local", *, ray_address: str | None = None) -> Engine:
    """The engine for `--engine` (local: the loop itself, or `settings.workers` processes; with
    workers = 0, processes only when the input turns out large enough: `AutoEngine`)."""
    if engine == "local":
        if ray_address:
            raise InputError("--ray-address needs --engine ray")
        if settings.workers > 1:
            from semsiedit.engines.local import ProcessEngine

            return ProcessEngine(settings, settings.workers)
        if settings.workers == 0 and not settings.llm_configured:
            from semsiedit.engines.local import AutoEngine

            return AutoEngine(settings)
        from semsiedit.loop import build_loop

        return build_loop(settings)
    if engine == "ray":
        from semsiedit.engines.ray import RayEngine

        return RayEngine(settings, address=ray_address)
    raise InputError(f"--engine must be local or ray, not {engine!r}")
