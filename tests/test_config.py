"""Settings layering: defaults < config file < environment < flags."""

from __future__ import annotations

import pytest

from semsiedit.config import load_settings
from semsiedit.errors import ConfigError


def test_defaults_without_any_config(tmp_path):
    s = load_settings(cwd=tmp_path, env={})
    assert s.max_iterations == 3
    assert s.leak_threshold == 0.75
    assert s.model is None and not s.llm_configured


def test_layers_override_in_order(tmp_path):
    (tmp_path / "semsiedit.toml").write_text('max_iterations = 1\nleak_threshold = 0.6\njobs = 2\n')
    env = {"SEMSIEDIT_MAX_ITERATIONS": "2", "SEMSIEDIT_JOBS": "3"}
    s = load_settings({"max_iterations": 5}, cwd=tmp_path, env=env)
    assert s.max_iterations == 5  # flag beats environment
    assert s.jobs == 3  # environment beats file
    assert s.leak_threshold == 0.6  # file beats default


def test_pyproject_tool_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.semsiedit]\npseudonyms = "fake"\n')
    assert load_settings(cwd=tmp_path, env={}).pseudonyms == "fake"


def test_env_lists_and_openai_variables(tmp_path):
    env = {"SEMSIEDIT_CATEGORIES": "pii, privacy", "OPENAI_API_KEY": "sk-secret-value", "OPENAI_BASE_URL": "http://x/v1"}
    s = load_settings(cwd=tmp_path, env=env)
    assert s.categories == ["pii", "privacy"]
    assert s.base_url == "http://x/v1"
    assert s.api_key is not None and s.api_key.get_secret_value() == "sk-secret-value"
    # The key never appears in what reports print, nor in the settings' repr.
    assert "sk-secret-value" not in str(s.public_dict())
    assert "sk-secret-value" not in repr(s)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("max_iterations = -1\n", "max_iterations"),
        ("categories = ['pii', 'gossip']\n", "categories"),
        ("no_such_setting = 1\n", "no_such_setting"),
        ("max_iterations = \n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path, content, message):
    (tmp_path / "semsiedit.toml").write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_settings(cwd=tmp_path, env={})


def test_explicit_config_path_missing(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(config_path=tmp_path / "nope.toml", env={})


def test_no_score_flag_reaches_the_settings_and_unset_switches_keep_the_config(tmp_path, monkeypatch, capsys):
    """`--no-score` was dropped on its way to the settings (every "fast" run still encoded the texts);
    a switch left off must not override the config file either."""
    import json

    from cli_runner import run_main

    (tmp_path / "semsiedit.toml").write_text("show_values = true\n")
    stdin = b"Patient Maria Gonzalez was seen on Monday.\n"
    code, out, _err = run_main(["rewrite", "-", "-f", "jsonl", "--no-score"], monkeypatch, capsys, stdin=stdin,
                               cwd=tmp_path)
    record = json.loads(out)["semsiedit"]
    assert code == 0 and record.get("scores") is None
    assert "Maria" in json.dumps(record["rounds"])  # show_values from the file still applies
    code, out, _err = run_main(["rewrite", "-", "-f", "jsonl"], monkeypatch, capsys, stdin=stdin, cwd=tmp_path)
    assert code == 0 and json.loads(out)["semsiedit"]["scores"]["utility"] > 0
