"""``siyu sandbox``: help, and a real run that writes a config siyu loads, stopped by SIGINT."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp

from bot.sandbox.config import SandboxConfig
from bot.sandbox.runner import siyu_config
from config.settings import load_settings
from tests.support.processes import PROJECT_ROOT

SIYU = [sys.executable, "-c", "from bot.cli import main; raise SystemExit(main())"]


def test_help() -> None:
    result = subprocess.run(
        [*SIYU, "sandbox", "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage: siyu sandbox" in result.stdout
    for option in ("--host", "--port", "--seed", "--callback-url", "--write-config"):
        assert option in result.stdout


def test_written_config_loads(tmp_path: Path) -> None:
    config = SandboxConfig.generate()
    path = tmp_path / "siyu.toml"
    path.write_text(siyu_config(config, "http://127.0.0.1:9090/cgi-bin", 18080), encoding="utf-8")
    settings = load_settings(str(path))
    app = settings.apps["default"]
    assert settings.wecom.corp_id == config.corp_id
    assert settings.wecom.api_base == "http://127.0.0.1:9090/cgi-bin"
    assert app.secret.get_secret_value() == config.apps["default"].secret
    assert app.token.get_secret_value() == config.apps["default"].token
    assert app.encoding_aes_key.get_secret_value() == config.apps["default"].encoding_aes_key
    assert app.agent_id == config.apps["default"].agent_id
    assert settings.redis.url == ""
    assert settings.server.port == 18080


async def _line_matching(stream: asyncio.StreamReader, pattern: str) -> re.Match[str]:
    async with asyncio.timeout(20):
        while True:
            line = (await stream.readline()).decode()
            assert line, "the sandbox exited early"
            found = re.search(pattern, line)
            if found:
                return found


async def test_run_write_config_and_stop(tmp_path: Path) -> None:
    path = tmp_path / "siyu.toml"
    process = await asyncio.create_subprocess_exec(
        *SIYU,
        "sandbox",
        "--port",
        "0",
        "--seed",
        "demo",
        "--write-config",
        str(path),
        "--callback-url",
        "http://127.0.0.1:18080/wecom/callback/default",
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
    )
    assert process.stdout is not None
    try:
        base = (await _line_matching(process.stdout, r"WeCom API at (\S+)/cgi-bin")).group(1)
        await _line_matching(process.stdout, r"siyu config written to")
        settings = load_settings(str(path))
        assert settings.wecom.api_base == f"{base}/cgi-bin"
        assert settings.server.port == 18080
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/sandbox/state") as response:
                state = await response.json()
            assert state["corp_id"] == settings.wecom.corp_id
            assert "zhangwei" in state["staff"]
            query = {
                "corpid": settings.wecom.corp_id,
                "corpsecret": settings.apps["default"].secret.get_secret_value(),
            }
            async with session.get(f"{base}/cgi-bin/gettoken", params=query) as response:
                assert (await response.json())["errcode"] == 0
    finally:
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(20):
            code = await process.wait()
    assert code == 0
