from pathlib import Path

import pytest

from assistant.settings import Settings, SettingsError


def test_defaults_and_env_override():
    settings = Settings.from_env({"WARTA_INDEX_DIR": "/tmp/x", "WARTA_TOP_K": "5"})
    assert settings.index_dir == Path("/tmp/x")
    assert settings.top_k == 5
    assert settings.backend == "extractive"


def test_unknown_setting_fails_loudly():
    with pytest.raises(SettingsError, match="WARTA_INDX_DIR"):
        Settings.from_env({"WARTA_INDX_DIR": "x"})


def test_bad_value_names_the_variable():
    with pytest.raises(SettingsError, match="WARTA_TOP_K"):
        Settings.from_env({"WARTA_TOP_K": "many"})
    with pytest.raises(SettingsError, match="WARTA_BACKEND"):
        Settings.from_env({"WARTA_BACKEND": "gpt"})
    with pytest.raises(SettingsError, match="WARTA_AUTH"):
        Settings.from_env({"WARTA_AUTH": "nocolon"})


def test_overrides_win_and_unknown_override_fails():
    settings = Settings.from_env({"WARTA_TOP_K": "5"}, top_k=3)
    assert settings.top_k == 3
    with pytest.raises(SettingsError):
        Settings.from_env({}, not_a_setting=1)


def test_secrets_are_masked():
    settings = Settings.from_env({"WARTA_LLM_API_KEY": "sk-secret", "WARTA_AUTH": "u:p"})
    shown = settings.public_dict()
    assert shown["llm_api_key"] == "***" and shown["auth"] == "***"
    assert "sk-secret" not in str(shown)
