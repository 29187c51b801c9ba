"""CPU time of the processes in a run, read from /proc/<pid>/stat (Linux); None elsewhere.

utime + stime of a process counts all its threads (Redis's background I/O threads too), in
clock ticks (``SC_CLK_TCK``, 10 ms here): over a 10 s run at thousands of callbacks a second
that is well under 1 µs per callback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

_PROC: Final = Path("/proc")
REDIS_NAME: Final = "redis-server"


@dataclass(frozen=True, slots=True)
class _Stat:
    parent: int
    name: str
    seconds: float  # utime + stime


def _cpu_table() -> dict[int, _Stat]:
    """pid → parent pid, name and user + system CPU seconds of every readable process."""
    ticks = os.sysconf("SC_CLK_TCK")
    table: dict[int, _Stat] = {}
    for stat in _PROC.glob("[0-9]*/stat"):
        try:
            text = stat.read_text(encoding="ascii", errors="replace")
        except OSError:  # the process exited while we looked
            continue
        head, tail = text.rsplit(")", 1)  # the name may contain spaces and parens
        fields = tail.split()
        seconds = (int(fields[11]) + int(fields[12])) / ticks
        table[int(stat.parent.name)] = _Stat(int(fields[1]), head.split("(", 1)[1], seconds)
    return table


def _descendants(table: dict[int, _Stat], root: int) -> list[int]:
    """``root`` and every process below it."""
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        found.append(pid)
        frontier.extend(child for child, stat in table.items() if stat.parent == pid)
    return found


def _seconds(table: dict[int, _Stat], pids: list[int]) -> float:
    return sum(table[pid].seconds for pid in pids if pid in table)


@dataclass(frozen=True, slots=True)
class CpuSample:
    """CPU seconds used so far: the server's process tree, Redis, this process, the rest."""

    server: float
    redis: float  # every redis-server process below this one (the embedded Redis)
    generator: float
    others: float  # our other children

    def __sub__(self, earlier: CpuSample) -> CpuSample:
        return CpuSample(
            self.server - earlier.server,
            self.redis - earlier.redis,
            self.generator - earlier.generator,
            self.others - earlier.others,
        )


def sample(server_pid: int | None) -> CpuSample | None:
    """CPU used so far by the server tree, the embedded Redis, this process and the rest.

    ``server_pid`` None: no server (its figure is 0).
    """
    if not _PROC.is_dir():
        return None
    table = _cpu_table()
    me = os.getpid()
    server_tree = [] if server_pid is None else _descendants(table, server_pid)
    ours = [pid for pid in _descendants(table, me) if pid != me and pid not in server_tree]
    redis = [pid for pid in ours if table[pid].name == REDIS_NAME]
    others = [pid for pid in ours if pid not in redis]
    return CpuSample(
        server=_seconds(table, server_tree),
        redis=_seconds(table, redis),
        generator=table[me].seconds if me in table else 0.0,
        others=_seconds(table, others),
    )
