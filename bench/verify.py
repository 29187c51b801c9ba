"""Did the servers durably enqueue what they answered 200 for? Counted in Redis and metrics."""

from __future__ import annotations

import re
from typing import Final

import redis

from bench.servers import http_get

_ACCEPTED: Final = re.compile(
    r'^siyu_callbacks_total\{app="default",result="accepted"\} ([0-9.e+]+)$', re.MULTILINE
)


def count_keys(redis_url: str, pattern: str) -> int:
    """How many keys match ``pattern`` (SCAN, so the server is never blocked)."""
    client = redis.Redis.from_url(redis_url)
    try:
        return sum(1 for _ in client.scan_iter(match=pattern, count=1000))
    finally:
        client.close()


def stream_length(redis_url: str, stream: str) -> int:
    """XLEN of ``stream``."""
    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.xlen(stream))
    finally:
        client.close()


def siyu_accepted(port: int) -> int:
    """``siyu_callbacks_total{app="default",result="accepted"}`` from the server's /metrics."""
    status, body = http_get(port, "/metrics", timeout=10.0)
    found = _ACCEPTED.search(body.decode("utf-8"))
    if status != 200 or found is None:  # noqa: PLR2004
        return 0
    return int(float(found.group(1)))
