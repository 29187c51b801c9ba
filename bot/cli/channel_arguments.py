"""The options of ``siyu channels`` and ``siyu bench welcome``; light to import."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def add_channels_arguments(
    parser: argparse.ArgumentParser, add_config: Callable[[argparse.ArgumentParser], None]
) -> None:
    """The actions of ``siyu channels`` (``add_config`` adds --config to a parser)."""
    actions = parser.add_subparsers(dest="channels_command", required=True, metavar="ACTION")
    listed = actions.add_parser("list", help="channels, their live codes and current user lists")
    create = actions.add_parser("create", help="make the live codes of channels that have none")
    create.add_argument("channels", nargs="*", metavar="CHANNEL", help="default: every channel")
    stats = actions.add_parser("stats", help="adds, losses and net growth per channel per day")
    stats.add_argument("--days", type=int, default=7, help="how many days back (default 7)")
    stats.add_argument("--json", action="store_true", help="one JSON object per line")
    rebalance = actions.add_parser(
        "rebalance", help="apply caps, hours and weights to every code now (run every minute)"
    )
    imported = actions.add_parser(
        "import-customers", help="import existing customers' profiles from WeCom (run once)"
    )
    imported.add_argument("staff", nargs="*", metavar="USERID", help="default: every member")
    rules = actions.add_parser("rules", help="show the live intake rules, or replace them")
    source = rules.add_mutually_exclusive_group()
    source.add_argument("--load", metavar="PATH", help="replace them with a rules TOML file")
    source.add_argument("--reset", action="store_true", help="replace them with the defaults")
    for action in (listed, create, stats, rebalance, imported, rules):
        add_config(action)


def add_welcome_bench_arguments(
    bench_commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """``siyu bench welcome`` under ``siyu bench``."""
    welcome = bench_commands.add_parser(
        "welcome", help="customers scan a live code: welcome latency and misses, via the sandbox"
    )
    welcome.add_argument("--rate", type=float, default=200.0, help="adds per second")
    welcome.add_argument("--seconds", type=float, default=60.0, help="load duration")
    # Many small batches: a worker waits for a whole batch, so big ones hold welcomes back.
    welcome.add_argument("--consumers", type=int, default=8, help="siyu's queue.consumers")
    welcome.add_argument("--batch-size", type=int, default=4, help="siyu's queue.batch_size")
    welcome.add_argument(
        "--extra-config",
        metavar="PATH",
        default=None,
        help="TOML appended to siyu's config (e.g. other concerns' automation switched off)",
    )
    welcome.add_argument(
        "--split",
        action="store_true",
        help="run siyu as two processes (serve --role gateway and --role worker)",
    )
    welcome.add_argument("--json", action="store_true", help="print the result as JSON")
