"""The servers under test, each a real child process: siyu and the Flask baseline."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

PROJECT_ROOT: Final = Path(__file__).resolve().parent.parent
HOST: Final = "127.0.0.1"
TOKEN: Final = "benchtoken"  # noqa: S105 - a fixed callback token of the local benchmark
AES_KEY: Final = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
AGENT_ID: Final = 1000002
_START_DEADLINE_SECONDS: Final = 30.0
_STOP_DEADLINE_SECONDS: Final = 15.0


class ServerStartError(RuntimeError):
    """A server under test did not answer /healthz in time."""


@dataclass(frozen=True, slots=True)
class Server:
    """A running server under test."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the server."""
        return f"http://{HOST}:{self.port}"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def http_get(port: int, path: str, timeout: float = 2.0) -> tuple[int, bytes]:
    """GET ``path`` on the local server; the status and body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _log_tail(path: Path, size: int = 2000) -> str:
    """The end of a server's log (the temporary directory is gone once we report)."""
    with contextlib.suppress(OSError):
        return path.read_bytes()[-size:].decode("utf-8", errors="replace")
    return ""


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + _START_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerStartError(
                f"{server.name} exited with {server.process.returncode}:\n"
                + _log_tail(server.log_path)
            )
        with contextlib.suppress(OSError):
            if http_get(server.port, "/healthz", timeout=0.5)[0] == 200:  # noqa: PLR2004
                return
        time.sleep(0.05)
    raise ServerStartError(
        f"{server.name} did not answer /healthz within 30 s:\n" + _log_tail(server.log_path)
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, wait, SIGKILL on timeout."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=_STOP_DEADLINE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def _running(
    name: str, command: Sequence[str], port: int, log_path: Path, env: Mapping[str, str]
) -> Iterator[Server]:
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(name, port, process, log_path)
    try:
        _wait_ready(server)
        yield server
    finally:
        _stop(process)


def siyu_config(corp_id: str, port: int, redis_url: str) -> str:
    """The TOML settings of the siyu under test."""
    return f"""log_level = "WARNING"
[wecom]
corp_id = "{corp_id}"
[apps.default]
agent_id = {AGENT_ID}
token = "{TOKEN}"
encoding_aes_key = "{AES_KEY}"
[server]
host = "{HOST}"
port = {port}
replay_window_seconds = 0
[redis]
url = "{redis_url}"
"""


@contextlib.contextmanager
def running_siyu(
    workdir: Path, corp_id: str, port: int, redis_url: str, role: str
) -> Iterator[Server]:
    """``siyu serve --role ROLE`` in a process of its own, stopped on exit."""
    config = workdir / f"siyu-{role}.toml"
    config.write_text(siyu_config(corp_id, port, redis_url), encoding="utf-8")
    command = [
        sys.executable,
        "-c",
        "from bot.cli import main; raise SystemExit(main())",
        "serve",
        "--config",
        str(config),
        "--role",
        role,
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIYU_")}
    with _running(f"siyu ({role})", command, port, workdir / f"siyu-{role}.log", env) as server:
        yield server


@contextlib.contextmanager
def running_baseline(workdir: Path, corp_id: str, port: int, redis_url: str) -> Iterator[Server]:
    """The Flask + wechatpy baseline on gunicorn, one sync worker, stopped on exit.

    ``redis_url`` empty: the baseline without Redis (it stores nothing).
    """
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "1",
        "--worker-class",
        "sync",
        "--bind",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
        "bench.baseline_app:app",
    ]
    env = {
        **os.environ,
        "BENCH_BASELINE_CORP_ID": corp_id,
        "BENCH_BASELINE_TOKEN": TOKEN,
        "BENCH_BASELINE_AES_KEY": AES_KEY,
        "BENCH_BASELINE_REDIS_URL": redis_url,
    }
    name = "baseline" if redis_url else "baseline (no Redis)"
    log_path = workdir / f"baseline-{corp_id}.log"
    with _running(name, command, port, log_path, env) as server:
        yield server
