"""CPU time of the processes in a run, read from /proc (Linux); None elsewhere."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

_PROC: Final = Path("/proc")


def _cpu_table() -> dict[int, tuple[int, float]]:
    """pid → (parent pid, user + system CPU seconds) of every readable process."""
    ticks = os.sysconf("SC_CLK_TCK")
    table: dict[int, tuple[int, float]] = {}
    for stat in _PROC.glob("[0-9]*/stat"):
        try:
            text = stat.read_text(encoding="ascii", errors="replace")
        except OSError:  # the process exited while we looked
            continue
        fields = text.rsplit(")", 1)[1].split()  # the name may contain spaces and parens
        table[int(stat.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    return table


def _tree(table: dict[int, tuple[int, float]], root: int) -> float:
    """CPU seconds of ``root`` and all its descendants."""
    total, frontier = 0.0, [root]
    while frontier:
        pid = frontier.pop()
        total += table.get(pid, (0, 0.0))[1]
        frontier.extend(child for child, (parent, _) in table.items() if parent == pid)
    return total


@dataclass(frozen=True, slots=True)
class CpuSample:
    """CPU seconds used so far by the server's process tree, by this process, by the rest."""

    server: float
    generator: float
    others: float  # our other children: the embedded Redis

    def __sub__(self, earlier: CpuSample) -> CpuSample:
        return CpuSample(
            self.server - earlier.server,
            self.generator - earlier.generator,
            self.others - earlier.others,
        )


def sample(server_pid: int) -> CpuSample | None:
    """CPU used so far by the server tree, this process and our other children."""
    if not _PROC.is_dir():
        return None
    table = _cpu_table()
    me = os.getpid()
    server, generator = _tree(table, server_pid), table.get(me, (0, 0.0))[1]
    return CpuSample(server, generator, _tree(table, me) - generator - server)
