"""Configuration files and keyword configuration: every error names the file, the key and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

import relaykit
from relaykit._config import Config, provider_settings


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "relaykit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_file_parses_providers_aliases_and_default(tmp_path: Path) -> None:
    """Providers, aliases and the default provider are read from TOML."""
    path = _write(
        tmp_path,
        'default_provider = "openai"\n[providers.openai]\ntimeout = 30\n'
        '[providers.relay]\nkind = "openai-compatible"\nbase_url = "https://relay.example/v1"\n'
        '[aliases]\nfast = "openai/gpt-4o-mini"\n',
    )
    config = Config.from_file(path)
    assert config.default_provider == "openai"
    assert config.kind_of("relay") == "openai-compatible"
    assert config.kind_of("openai") == "openai"
    assert config.aliases == {"fast": "openai/gpt-4o-mini"}


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    """A syntax error says which file."""
    path = _write(tmp_path, "[providers\n")
    with pytest.raises(relaykit.ConfigurationError, match=r"relaykit\.toml"):
        Config.from_file(path)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    """A missing configuration file is a ConfigurationError naming it."""
    with pytest.raises(relaykit.ConfigurationError, match=r"nope\.toml"):
        Config.from_file(tmp_path / "nope.toml")


def test_unknown_top_level_key_is_named(tmp_path: Path) -> None:
    """A typo at the top level is reported with its key."""
    path = _write(tmp_path, 'default_providr = "openai"\n')
    with pytest.raises(relaykit.ConfigurationError) as caught:
        Config.from_file(path)
    assert caught.value.key == "default_providr"
    assert str(path) in str(caught.value)


def test_alias_without_provider_is_rejected(tmp_path: Path) -> None:
    """An alias must point at provider/model."""
    path = _write(tmp_path, '[aliases]\nfast = "gpt-4o"\n')
    with pytest.raises(relaykit.ConfigurationError) as caught:
        Config.from_file(path)
    assert caught.value.key == "aliases.fast"


def test_bad_provider_setting_names_the_dotted_key(tmp_path: Path) -> None:
    """A wrong value in a provider section names providers.<name>.<key>."""
    path = _write(tmp_path, "[providers.openai]\ntimeout = -1\n")
    with pytest.raises(relaykit.ConfigurationError) as caught:
        relaykit.Client(path, environ={})
    assert caught.value.key == "providers.openai.timeout"
    assert str(path) in str(caught.value)


def test_unknown_setting_in_a_provider_section_is_named() -> None:
    """Unknown keys in a provider section are errors, not silently ignored."""
    registry = relaykit.providers()
    config = Config.from_mapping({"providers": {"openai": {"base_ur": "x"}}})
    with pytest.raises(relaykit.ConfigurationError) as caught:
        provider_settings(config, "openai", registry["openai"], environ={})
    assert caught.value.key == "providers.openai.base_ur"


def test_compatible_provider_without_base_url_says_it_is_required() -> None:
    """The openai-compatible kind has no default URL; the error says so and names the key."""
    registry = relaykit.providers()
    config = Config.from_mapping({"providers": {"relay": {"kind": "openai-compatible"}}})
    with pytest.raises(relaykit.ConfigurationError) as caught:
        provider_settings(config, "relay", registry["openai-compatible"], environ={})
    assert caught.value.key == "providers.relay.base_url"


def test_unknown_kind_fails_when_the_client_is_built() -> None:
    """A section naming a kind no plugin registered fails early, listing the known kinds."""
    with pytest.raises(relaykit.ConfigurationError, match="openai-compatible") as caught:
        relaykit.Client(providers={"x": {"kind": "nonesuch"}})
    assert caught.value.key == "providers.x.kind"


def test_api_key_comes_from_the_named_environment_variable() -> None:
    """api_key_env names the variable the key is read from; the key stays secret in reprs."""
    registry = relaykit.providers()
    config = Config.from_mapping({"providers": {"openai": {"api_key_env": "MY_KEY"}}})
    settings = provider_settings(config, "openai", registry["openai"], environ={"MY_KEY": "sk-secret-value-123"})
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == "sk-secret-value-123"
    assert "sk-secret-value-123" not in repr(settings)


def test_client_discovers_relaykit_config_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """RELAYKIT_CONFIG points Client() at a file."""
    path = _write(tmp_path, '[aliases]\nfast = "openai/gpt-4o-mini"\n')
    monkeypatch.setenv("RELAYKIT_CONFIG", str(path))
    with relaykit.Client() as client:
        assert client.config.aliases["fast"] == "openai/gpt-4o-mini"
        assert client.config.path == str(path)


def test_client_reads_relaykit_toml_in_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without RELAYKIT_CONFIG, ./relaykit.toml is used when present."""
    _write(tmp_path, 'default_provider = "openai"\n')
    monkeypatch.delenv("RELAYKIT_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    with relaykit.Client() as client:
        assert client.config.default_provider == "openai"


def test_from_config_and_keywords_merge(tmp_path: Path) -> None:
    """Client.from_config reads the file; keyword providers add to and override it."""
    path = _write(tmp_path, '[providers.openai]\ntimeout = 30\n[aliases]\nfast = "openai/gpt-4o-mini"\n')
    with relaykit.Client.from_config(
        path, providers={"openai": {"timeout": 5}}, aliases={"slow": "openai/o3"}
    ) as client:
        assert client.config.providers["openai"]["timeout"] == 5
        assert set(client.config.aliases) == {"fast", "slow"}
