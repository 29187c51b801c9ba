"""Scratch: the gateway's POST path rebuilt from parts, to measure each part's CPU under load.

``python -m bench.gateway_variants serve VARIANT PORT REDIS_URL CORP`` runs one variant (the
benchmark's driver, bench/variants_compare.py, starts them). A variant is parts joined by
``+``:

- ``app`` or ``lowlevel``: an aiohttp Application with routes, or aiohttp's ``web.Server``;
- ``open`` or ``fastopen``: siyu's ``open_post``, or the prototype (bench/fast_open.py);
- ``enqueue`` or ``batched``: ``EventQueue.enqueue`` per callback, or group commit
  (bench/batch_enqueue.py);
- ``metrics``: siyu's counter, histogram and (disabled) info log per callback;
- ``uvloop``: uvloop's event loop (installed apart, on PYTHONPATH).

Every variant answers 200 with no body, as the gateway does. Prototypes, not production code.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Final

from aiohttp import web

from bench.batch_enqueue import BatchEnqueuer
from bench.fast_open import FastOpener
from bench.servers import AES_KEY, TOKEN
from bot.cli.serve import settle_garbage_collector
from bot.crypto import CallbackCrypto
from bot.inbound import OpenedCallback, Rejected, open_post
from bot.lanes import is_express
from bot.metrics import Metrics
from bot.queue import EventQueue
from bot.store.connection import connect

logger = logging.getLogger("bot.gateway")
_TIMEOUT_SECONDS: Final = 1.0

Opener = Callable[[Mapping[str, str], bytes], OpenedCallback]
Enqueue = Callable[[str, str, str, str, bool], Awaitable[str | None]]


def _opener(parts: set[str], crypto: CallbackCrypto) -> Opener | None:
    if "fastopen" in parts:
        return FastOpener(crypto).open
    if "open" in parts:
        return lambda query, body: open_post(crypto, query, body, datetime.now(tz=UTC), 0)
    return None


def _enqueuer(parts: set[str], queue: EventQueue) -> Enqueue | None:
    if "batched" in parts:
        return BatchEnqueuer(queue).enqueue
    if "enqueue" in parts:
        return lambda app, kind, dedup, xml, express: queue.enqueue(
            app, kind, dedup, xml, express=express
        )
    return None


def build_handler(
    parts: set[str], crypto: CallbackCrypto, queue: EventQueue
) -> Callable[[web.BaseRequest], Awaitable[web.Response]]:
    """The POST handler of a variant (and /healthz for the driver)."""
    opener, enqueue = _opener(parts, crypto), _enqueuer(parts, queue)
    metrics = Metrics() if "metrics" in parts else None
    logger.setLevel(logging.WARNING)

    async def handle(request: web.BaseRequest) -> web.Response:
        if request.method == "GET":
            return web.Response(text="ok")
        started = time.perf_counter()
        body = await request.read()
        try:
            if opener is not None:
                opened = opener(request.query, body)
                event = opened.event
                if enqueue is not None:
                    entry = await enqueue(
                        "default", event.kind, event.dedup_key, opened.plaintext, is_express(event)
                    )
                    logger.info("callback %s queued as %s", event.kind, entry)
        except Rejected as rejected:
            return web.Response(status=rejected.status)
        if metrics is not None:
            metrics.count_callback("default", "accepted")
            metrics.callback_seconds.observe(time.perf_counter() - started)
        return web.Response(status=200)

    return handle


async def _serve(parts: set[str], port: int, redis_url: str, corp: str) -> None:
    crypto = CallbackCrypto.create(TOKEN, AES_KEY, corp)
    redis = connect(redis_url, _TIMEOUT_SECONDS)
    queue = EventQueue(redis, corp)
    await queue.ensure_group()
    handler = build_handler(parts, crypto, queue)
    if "lowlevel" in parts:
        runner: web.BaseRunner = web.ServerRunner(web.Server(handler, access_log=None))
    else:
        app = web.Application()
        app.router.add_get("/healthz", handler)
        app.router.add_post("/wecom/callback", handler)
        runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    settle_garbage_collector()
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await redis.aclose()


def main(argv: list[str]) -> int:
    """``serve VARIANT PORT REDIS_URL CORP``."""
    _command, variant, port, redis_url, corp = argv
    parts = set(variant.split("+"))
    if "uvloop" in parts:
        import uvloop  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415 - optional

        uvloop.run(_serve(parts, int(port), redis_url, corp))
    else:
        asyncio.run(_serve(parts, int(port), redis_url, corp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
