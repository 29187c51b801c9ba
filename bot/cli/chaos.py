"""``siyu chaos``: real processes, a load of signed callbacks, faults at random; nothing lost,
nothing doubled (exit status 1 if anything was).

Also the entry point of the run's children (``serve_child``): ``siyu serve``'s path with the
chaos journal on the main lane and siyu's express lane.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import secrets
import sys
from pathlib import Path
from typing import Any, Final

DEFAULT_MINUTES: Final = 0.75  # the short form: well under 2 minutes of wall time in all
DEFAULT_RATE: Final = 20.0


def add_chaos_arguments(commands: argparse._SubParsersAction[Any]) -> None:
    """``siyu chaos [--minutes M] [--seed N] [--rate R]``."""
    chaos = commands.add_parser(
        "chaos",
        help="kill, cut off and flood real siyu processes; check nothing is lost or doubled",
    )
    chaos.add_argument(
        "--minutes",
        type=float,
        default=DEFAULT_MINUTES,
        help=f"how long the load and the faults last (default {DEFAULT_MINUTES:g}; long form: 10)",
    )
    chaos.add_argument(
        "--seed", type=int, default=None, help="seed of the fault plan (default: random)"
    )
    chaos.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep the run's configs, logs, Redis and spool here (default: a temporary "
        "directory, removed after a clean run)",
    )
    chaos.add_argument(
        "--rate",
        type=float,
        default=DEFAULT_RATE,
        help=f"events per second (default {DEFAULT_RATE:g})",
    )


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run_chaos_command(args: argparse.Namespace) -> int:
    """Run, print the table; 0 when nothing was lost or doubled."""
    from bot.chaos.report import exit_status, table  # noqa: PLC0415 - keeps `siyu --help` fast
    from bot.chaos.run import ChaosOptions, Progress, run_chaos  # noqa: PLC0415

    if args.minutes <= 0 or args.rate <= 0:
        print("siyu chaos: --minutes and --rate must be positive", file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    logging.basicConfig(level=logging.WARNING)
    options = ChaosOptions(args.minutes, seed, args.rate, args.workdir)
    try:
        tally = asyncio.run(run_chaos(options, Progress(_say)))
    except RuntimeError as exc:  # a process would not start (or restart): no account to give
        print(f"siyu chaos: the run stopped: {exc}", file=sys.stderr)
        return 2
    for line in table(tally):
        _say(line)
    return exit_status(tally)


def serve_child() -> None:
    """``python -c '...serve_child()' CONFIG ROLE``: serve ROLE until SIGTERM, with the journal."""
    from aiohttp import web  # noqa: PLC0415

    from bot.app import Role, create_app  # noqa: PLC0415
    from bot.chaos import journal  # noqa: PLC0415
    from bot.cli.samples import sampled_gauges  # noqa: PLC0415
    from bot.cli.serve import quiet_scheduler_logs  # noqa: PLC0415
    from bot.dispatch import Router  # noqa: PLC0415
    from config.settings import load_settings  # noqa: PLC0415
    from handlers import build_express_router, build_root_router  # noqa: PLC0415

    config, role = sys.argv[1], Role(sys.argv[2])
    settings = load_settings(config)
    logging.basicConfig(level=settings.log_level.upper())
    quiet_scheduler_logs()
    root: Router | None = None
    express: Router | None = None
    if role in {Role.ALL, Role.WORKER}:  # a gateway or scheduler loads no concern
        root = Router(name="chaos")
        root.include(journal.router, build_root_router())  # first: a failing handler can't hide it
        express = build_express_router()
    app = create_app(settings, role=role, router=root, express_router=express)
    app.cleanup_ctx.append(sampled_gauges)
    listener = settings.server if role in {Role.ALL, Role.GATEWAY} else settings.observability
    gc.freeze()
    web.run_app(
        app,
        host=listener.host,
        port=listener.port,
        shutdown_timeout=settings.server.shutdown_timeout_seconds,
        access_log=None,
        print=None,
    )
