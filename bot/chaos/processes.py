"""The processes of a chaos run: a redis-server (AOF on) and siyu's roles, each a real child.

Every child can be killed (SIGKILL), stopped gracefully, restarted; Redis can also be paused
(SIGSTOP: its clients hang, as with a network partition) and resumed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TextIO

from bot.sandbox.config import SandboxConfig
from bot.store.embedded import SOCKET_NAME, redis_server_binary

_READY_SECONDS: Final = 20.0
_STOP_SECONDS: Final = 15.0
# The child's entry point: siyu serve's path, with the chaos journal (bot/cli/chaos.py).
_CHILD: Final = "from bot.cli.chaos import serve_child; serve_child()"


def free_port() -> int:
    """A TCP port free right now on loopback (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True, slots=True)
class ConfigSpec:
    """What a generated siyu config says: the sandbox's corp, Redis, the spool, one port."""

    sandbox: SandboxConfig
    api_base: str
    redis_url: str
    data_dir: Path
    spool_dir: Path
    claim_idle_seconds: float


def write_config(
    spec: ConfigSpec, path: Path, *, port: int, spool_max_bytes: int = 64 * 1024 * 1024
) -> Path:
    """A TOML config for one siyu process (``port``: the gateway's; others probe on any)."""
    quote = json.dumps  # TOML basic strings take JSON's escapes
    lines = [
        'log_level = "WARNING"',
        "[wecom]",
        f"corp_id = {quote(spec.sandbox.corp_id)}",
        f"api_base = {quote(spec.api_base)}",
    ]
    for name, app in spec.sandbox.apps.items():
        lines += [
            f"[apps.{name}]",
            f"agent_id = {app.agent_id}",
            f"secret = {quote(app.secret)}",
            f"token = {quote(app.token)}",
            f"encoding_aes_key = {quote(app.encoding_aes_key)}",
        ]
    lines += [
        "[redis]",
        f"url = {quote(spec.redis_url)}",
        f"data_dir = {quote(str(spec.data_dir))}",
        "[spool]",
        f"dir = {quote(str(spec.spool_dir))}",
        f"max_bytes = {spool_max_bytes}",
        "[queue]",
        f"claim_idle_seconds = {spec.claim_idle_seconds}",
        "[server]",
        f"port = {port}",
        "[observability]",
        "port = 0",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


async def _answers_ping(socket_path: Path) -> bool:
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(str(socket_path)), 0.5)
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(b"PING\r\n")
        return (await asyncio.wait_for(reader.read(16), 0.5)).startswith(b"+PONG")
    except (OSError, TimeoutError):
        return False
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


class RedisServer:
    """redis-server on a unix socket under ``data_dir``, AOF on (fsync every second)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.socket_path = data_dir / SOCKET_NAME
        self._process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        """The redis-py URL."""
        return f"unix://{self.socket_path}"

    async def start(self) -> None:
        """Start the server (reloading its AOF) and wait until it answers PING."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.socket_path.unlink(missing_ok=True)
        # fmt: off
        command = [
            "--port", "0", "--unixsocket", str(self.socket_path), "--unixsocketperm", "700",
            "--dir", str(self.data_dir), "--appendonly", "yes", "--appendfsync", "everysec",
            "--save", "", "--daemonize", "no", "--logfile", str(self.data_dir / "redis.log"),
        ]
        # fmt: on
        self._process = await asyncio.create_subprocess_exec(
            str(redis_server_binary()), *command, stdin=asyncio.subprocess.DEVNULL
        )
        deadline = asyncio.get_running_loop().time() + _READY_SECONDS
        while not await _answers_ping(self.socket_path):
            if self._process.returncode is not None or asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"redis-server did not start; see {self.data_dir}/redis.log")
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        """SIGTERM (Redis flushes its AOF) and wait."""
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.send_signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
            process.terminate()
            await process.wait()

    def pause(self) -> None:
        """SIGSTOP: connections stay open, nothing answers."""
        if self._process is not None:
            self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT after ``pause``."""
        if self._process is not None:
            self._process.send_signal(signal.SIGCONT)


class SiyuProcess:
    """One ``siyu serve --role ROLE`` (with the chaos journal) from a generated config."""

    def __init__(self, name: str, role: str, config: Path, log: Path, port: int = 0) -> None:
        self.name = name
        self.role = role
        self.config = config
        self.port = port  # a gateway's callback port (0: none)
        self.log_path = log
        self._log: TextIO | None = None
        self._process: asyncio.subprocess.Process | None = None
        self.incarnation = 0  # bumped at every start: a fresh process has fresh counters
        self.lock = asyncio.Lock()  # one fault at a time kills or restarts this process

    @property
    def alive(self) -> bool:
        """Started and not exited."""
        return self._process is not None and self._process.returncode is None

    async def start(self, config: Path | None = None) -> None:
        """Start the child (with ``config`` instead of its usual one, if given)."""
        if self._log is None:
            self._log = self.log_path.open("a", encoding="utf-8")
        self.incarnation += 1
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _CHILD,
            str(config or self.config),
            self.role,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )

    async def kill(self) -> None:
        """SIGKILL and reap."""
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            await self._process.wait()

    async def stop(self) -> None:
        """SIGTERM (graceful: drain, finish in-flight work) and wait; SIGKILL if it hangs."""
        process = self._process
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), _STOP_SECONDS)
        except TimeoutError:
            await self.kill()

    def close_log(self) -> None:
        """Close the child's log file."""
        if self._log is not None:
            self._log.close()
            self._log = None
