"""``siyu users``, ``siyu apikey``, ``siyu --version`` and the message without a config file."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import AES_KEY, TOKEN


@pytest.fixture
def config(tmp_path: Path, redis_url: str) -> str:
    path = tmp_path / "siyu.toml"
    path.write_text(
        f'[wecom]\ncorp_id = "wwcli{secrets.token_hex(4)}"\n'
        f'[apps.default]\ntoken = "{TOKEN}"\nencoding_aes_key = "{AES_KEY}"\n'
        f'[redis]\nurl = "{redis_url}"\n',
        "utf-8",
    )
    return str(path)


def test_users_and_keys_from_the_command_line(
    config: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert (
        main(
            [
                "users",
                "create",
                "lina",
                "--role",
                "operator",
                "--password-stdin",
                "--config",
                config,
            ]
        )
        == 0
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "passwd", "lina", "--password-stdin", "--config", config]) == 1
    assert main(["users", "list", "--config", config]) == 0
    assert "lina\toperator" in capsys.readouterr().out

    assert main(["apikey", "create", "--role", "viewer", "--name", "bi", "--config", config]) == 0
    key = capsys.readouterr().out.splitlines()[0]
    assert key.startswith("siyu_")
    assert main(["apikey", "list", "--config", config]) == 0
    listed = capsys.readouterr().out
    key_id = listed.split("\t")[0]
    assert "viewer\tbi" in listed and key not in listed
    assert main(["apikey", "revoke", key_id, "--config", config]) == 0
    assert main(["apikey", "revoke", key_id, "--config", config]) == 1


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("siyu ")


def test_without_a_config_file_it_says_how_to_start(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SIYU_CONFIG", raising=False)
    assert main(["dead", "list"]) == 2
    said = capsys.readouterr().err
    assert "[wecom]" in said and "siyu sandbox --write-config" in said
    assert "cp config/siyu.example.toml" in said and "_FromFile" not in said
