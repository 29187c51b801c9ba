"""The load generator: pre-signed callbacks POSTed back-to-back by N aiohttp clients."""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlencode

import aiohttp
from yarl import URL

from bot.callbacks import message_xml, sign_callback
from bot.crypto import CallbackCrypto

WARMUP_SECONDS: Final = 1.0
_HEADERS: Final = {"Content-Type": "text/xml; charset=utf-8"}
_REQUEST_TIMEOUT_SECONDS: Final = 30.0


@dataclass(frozen=True, slots=True)
class PreparedPost:
    """One callback POST, encrypted and signed before the clock starts."""

    url: URL
    body: bytes


def build_callbacks(
    base_url: str, token: str, aes_key: str, corp_id: str, count: int
) -> list[PreparedPost]:
    """``count`` text-message callbacks with distinct MsgIds, as WeCom would POST them."""
    crypto = CallbackCrypto.create(token, aes_key, corp_id)
    created = int(time.time())
    posts: list[PreparedPost] = []
    for msg_id in range(1, count + 1):
        plaintext = message_xml(
            {
                "ToUserName": corp_id,
                "FromUserName": "staff01",
                "CreateTime": created,
                "MsgType": "text",
                "Content": f"你好，请问这款产品还有货吗？订单 {msg_id}",
                "MsgId": 7_300_000_000_000_000_000 + msg_id,
                "AgentID": 1000002,
            }
        )
        signed = sign_callback(crypto, plaintext, created, to_user_name=corp_id)
        url = URL(f"{base_url}/wecom/callback?{urlencode(signed.query)}", encoded=True)
        posts.append(PreparedPost(url, signed.body))
    return posts


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (0.0 if it is empty)."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass(slots=True)
class LoadResult:
    """What one load run observed; latencies only of 200s completed in the timed window."""

    seconds: float
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    requests: int = 0
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    exhausted: bool = False

    @property
    def throughput(self) -> float:
        """200s completed per second of the timed window."""
        return len(self.latencies) / self.seconds

    def latency_ms(self, fraction: float) -> float:
        """A latency percentile in milliseconds."""
        return percentile(sorted(self.latencies), fraction) * 1000

    @property
    def error_rate(self) -> float:
        """Share of all requests (warm-up included) that were not answered 200."""
        return (self.requests - self.ok) / self.requests if self.requests else 1.0


@dataclass(frozen=True, slots=True)
class _Window:
    measure_from: float
    until: float


async def _post(session: aiohttp.ClientSession, post: PreparedPost) -> int | str:
    try:
        async with session.post(post.url, data=post.body, headers=_HEADERS) as response:
            await response.read()
            return response.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        return type(exc).__name__


async def _client(
    session: aiohttp.ClientSession,
    posts: Iterator[PreparedPost],
    window: _Window,
    result: LoadResult,
) -> None:
    """Send back-to-back until the window closes; record each outcome."""
    while (begun := time.perf_counter()) < window.until:
        post = next(posts, None)
        if post is None:
            result.exhausted = True
            return
        status = await _post(session, post)
        ended = time.perf_counter()
        result.requests += 1
        if status == 200:  # noqa: PLR2004 - the only success
            result.ok += 1
            if window.measure_from <= ended <= window.until:
                result.latencies.append(ended - begun)
        else:
            result.errors[str(status)] += 1


async def run_load(posts: list[PreparedPost], seconds: float, concurrency: int) -> LoadResult:
    """``concurrency`` clients POST ``posts`` for a warm-up second plus ``seconds``."""
    result = LoadResult(seconds=seconds, concurrency=concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=_REQUEST_TIMEOUT_SECONDS)
    shared = iter(posts)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start = time.perf_counter()
        window = _Window(start + WARMUP_SECONDS, start + WARMUP_SECONDS + seconds)
        await asyncio.gather(
            *(_client(session, shared, window, result) for _ in range(concurrency))
        )
    return result
