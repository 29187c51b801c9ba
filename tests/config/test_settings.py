"""Settings: the TOML keys other tools use, environment overrides, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from config.settings import Settings, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "siyu.example.toml"
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

ISSUE_KEYS = f"""
[wecom]
corp_id = "wwcorp"
api_base = "http://127.0.0.1:9080/cgi-bin"
[apps.default]
agent_id = 1000002
secret = "s3cret"
token = "tok"
encoding_aes_key = "{KEY}"
[server]
host = "0.0.0.0"
port = 9999
replay_window_seconds = 0
max_body_bytes = 131072
[redis]
url = "redis://127.0.0.1:6390/2"
"""


@pytest.fixture(autouse=True)
def no_siyu_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIYU_CONFIG", raising=False)


def test_every_key_named_in_the_issue_is_read(tmp_path: Path) -> None:
    path = tmp_path / "siyu.toml"
    path.write_text(ISSUE_KEYS, encoding="utf-8")
    settings = load_settings(str(path))
    assert settings.wecom.corp_id == "wwcorp"
    assert settings.wecom.api_base == "http://127.0.0.1:9080/cgi-bin"
    app = settings.apps["default"]
    assert app.agent_id == 1000002
    assert app.secret.get_secret_value() == "s3cret"
    assert app.token.get_secret_value() == "tok"
    assert app.encoding_aes_key.get_secret_value() == KEY
    assert (settings.server.host, settings.server.port) == ("0.0.0.0", 9999)  # noqa: S104
    assert settings.server.replay_window_seconds == 0
    assert settings.server.max_body_bytes == 131072
    assert settings.redis.url == "redis://127.0.0.1:6390/2"


def test_the_example_file_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIYU_CONFIG", str(EXAMPLE))
    settings = load_settings()
    assert settings.redis.url == ""
    assert settings.server.replay_window_seconds == 300
    assert settings.server.max_body_bytes == 65536


def test_environment_overrides_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "siyu.toml"
    path.write_text(ISSUE_KEYS, encoding="utf-8")
    monkeypatch.setenv("SIYU_APPS__DEFAULT__SECRET", "from-env")
    monkeypatch.setenv("SIYU_REDIS__URL", "unix:///tmp/other.sock")
    settings = load_settings(str(path))
    assert settings.apps["default"].secret.get_secret_value() == "from-env"
    assert settings.apps["default"].token.get_secret_value() == "tok"  # the rest stays
    assert settings.redis.url == "unix:///tmp/other.sock"


def test_secrets_never_show_in_repr(tmp_path: Path) -> None:
    path = tmp_path / "siyu.toml"
    path.write_text(ISSUE_KEYS, encoding="utf-8")
    text = repr(load_settings(str(path)))
    assert "s3cret" not in text
    assert KEY not in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace(KEY, "short"), "43 characters"),
        (lambda t: t.replace("port = 9999", "port = 99999"), "less than or equal"),
        (lambda t: t.replace('corp_id = "wwcorp"', ""), "corp_id"),
        (lambda t: t + "\n[typo]\nx = 1\n", "typo"),
    ],
    ids=["bad-aes-key", "bad-port", "no-corp-id", "unknown-section"],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, change: object, message: str) -> None:
    assert callable(change)
    path = tmp_path / "siyu.toml"
    path.write_text(change(ISSUE_KEYS), encoding="utf-8")
    with pytest.raises(ValidationError, match=message):
        load_settings(str(path))


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="config file not found"):
        load_settings(str(tmp_path / "nope.toml"))


def test_receive_id_defaults_to_the_corp_id(tmp_path: Path) -> None:
    path = tmp_path / "siyu.toml"
    path.write_text(ISSUE_KEYS, encoding="utf-8")
    settings: Settings = load_settings(str(path))
    assert settings.receive_id(settings.apps["default"]) == "wwcorp"
