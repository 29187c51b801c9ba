"""``siyu sandbox``: start the local WeCom sandbox (placeholder until the sandbox lands)."""

from __future__ import annotations

import argparse


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``siyu sandbox``."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9090)
    parser.add_argument("--seed", choices=["demo"], default=None)
    parser.add_argument("--callback-url", default=None)
    parser.add_argument("--write-config", metavar="PATH", default=None)


def run_sandbox(args: argparse.Namespace) -> int:
    """Run the sandbox until interrupted."""
    raise NotImplementedError("the sandbox is not built yet")
