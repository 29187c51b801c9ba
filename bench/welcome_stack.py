"""The processes of ``siyu bench welcome``: an embedded Redis, the sandbox and siyu, each a
real process (``siyu sandbox --write-config``, ``siyu serve``), as in a deployment."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bench.servers import HOST, PROJECT_ROOT, ServerStartError, free_port, http_get

_START_SECONDS: Final = 30.0
_STOP_SECONDS: Final = 15.0
SIYU: Final = ("-c", "from bot.cli import main; raise SystemExit(main())")

# The channel the benchmark's customers scan: three staff members weighted 2:1:1 (so the
# code's user list really changes), a tag, and a welcome with the name and an attachment.
RULES: Final = """
[welcome]
text = "您好{customer_name}，我是{staff_name}。"
[staff.zhangwei]
name = "张伟"
manager = "manager"
[staff.lina]
name = "李娜"
manager = "manager"
[staff.wangfang]
name = "王芳"
manager = "manager"
[channels.bench]
name = "压测渠道"
state = "ch_bench"
backup = ["manager"]
staff = [{ userid = "zhangwei", weight = 2 }, { userid = "lina" }, { userid = "wangfang" }]
tags = [{ group = "渠道", name = "压测" }]
[channels.bench.welcome]
text = "{customer_name}您好！我是{staff_name}，欢迎从{channel}来。"
text_without_name = "您好！我是{staff_name}，欢迎从{channel}来。"
[[channels.bench.welcome.attachments]]
msgtype = "link"
link = { title = "新客福利", url = "https://example.com/welcome", desc = "点击领取" }
"""


@dataclass(frozen=True, slots=True)
class Queue:
    """siyu's worker tuning for the run: ``[queue] consumers`` and ``batch_size``."""

    consumers: int
    batch_size: int
    extra: str = ""  # TOML appended to siyu's config
    split: bool = False  # siyu as two processes: --role gateway and --role worker


@dataclass(frozen=True, slots=True)
class Process:
    """A child process and where its output goes."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def cpu_seconds(self) -> float | None:
        """User + system CPU seconds so far (Linux /proc), None elsewhere."""
        return cpu_seconds(self.popen.pid)


@dataclass(frozen=True, slots=True)
class Stack:
    """The running sandbox and siyu."""

    sandbox: Process
    siyu: Process  # role all, or the gateway when split
    worker: Process | None  # the worker process when split
    sandbox_url: str
    siyu_port: int
    corp_id: str
    config: Path


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of one process, from /proc/<pid>/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float | None:
    """CPU seconds all cores spent busy since boot (/proc/stat; None elsewhere)."""
    try:
        first = Path("/proc/stat").read_text(encoding="ascii").splitlines()[0]
    except OSError:
        return None
    ticks = [int(value) for value in first.split()[1:]]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait  # noqa: PLR2004
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def tail(path: Path, size: int = 2000) -> str:
    """The end of a process's log."""
    with contextlib.suppress(OSError):
        return path.read_bytes()[-size:].decode("utf-8", errors="replace")
    return ""


@contextlib.contextmanager
def _process(
    name: str, args: Sequence[str], log: Path, port: int | None, ready: str = ""
) -> Iterator[Process]:
    with log.open("wb") as out:
        popen = subprocess.Popen(
            [sys.executable, *SIYU, *args],
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    process = Process(name, popen, log)
    try:
        _wait(process, port, ready)
        yield process
    finally:
        if popen.poll() is None:
            popen.terminate()
            try:
                popen.wait(timeout=_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()


def _wait(process: Process, port: int | None, path: str) -> None:
    """Until ``path`` answers 200 (a process without a port: until it has run a second)."""
    deadline = time.monotonic() + (_START_SECONDS if port is not None else 1.0)
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise ServerStartError(f"{process.name} exited:\n{tail(process.log)}")
        if port is None:
            time.sleep(0.05)
            continue
        with contextlib.suppress(OSError):
            if http_get(port, path, timeout=0.5)[0] == 200:  # noqa: PLR2004
                return
        time.sleep(0.05)
    if port is not None:
        raise ServerStartError(f"{process.name} did not start in 30 s:\n{tail(process.log)}")


def _siyu_config(sandbox_config: Path, port: int, redis_url: str, queue: Queue) -> str:
    """siyu's TOML: the sandbox's corp and app (as it wrote them), our Redis and port."""
    written = tomllib.loads(sandbox_config.read_text(encoding="utf-8"))
    app = written["apps"]["default"]
    quote = json.dumps  # TOML basic strings take JSON's escapes
    return "\n".join(
        [
            'log_level = "WARNING"',
            "[wecom]",
            f"corp_id = {quote(written['wecom']['corp_id'])}",
            f"api_base = {quote(written['wecom']['api_base'])}",
            "[apps.default]",
            f"agent_id = {app['agent_id']}",
            f"secret = {quote(app['secret'])}",
            f"token = {quote(app['token'])}",
            f"encoding_aes_key = {quote(app['encoding_aes_key'])}",
            "[server]",
            f'host = "{HOST}"',
            f"port = {port}",
            "[redis]",
            f"url = {quote(redis_url)}",
            "[queue]",
            f"consumers = {queue.consumers}",
            f"batch_size = {queue.batch_size}",
            "",
            queue.extra,
        ]
    )


def _siyu_cli(*args: str) -> str:
    """Run a ``siyu`` command to completion; its output."""
    done = subprocess.run(  # noqa: PLW1510 - the status is checked below
        [sys.executable, *SIYU, *args], cwd=PROJECT_ROOT, capture_output=True, timeout=60
    )
    if done.returncode != 0:
        raise ServerStartError(f"siyu {' '.join(args)} failed:\n{done.stderr.decode()[-2000:]}")
    return done.stdout.decode()


@contextlib.contextmanager
def running_stack(workdir: Path, redis_url: str, queue: Queue) -> Iterator[tuple[Stack, str]]:
    """Sandbox and siyu with the benchmark's channel; yields the stack and the code's id."""
    sandbox_port, siyu_port = free_port(), free_port()
    written = workdir / "sandbox.toml"
    callback = f"http://{HOST}:{siyu_port}/wecom/callback/default"
    sandbox_args = [
        "sandbox",
        "--host",
        HOST,
        "--port",
        str(sandbox_port),
        "--seed",
        "demo",
        "--callback-url",
        callback,
        "--write-config",
        str(written),
    ]
    with _process(
        "sandbox", sandbox_args, workdir / "sandbox.log", sandbox_port, "/sandbox/state"
    ) as sandbox:
        config = workdir / "siyu.toml"
        config.write_text(_siyu_config(written, siyu_port, redis_url, queue), "utf-8")
        rules = workdir / "rules.toml"
        rules.write_text(RULES, encoding="utf-8")
        _siyu_cli("channels", "rules", "--load", str(rules), "--config", str(config))
        created = _siyu_cli("channels", "create", "bench", "--config", str(config))
        config_id = created.split()[1]  # "bench: <config_id> <qr_code> (<users>)"
        serve = ["serve", "--config", str(config)]
        corp_id = tomllib.loads(config.read_text("utf-8"))["wecom"]["corp_id"]
        url = f"http://{HOST}:{sandbox_port}"
        if not queue.split:
            with _process("siyu", serve, workdir / "siyu.log", siyu_port, "/healthz") as siyu:
                yield Stack(sandbox, siyu, None, url, siyu_port, corp_id, config), config_id
            return
        with (
            _process(
                "siyu gateway",
                [*serve, "--role", "gateway"],
                workdir / "gateway.log",
                siyu_port,
                "/healthz",
            ) as gateway,
            _process(
                "siyu worker", [*serve, "--role", "worker"], workdir / "worker.log", None
            ) as worker,
        ):
            yield Stack(sandbox, gateway, worker, url, siyu_port, corp_id, config), config_id
