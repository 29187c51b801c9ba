"""``siyu bench NAME``: the benchmarks, each against a baseline measured in the same run.

Each benchmark module loads only when its command runs (``siyu --help`` stays fast).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, Final

from bench.kf_arguments import add_kf_bench_arguments
from bench.outage_arguments import add_outage_arguments
from bot.cli.channel_arguments import add_welcome_bench_arguments


def add_bench_arguments(commands: argparse._SubParsersAction[Any]) -> None:
    """``siyu bench ingest|scale|fuzz|welcome|nlp|reminders|customers|kf``."""
    bench = commands.add_parser("bench", help="benchmarks against a baseline in the same run")
    bench_commands = bench.add_subparsers(dest="bench_command", required=True, metavar="NAME")
    ingest = bench_commands.add_parser("ingest", help="callbacks/s and latency vs Flask+wechatpy")
    ingest.add_argument("--seconds", type=float, default=10.0, help="load duration per server")
    ingest.add_argument("--concurrency", type=int, default=50)
    ingest.add_argument("--json", action="store_true", help="print the result as JSON")
    fuzz = bench_commands.add_parser(
        "fuzz", help="fuzzed callbacks against a gateway: no 5xx, memory flat"
    )
    fuzz.add_argument("--callbacks", type=int, default=100_000)
    fuzz.add_argument("--concurrency", type=int, default=20)
    fuzz.add_argument("--seed", type=int, default=1)
    scale = bench_commands.add_parser(
        "scale", help="ingest with 1, 2, 3 gateway processes against one Redis"
    )
    scale.add_argument(
        "--gateways", type=_counts, default=[1, 2, 3], help="gateway counts, e.g. 1,2,3"
    )
    scale.add_argument("--seconds", type=float, default=10.0, help="load duration per count")
    scale.add_argument("--concurrency", type=int, default=50, help="clients per gateway")
    scale.add_argument("--json", action="store_true", help="print the result as JSON")
    add_welcome_bench_arguments(bench_commands)
    add_kf_bench_arguments(bench_commands)
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

    bench_customers = bench_commands.add_parser(
        "customers", help="customer search, audience counts and task splits on the indexes"
    )
    bench_customers.add_argument("--customers", type=int, default=1_000_000)
    bench_customers.add_argument("--staff", type=int, default=2_000)
    bench_customers.add_argument("--tags", type=int, default=50)
    bench_customers.add_argument("--json", action="store_true", help="print the result as JSON")
    add_outage_arguments(bench_commands)


def _counts(text: str) -> list[int]:
    """``1,2,3`` → [1, 2, 3]."""
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None


def run_bench(args: argparse.Namespace) -> int:
    """Run the chosen benchmark; its exit status."""
    return _RUNNERS.get(args.bench_command, _ingest)(args)


def _ingest(args: argparse.Namespace) -> int:
    from bench.ingest import run_ingest_bench  # noqa: PLC0415

    return run_ingest_bench(args.seconds, args.concurrency, as_json=args.json)


def _scale(args: argparse.Namespace) -> int:
    from bench.scale import run_scale_bench  # noqa: PLC0415

    return run_scale_bench(args.gateways, args.seconds, args.concurrency, as_json=args.json)


def _fuzz(args: argparse.Namespace) -> int:
    from bench.fuzz_soak import run_fuzz_bench  # noqa: PLC0415

    return run_fuzz_bench(args.callbacks, args.concurrency, args.seed)


def _reminders(args: argparse.Namespace) -> int:
    from bench.reminders import run_reminders_bench  # noqa: PLC0415

    return run_reminders_bench(args.pending, args.rate, args.seconds, as_json=args.json)


def _customers(args: argparse.Namespace) -> int:
    from bench.customers import run_customers_bench  # noqa: PLC0415

    return run_customers_bench(args.customers, args.staff, args.tags, as_json=args.json)


def _kf(args: argparse.Namespace) -> int:
    from bench.kf import run_kf_bench  # noqa: PLC0415

    return run_kf_bench(args)


def _welcome(args: argparse.Namespace) -> int:
    from bench.welcome import run_welcome_bench  # noqa: PLC0415

    return run_welcome_bench(args)


def _nlp(args: argparse.Namespace) -> int:
    from bench.nlp import run_nlp_bench  # noqa: PLC0415

    return run_nlp_bench(args.messages, as_json=args.json)


def _outage(args: argparse.Namespace) -> int:
    from bench.outage import run_outage_bench  # noqa: PLC0415

    return run_outage_bench(args)


_RUNNERS: Final[dict[str, Callable[[argparse.Namespace], int]]] = {
    "ingest": _ingest,
    "scale": _scale,
    "fuzz": _fuzz,
    "reminders": _reminders,
    "customers": _customers,
    "kf": _kf,
    "welcome": _welcome,
    "nlp": _nlp,
    "outage": _outage,
}
