"""``siyu sandbox``: run the local WeCom sandbox. Light to import: the server loads lazily."""

from __future__ import annotations

import argparse

DEFAULT_CALLBACK_URL = "http://127.0.0.1:8080/wecom/callback/default"


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``siyu sandbox``."""
    parser.description = (
        "A local WeCom: its HTTP API under /cgi-bin/ (tokens, limits, error codes), a "
        "callback emitter that encrypts, signs and retries like WeCom, and actors, outbox "
        "and fault injection under /sandbox/. Credentials are made up at each start."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=9090, help="port (0: any free port)")
    parser.add_argument(
        "--seed", choices=["demo"], default=None, help="start with a demo corp (else empty)"
    )
    parser.add_argument(
        "--callback-url",
        default=None,
        help=f"where the default app's callbacks go (default: {DEFAULT_CALLBACK_URL})",
    )
    parser.add_argument(
        "--write-config",
        metavar="PATH",
        default=None,
        help="write a siyu TOML config pointing at this sandbox (for siyu serve --config)",
    )


def run_sandbox(args: argparse.Namespace) -> int:
    """Run the sandbox until SIGINT or SIGTERM."""
    from bot.sandbox.runner import run  # noqa: PLC0415 - keeps `siyu --help` fast

    return run(
        host=args.host,
        port=args.port,
        seed=args.seed,
        callback_url=args.callback_url or DEFAULT_CALLBACK_URL,
        write_config=args.write_config,
    )
