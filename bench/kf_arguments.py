"""The options of ``siyu bench kf`` (bench/kf.py); light to import."""

from __future__ import annotations

from typing import Any


def add_kf_bench_arguments(bench_commands: Any) -> None:
    """``siyu bench kf`` under ``siyu bench``."""
    kf = bench_commands.add_parser(
        "kf", help="customers chat with the 微信客服 bot: answers/s and p99, via the sandbox"
    )
    kf.add_argument("--customers", type=int, default=100, help="customers chatting at once")
    kf.add_argument("--seconds", type=float, default=30.0, help="load duration")
    kf.add_argument(
        "--interval", type=float, default=1.0, help="seconds between one customer's messages"
    )
    # A consumer waits for its whole batch, and a kf_msg_or_event's pull holds the customer
    # messages read with it: many consumers of one event each keep answers from waiting.
    kf.add_argument("--consumers", type=int, default=16, help="siyu's queue.consumers")
    kf.add_argument("--batch-size", type=int, default=1, help="siyu's queue.batch_size")
    kf.add_argument("--json", action="store_true", help="print the result as JSON")
