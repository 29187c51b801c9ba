"""The ``siyu`` command: one entry point, subcommands, ``--help`` everywhere."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from bot.app import Role
from bot.cli.bench import add_bench_arguments, run_bench
from bot.cli.channel_arguments import add_channels_arguments
from bot.cli.chaos import add_chaos_arguments
from bot.cli.logs import JsonFormatter
from bot.cli.media import add_media_arguments
from bot.cli.reminders import add_reminders_arguments, run_reminders
from bot.cli.rules import add_rules_arguments
from bot.cli.task_arguments import add_tasks_arguments
from bot.cli.users import add_credentials_arguments
from bot.queue import EventQueue
from bot.sandbox.command import add_sandbox_arguments
from bot.store.connection import open_redis
from config.settings import Settings, config_path, load_settings

_NO_CONFIG = """siyu: no configuration: {missing} missing.
Give a config file with --config PATH (or SIYU_CONFIG=PATH). To start:
  siyu sandbox --write-config siyu.toml      # a local WeCom to try siyu against
  cp config/siyu.example.toml siyu.toml      # for your corp: fill in corp_id and the app's keys
then run the command again with --config siyu.toml."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("siyu")
    except PackageNotFoundError:
        return "unknown"


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", metavar="PATH", help="TOML settings file (default: $SIYU_CONFIG)"
    )


def _top_parser() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction[Any]]:
    """The ``siyu`` parser (with ``--version``), its subcommands, and ``users``/``apikey``."""
    parser = argparse.ArgumentParser(prog="siyu", description=__doc__)
    parser.add_argument("--version", action="version", version=f"siyu {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_credentials_arguments(commands, _add_config)
    return parser, commands


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser, commands = _top_parser()

    serve = commands.add_parser("serve", help="run the gateway, the workers, or both")
    _add_config(serve)
    serve.add_argument("--role", choices=[r.value for r in Role], default=Role.ALL.value)

    dead = commands.add_parser("dead", help="inspect and replay dead-lettered events")
    dead_commands = dead.add_subparsers(dest="dead_command", required=True, metavar="ACTION")
    dead_list = dead_commands.add_parser("list", help="list dead letters (oldest first)")
    _add_config(dead_list)
    dead_list.add_argument("--json", action="store_true", help="one JSON object per line")
    dead_list.add_argument("--limit", type=int, default=100)
    replay = dead_commands.add_parser("replay", help="put dead letters back on the queue")
    _add_config(replay)
    target = replay.add_mutually_exclusive_group(required=True)
    target.add_argument("id", nargs="?", help="the dead letter's id")
    target.add_argument("--all", action="store_true", help="replay every dead letter")

    demo = commands.add_parser("demo", help="play a scripted story on an embedded siyu")
    demo.add_argument("--data-dir", default=None, help="where the demo's Redis lives")

    doctor = commands.add_parser("doctor", help="check the WeCom setup and explain each failure")
    _add_config(doctor)
    doctor.add_argument(
        "--public-url",
        metavar="URL",
        help="the callback URL WeCom calls, e.g. https://siyu.example.com/wecom/callback",
    )

    sandbox = commands.add_parser(
        "sandbox", help="run the local WeCom sandbox (WeCom's API, callbacks and actors)"
    )
    add_sandbox_arguments(sandbox)

    channels = commands.add_parser(
        "channels", help="customer channels: live codes, allocation, daily statistics, rules"
    )
    add_channels_arguments(channels, _add_config)

    add_rules_arguments(
        commands.add_parser("rules", help="rule sets as files: export|import DIR"), _add_config
    )

    reminders = commands.add_parser("reminders", help="reminders and their states")
    add_reminders_arguments(reminders, _add_config)

    tasks = commands.add_parser("tasks", help="group tasks (群发任务): create, list, show, cancel")
    add_tasks_arguments(tasks, _add_config)
    add_media_arguments(
        commands.add_parser("media", help="the media library: upload FILE"), _add_config
    )

    add_bench_arguments(commands)
    add_chaos_arguments(commands)

    nlp = commands.add_parser("nlp", help="sensitive words and intents")
    nlp_commands = nlp.add_subparsers(dest="nlp_command", required=True, metavar="ACTION")
    scan = nlp_commands.add_parser(
        "scan", help="analyze one message per stdin line, print one JSON object per line"
    )
    _add_config(scan)
    scan.add_argument("--lists", metavar="DIR", help="word lists directory (default: packaged)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``siyu`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except ValidationError as exc:
        if config_path(getattr(args, "config", None)) is None:
            missing = sorted({".".join(map(str, e["loc"][:1])) for e in exc.errors()})
            print(_NO_CONFIG.format(missing=", ".join(f"[{m}]" for m in missing)), file=sys.stderr)
        else:
            print(f"siyu: configuration error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"siyu: configuration error: {exc}", file=sys.stderr)
        return 2


def _configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    if settings.log.format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler])


def _run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from bot.demo import run_demo  # noqa: PLC0415 - keeps `siyu --help` fast

        return run_demo(args.data_dir)
    if args.command == "sandbox":
        from bot.sandbox.command import run_sandbox  # noqa: PLC0415

        return run_sandbox(args)
    offline = {"bench", "nlp", "chaos"}
    if args.command in offline or getattr(args, "reminders_command", "") == "parse":
        return _offline(args)
    settings = load_settings(args.config)
    _configure_logging(settings)
    if args.command == "doctor":
        return asyncio.run(_doctor(settings, args.public_url))
    if args.command == "serve":
        from bot.cli.serve import serve  # noqa: PLC0415

        serve(settings, Role(args.role))
        return 0
    return _stateful(settings, args)


def _stateful(settings: Settings, args: argparse.Namespace) -> int:
    """Commands that read siyu's state in Redis: channels, reminders, dead letters."""
    if args.command == "reminders":
        status, lines = run_reminders(settings, args)
        print("\n".join(lines))
        return status
    if args.command == "channels":
        return _channels(settings, args)
    if args.command == "tasks":
        return _tasks(settings, args)
    if args.command in {"users", "apikey"}:
        from bot.cli import users  # noqa: PLC0415 - keeps `siyu --help` fast

        run = users.run_users if args.command == "users" else users.run_apikeys
        status, lines = asyncio.run(run(settings, args))
        print("\n".join(lines), file=sys.stdout if status == 0 else sys.stderr)
        return status
    if args.command in {"rules", "media"}:
        return (_rules if args.command == "rules" else _media)(settings, args)
    return asyncio.run(_dead(settings, args))


def _tasks(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli.tasks import run_tasks  # noqa: PLC0415 - keeps `siyu --help` fast

    status, lines = run_tasks(settings, args)
    print("\n".join(lines), file=sys.stdout if status == 0 else sys.stderr)
    return status


def _rules(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli.rules import run_rules  # noqa: PLC0415 - keeps `siyu --help` fast

    status, lines = run_rules(settings, args)
    print("\n".join(lines), file=sys.stdout if status == 0 else sys.stderr)
    return status


def _media(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli.media import run_media  # noqa: PLC0415 - keeps `siyu --help` fast

    status, lines = run_media(settings, args)
    print("\n".join(lines), file=sys.stdout if status == 0 else sys.stderr)
    return status


def _channels(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli.channels import run_channels  # noqa: PLC0415 - keeps `siyu --help` fast

    status, lines = run_channels(settings, args)
    print("\n".join(lines), file=sys.stdout if status == 0 else sys.stderr)
    return status


def _offline(args: argparse.Namespace) -> int:
    """Commands that need no configured Redis or WeCom: benchmarks, ``nlp scan``, ``reminders
    parse``, and ``chaos`` (which starts its own)."""
    if args.command == "chaos":
        from bot.cli.chaos import run_chaos_command  # noqa: PLC0415 - keeps `siyu --help` fast

        return run_chaos_command(args)
    if args.command == "reminders":
        from bot.cli.reminder_parse import run_parse  # noqa: PLC0415

        return run_parse(args)
    if args.command == "nlp":
        from bot.cli.nlp_scan import run_scan  # noqa: PLC0415

        return run_scan(args.config, args.lists)
    return run_bench(args)


async def _doctor(settings: Settings, public_url: str | None) -> int:
    from bot.cli.doctor import diagnose  # noqa: PLC0415

    findings = await diagnose(settings, public_url)
    for finding in findings:
        print(finding.line())
    failed = sum(not finding.ok for finding in findings)
    print(f"\n{len(findings) - failed} checks passed, {failed} failed.")
    return 1 if failed else 0


async def _dead(settings: Settings, args: argparse.Namespace) -> int:
    async with open_redis(settings.redis) as redis:
        queue = EventQueue(redis, settings.wecom.corp_id)
        if args.dead_command == "list":
            for dead_id, fields in await queue.dead_entries(args.limit):
                summary = {k: v for k, v in fields.items() if k != "xml"}  # no bodies
                if args.json:
                    print(json.dumps({"id": dead_id, **summary}, ensure_ascii=False))
                else:
                    print(
                        f"{dead_id}  {summary.get('kind')}  deliveries={summary.get('deliveries')}"
                        f"  {summary.get('error')}"
                    )
            return 0
        ids = [dead_id for dead_id, _ in await queue.dead_entries(10**9)] if args.all else [args.id]
        missing = 0
        for dead_id in ids:
            new_id = await queue.replay(dead_id)
            if new_id is None:
                print(f"{dead_id}: no such dead letter", file=sys.stderr)
                missing += 1
            else:
                print(f"{dead_id} replayed as {new_id}")
        return 1 if missing else 0
