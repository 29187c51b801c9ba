"""``siyu bench outage``'s flags (kept apart so ``siyu --help`` loads nothing heavy)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_outage_arguments(bench_commands: argparse._SubParsersAction[Any]) -> None:
    """``siyu bench outage [--seconds S] [--rate R] [--warmup W] [--after A]``."""
    outage = bench_commands.add_parser(
        "outage", help="Redis unreachable under load: no 5xx, nothing lost, valid welcomes sent"
    )
    outage.add_argument("--seconds", type=float, default=60.0, help="how long Redis is away")
    outage.add_argument("--rate", type=float, default=200.0, help="callbacks per second")
    outage.add_argument("--warmup", type=float, default=10.0, help="load before the outage (s)")
    outage.add_argument("--after", type=float, default=30.0, help="load after the outage (s)")
    outage.add_argument("--seed", type=int, default=1, help="seed of the load's mix")
    outage.add_argument(
        "--workdir", type=Path, default=None, help="keep configs, logs, Redis and spool here"
    )
