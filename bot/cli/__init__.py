"""The ``siyu`` command: one entry point, subcommands, ``--help`` everywhere."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bench.kf_arguments import add_kf_bench_arguments
from bot.app import Role
from bot.cli.channel_arguments import add_channels_arguments, add_welcome_bench_arguments
from bot.cli.reminders import add_reminders_arguments, run_reminders
from bot.cli.task_arguments import add_tasks_arguments
from bot.queue import EventQueue
from bot.sandbox.command import add_sandbox_arguments
from bot.store.connection import open_redis
from config.settings import Settings, load_settings


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", metavar="PATH", help="TOML settings file (default: $SIYU_CONFIG)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="siyu", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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

    reminders = commands.add_parser("reminders", help="reminders and their states")
    add_reminders_arguments(reminders, _add_config)

    tasks = commands.add_parser("tasks", help="group tasks (群发任务): create, list, show, cancel")
    add_tasks_arguments(tasks, _add_config)

    bench = commands.add_parser("bench", help="benchmarks against a baseline in the same run")
    bench_commands = bench.add_subparsers(dest="bench_command", required=True, metavar="NAME")
    ingest = bench_commands.add_parser("ingest", help="callbacks/s and latency vs Flask+wechatpy")
    ingest.add_argument("--seconds", type=float, default=10.0, help="load duration per server")
    ingest.add_argument("--concurrency", type=int, default=50)
    ingest.add_argument("--json", action="store_true", help="print the result as JSON")
    for add_bench_arguments in (add_welcome_bench_arguments, add_kf_bench_arguments):
        add_bench_arguments(bench_commands)
    bench_nlp = bench_commands.add_parser(
        "nlp", help="messages/s, p99 and reload time of the NLP pipeline vs jieba.lcut + set"
    )
    bench_nlp.add_argument("--messages", type=int, default=20000, help="messages per timed pass")
    bench_nlp.add_argument("--json", action="store_true", help="print the result as JSON")

    bench_reminders = bench_commands.add_parser(
        "reminders", help="scheduler memory, start-up and lateness with many pending reminders"
    )
    bench_reminders.add_argument("--pending", type=int, default=1_000_000)
    bench_reminders.add_argument("--rate", type=int, default=1000, help="falling due per second")
    bench_reminders.add_argument("--seconds", type=float, default=10.0)
    bench_reminders.add_argument("--json", action="store_true", help="print the result as JSON")

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
    except (FileNotFoundError, ValidationError) as exc:
        print(f"siyu: configuration error: {exc}", file=sys.stderr)
        return 2


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def _run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from bot.demo import run_demo  # noqa: PLC0415 - keeps `siyu --help` fast

        return run_demo(args.data_dir)
    if args.command == "sandbox":
        from bot.sandbox.command import run_sandbox  # noqa: PLC0415

        return run_sandbox(args)
    if args.command in {"bench", "nlp"} or getattr(args, "reminders_command", "") == "parse":
        return _offline(args)
    settings = load_settings(args.config)
    _configure_logging(settings.log_level)
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
    return asyncio.run(_dead(settings, args))


def _tasks(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli.tasks import run_tasks  # noqa: PLC0415 - keeps `siyu --help` fast

    status, lines = run_tasks(settings, args)
    print("\n".join(lines), file=sys.stdout if status == 0 else sys.stderr)
    return status


def _channels(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli.channels import run_channels  # noqa: PLC0415 - keeps `siyu --help` fast

    status, lines = run_channels(settings, args)
    print("\n".join(lines), file=sys.stdout if status == 0 else sys.stderr)
    return status


def _sandbox_bench(args: argparse.Namespace) -> int:
    """The benchmarks that drive siyu through the sandbox: welcome, kf."""
    if args.bench_command == "kf":
        from bench.kf import run_kf_bench  # noqa: PLC0415

        return run_kf_bench(args)
    from bench.welcome import run_welcome_bench  # noqa: PLC0415

    return run_welcome_bench(args)


def _offline(args: argparse.Namespace) -> int:
    """Commands that need neither Redis nor WeCom: benchmarks, ``nlp scan``, ``reminders parse``."""
    if args.command == "reminders":
        from bot.cli.reminder_parse import run_parse  # noqa: PLC0415

        return run_parse(args)
    if args.command == "nlp":
        from bot.cli.nlp_scan import run_scan  # noqa: PLC0415

        return run_scan(args.config, args.lists)
    if args.bench_command == "reminders":
        from bench.reminders import run_reminders_bench  # noqa: PLC0415

        return run_reminders_bench(args.pending, args.rate, args.seconds, as_json=args.json)
    if args.bench_command in {"welcome", "kf"}:
        return _sandbox_bench(args)
    if args.bench_command == "nlp":
        from bench.nlp import run_nlp_bench  # noqa: PLC0415

        return run_nlp_bench(args.messages, as_json=args.json)
    from bench.ingest import run_ingest_bench  # noqa: PLC0415

    return run_ingest_bench(args.seconds, args.concurrency, as_json=args.json)


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
