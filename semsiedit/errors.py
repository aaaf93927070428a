"""Errors that the CLI turns into one stderr line and an exit code (SPEC §5)."""

from __future__ import annotations


class SemsieditError(Exception):
    """Base error; `exit_code` is what the CLI exits with."""

    exit_code = 2


class InputError(SemsieditError):
    """Bad usage or bad input: missing path, undecodable file, malformed JSONL ..."""

    exit_code = 2


class ConfigError(SemsieditError):
    exit_code = 2


class BackendUnavailable(SemsieditError):
    """A model or server the command needs is not installed or not reachable."""

    exit_code = 3


class LLMError(Exception):
    """An LLM call failed after retries; the loop catches it and falls back to the local editor."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # timeout | rate_limit | server_error | connection | malformed | refused
