"""Settings: defaults < semsiedit.toml / [tool.semsiedit] < environment < command-line flags.

One typed `Settings` object is built once per command and passed down; nothing reads the
environment or a config file after that.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from semsiedit.errors import ConfigError
from semsiedit.types import CATEGORIES

ENV_PREFIX = "SEMSIEDIT_"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    # Models that run offline (resolved by semsiedit.models).
    spacy_model: str = "en_core_web_sm"
    embedding_model: str = "all-MiniLM-L6-v2"

    # LLM backend (any OpenAI-compatible endpoint). No model configured -> local editor only.
    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = None
    timeout: float = Field(60.0, gt=0)  # seconds per LLM request
    # Seconds of LLM waiting per document, retries included; then it finishes on the local path.
    document_timeout: float = Field(180.0, gt=0)
    max_retries: int = Field(3, ge=0, le=10)
    temperature: float = Field(0.0, ge=0, le=2)
    max_tokens: int = Field(1024, gt=0)
    critic: Literal["auto", "local", "llm"] = "auto"
    editor: Literal["auto", "local", "llm"] = "auto"

    # Detection.
    categories: list[str] = Field(default_factory=lambda: list(CATEGORIES))
    pii_entities: list[str] | None = None  # None: Presidio's defaults minus the noisy ones
    pii_score_threshold: float = Field(0.5, ge=0, le=1)
    allow_list: list[str] = Field(default_factory=list)  # never flagged
    deny_list: list[str] = Field(default_factory=list)  # always flagged as PII
    # The learned SemSI detector (docs/model_card.md) merged with the rules, for public-profile texts.
    # On by default: on answers to prompts the rules were not written for it agrees with the judge far
    # better than the rules alone (cross-validated kappa 0.42 / 0.44 / 0.28 against 0.20 / 0.30 / 0.07),
    # and it is what finds misinformation at all without `specific_claims`.
    learned_detection: bool = True
    learned_weights: Path | None = None  # None: the weights shipped in semsiedit/data/models/
    # Keep every plain, specific factual claim about a named subject (dates, numbers) as unverified
    # misinformation (severity 1), even where the learned detector does not flag the text: a recall knob.
    specific_claims: bool = False
    # Protection profile (semsiedit/profile.py): record | public | auto (chosen per document), and an
    # optional privacy goal in plain words for the LLM critic and editor.
    profile: Literal["auto", "record", "public"] = "auto"
    protect: str = ""
    preserve: str = ""
    # When a rewrite needs a person's review (semsiedit/review.py): a preset, and optional overrides.
    risk: Literal["strict", "balanced", "lenient"] = "balanced"
    review_leakage: float | None = Field(None, ge=0, le=1)  # residual leakage above this
    review_utility: float | None = Field(None, ge=0, le=1)  # utility below this
    review_disagreement: int | None = Field(None, ge=0)  # LLM-only or detector-only findings above this
    # Processes that parse a large batch in parallel: 0 = one per CPU (at most 4), 1 = never fork.
    detect_workers: int = Field(0, ge=0, le=64)

    # The loop and its guards.
    max_iterations: int = Field(3, ge=0, le=10)
    pseudonyms: Literal["descriptor", "placeholder", "fake"] = "descriptor"
    # Surrogates are an HMAC of the value under this key: the fixed default makes runs reproducible;
    # a secret key makes them non-guessable (nobody can test a guessed name against "Person K").
    surrogate_key: SecretStr = SecretStr("semsiedit")
    # Short texts whose meaning is mostly the sensitive fact score ~0.3 even for a good rewrite.
    utility_floor: float = Field(0.35, ge=0, le=1)
    min_length_ratio: float = Field(0.5, ge=0, le=1)  # an edit shorter than this * span is a deletion

    # Scoring.
    leak_threshold: float = Field(0.75, ge=0, le=1)
    score: bool = True

    # Batch and I/O.
    jobs: int = Field(1, ge=1, le=64)
    # Worker processes for the CPU-bound local path (`--workers`): each runs the whole loop on its
    # share of the documents; results still come out in input order (semsiedit/engines/).
    # 0 = auto: one per idle CPU when the input is large enough and no LLM is configured.
    workers: int = Field(0, ge=0, le=64)
    # onnx: the embedding model exported locally to ONNX Runtime (cosine to torch >= 0.999), less CPU
    # per sentence and no torch/transformers import (benchmarks/RESULTS.md). auto: onnx, else torch.
    embedding_backend: Literal["auto", "torch", "onnx"] = "auto"
    chunk_chars: int = Field(6000, ge=500)
    cache_dir: Path | None = None
    no_cache: bool = False
    show_values: bool = False

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(CATEGORIES))
        if unknown:
            raise ValueError(f"unknown categories {unknown}; choose from {list(CATEGORIES)}")
        return value

    @property
    def llm_configured(self) -> bool:
        return bool(self.model)

    def public_dict(self) -> dict[str, Any]:
        """Settings as they may appear in reports: the API key is never included."""
        d = self.model_dump(mode="json", exclude={"api_key", "surrogate_key"})
        d["api_key_set"] = self.api_key is not None
        d["surrogate_key_set"] = self.surrogate_key.get_secret_value() != "semsiedit"
        return d


def find_config_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """semsiedit.toml in `start`, else [tool.semsiedit] of its pyproject.toml."""
    own = start / "semsiedit.toml"
    if own.is_file():
        return own, _read_toml(own)
    pyproject = start / "pyproject.toml"
    if pyproject.is_file():
        table = _read_toml(pyproject).get("tool", {}).get("semsiedit")
        if table:
            return pyproject, table
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


# SEMSIEDIT_* variables that are not settings but are read elsewhere (CLI, tests).
_OTHER_ENV = {"DEBUG", "REQUIRE_LLM", "TEST_GGUF", "MAPPING_KEY", "REQUIRE_BROWSER"}


def _suggest(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(Settings.model_fields), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_file_keys(path: Path, data: dict[str, Any]) -> None:
    """An unknown key names its file: `semsiedit.toml: unknown setting 'modle' (did you mean 'model'?)`."""
    for key in data:
        if key not in Settings.model_fields:
            raise ConfigError(f"{path}: unknown setting {key!r}{_suggest(key)}")


def unknown_env_names(env: dict[str, str]) -> list[str]:
    """SEMSIEDIT_* variables that name no setting (a typo would otherwise be silently ignored)."""
    known = {ENV_PREFIX + n.upper() for n in Settings.model_fields} | {ENV_PREFIX + n for n in _OTHER_ENV}
    return sorted(name for name in env if name.startswith(ENV_PREFIX) and name not in known)


_warned: set[str] = set()


def _warn_unknown_env(env: dict[str, str]) -> None:
    import sys

    for name in unknown_env_names(env):
        if name in _warned:
            continue
        _warned.add(name)
        hint = _suggest(name.removeprefix(ENV_PREFIX).lower())
        print(f"semsiedit: warning: environment variable {name} is not a setting; ignored{hint}", file=sys.stderr)


def _env_values(env: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, info in Settings.model_fields.items():
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is None:
            continue
        # Lists come as comma-separated strings; pydantic coerces the scalars.
        annotation = str(info.annotation)
        values[name] = [x.strip() for x in raw.split(",") if x.strip()] if "list" in annotation else raw
    if "api_key" not in values and env.get("OPENAI_API_KEY"):
        values["api_key"] = env["OPENAI_API_KEY"]
    if "base_url" not in values and env.get("OPENAI_BASE_URL"):
        values["base_url"] = env["OPENAI_BASE_URL"]
    return values


def load_settings(
    overrides: dict[str, Any] | None = None,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """Merge the four layers. `overrides` holds only the flags the user actually gave."""
    env = dict(os.environ) if env is None else env
    layers: dict[str, Any] = {}
    if config_path is not None:
        if not config_path.is_file():
            raise ConfigError(f"config file not found: {config_path}")
        data = _read_toml(config_path)
        table = data.get("tool", {}).get("semsiedit", data) if config_path.name == "pyproject.toml" else data
        _check_file_keys(config_path, table)
        layers.update(table)
    else:
        found = find_config_file(cwd or Path.cwd())
        if found:
            _check_file_keys(*found)
            layers.update(found[1])
    _warn_unknown_env(env)
    layers.update(_env_values(env))
    layers.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        return Settings(**layers)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(f"invalid setting {where}: {first['msg']}") from None
