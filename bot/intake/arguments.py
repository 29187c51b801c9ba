"""The options of ``siyu channels``; light to import (the actions load lazily)."""

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
    rules = actions.add_parser("rules", help="show the live intake rules, or replace them")
    source = rules.add_mutually_exclusive_group()
    source.add_argument("--load", metavar="PATH", help="replace them with a rules TOML file")
    source.add_argument("--reset", action="store_true", help="replace them with the defaults")
    for action in (listed, create, stats, rebalance, rules):
        add_config(action)
