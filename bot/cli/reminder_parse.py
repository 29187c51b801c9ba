"""``siyu reminders parse``: one staff message per stdin line in, one JSON object per line out.

The same parser as the chat command (nlp.timeparse.parse_request), with the clock, the time
zone and the known customers given on the command line; it needs no config and no Redis.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nlp.timeparse import parse_request


def add_parse_arguments(parser: argparse.ArgumentParser) -> None:
    """``siyu reminders parse [--now ISO8601] [--tz ZONE] [--customers FILE]``."""
    parser.add_argument("--now", metavar="ISO8601", help="the moment to read from (default: now)")
    parser.add_argument("--tz", default="Asia/Shanghai", help="time zone (default Asia/Shanghai)")
    parser.add_argument(
        "--customers", metavar="FILE", type=Path, help="known customer names, one per line"
    )


def parsed_lines(
    lines: Iterable[str], now: datetime, tz: ZoneInfo, customers: Iterable[str] = ()
) -> Iterator[str]:
    """One JSON object per non-empty message line."""
    known = tuple(customers)
    for line in lines:
        text = line.rstrip("\r\n")
        if text.strip():
            request = parse_request(text, now, known, tz=tz)
            yield json.dumps(request.as_json(), ensure_ascii=False)


def _moment(raw: str | None, tz: ZoneInfo) -> datetime:
    if raw is None:
        return datetime.now(tz)
    moment = datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def run_parse(
    args: argparse.Namespace, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> int:
    """Parse stdin; 2 with a reason on stderr when an option is wrong."""
    try:
        tz = ZoneInfo(args.tz)
        now = _moment(args.now, tz)
        customers = args.customers.read_text("utf-8").splitlines() if args.customers else []
    except (ZoneInfoNotFoundError, ValueError) as exc:
        print(f"siyu reminders parse: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"siyu reminders parse: cannot read {args.customers}: {exc.strerror}", file=sys.stderr
        )
        return 2
    for out in parsed_lines(stdin, now, tz, [c.strip() for c in customers if c.strip()]):
        print(out, file=stdout, flush=True)
    return 0
