"""Scratch: split py-spy's collapsed stacks of a gateway under load into where the CPU goes.

``python -m bench.profile_split FILE [--per-callback-us N]``: each sample goes to the first
category (the deepest frame first) whose pattern one of its frames matches; the shares are
printed, and in µs per callback when the measured CPU per callback is given.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path
from typing import Final

# (category, pattern on a "function (file:line)" frame), in tiers: a sample goes to the
# deepest frame matching a category of the first tier, else of the second, else of the third.
TIERS: Final = (
    (
        ("gc", r"^<gc>|\(garbage collection\)|gc_collect"),
        ("signature (SHA-1, compare)", r"^(signature|verify|sign) \(.*bot/crypto\.py"),
        (
            "AES decrypt + unwrap",
            r"^(decrypt|_unwrap|_cipher|_strip_padding) \(.*bot/crypto\.py|"
            r"cryptography/|base64\.py",
        ),
        ("outer XML (envelope)", r"^parse_envelope \(.*bot/envelope\.py"),
        ("inner XML (fields)", r"^parse_fields \(.*bot/envelope\.py"),
        ("event typing", r"^(event_from_fields|kind_of|_builder_for|parse_event) \(|bot/events/"),
        ("timestamp, clock", r"^(check_timestamp|now) \(.*bot/(inbound|clock)\.py"),
        ("inbound (rest of open_post)", r"^open_post \(.*bot/inbound\.py"),
        ("metrics (prometheus)", r"prometheus_client/|^count_callback \("),
        ("logging", r"/logging/"),
        ("redis-py: Lua enqueue", r"redis/|hiredis|^enqueue \(.*bot/queue\.py"),
        ("read body (read_capped, streams)", r"^read_capped \(|aiohttp/streams\.py"),
        ("query string (yarl, multidict)", r"yarl/|multidict/|^BaseRequest\.query "),
        ("gateway handler (rest)", r"bot/gateway\.py"),
        ("wechatpy", r"wechatpy/|xmltodict"),
        ("flask/werkzeug", r"flask/|werkzeug/"),
        ("gunicorn", r"gunicorn/"),
    ),
    (
        (
            "aiohttp: response write",
            r"aiohttp/(web_response|http_writer|helpers)\.py|"
            r"RequestHandler\.finish_response",
        ),
        (
            "aiohttp: request parse",
            r"aiohttp/(_http_parser|http_parser|web_request)|"
            r"RequestHandler\.data_received",
        ),
        (
            "aiohttp: routing, middleware, app",
            r"aiohttp/(web_urldispatcher|web_app|"
            r"web_middlewares)|bot/admin/auth\.py",
        ),
        ("aiohttp: connection, request task", r"aiohttp/(web_protocol|base_protocol)"),
    ),
    (("asyncio loop, sockets", r"asyncio/|selectors\.py|socket\.py"),),
)
_COMPILED: Final = [[(name, re.compile(pattern)) for name, pattern in tier] for tier in TIERS]
_LINE: Final = re.compile(r"^(?P<stack>.*) (?P<count>\d+)$")


def categorize(frames: list[str]) -> str:
    """The category of one sample (see TIERS)."""
    for tier in _COMPILED:
        for frame in reversed(frames):
            for name, pattern in tier:
                if pattern.search(frame):
                    return name
    return "other: " + (frames[-1] if frames else "?")


def split(path: Path) -> Counter[str]:
    """Samples per category."""
    counts: Counter[str] = Counter()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        found = _LINE.match(line)
        if found:
            counts[categorize(found["stack"].split(";"))] += int(found["count"])
    return counts


def main() -> int:
    """Print each category's share (and µs per callback)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--per-callback-us", type=float, default=0.0)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    counts: Counter[str] = Counter()
    for path in args.files:
        counts.update(split(path))
    total = sum(counts.values())
    print(f"{total} samples")
    for name, count in counts.most_common(args.top):
        share = count / total
        micros = f"{share * args.per_callback_us:7.1f} µs" if args.per_callback_us else ""
        print(f"{100 * share:5.1f} %  {micros}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
