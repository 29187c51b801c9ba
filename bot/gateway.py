"""The callback endpoint: GET for URL verification, POST to accept events. Acks in ms.

Answers only 200, 400, 403, 413 or 503: an unexpected failure becomes 503 so WeCom retries
(never 500). Bodies, plaintexts and secrets are never logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web
from redis.exceptions import RedisError

from bot.clock import Clock
from bot.crypto import CallbackCrypto
from bot.inbound import Rejected, open_post, open_verification
from bot.lanes import is_express
from bot.live import RUNTIME
from bot.metrics import Metrics
from config.settings import DEFAULT_APP, Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Gateway:
    """What the endpoint needs: per-app crypto, the clock and the metrics (queue: runtime)."""

    settings: Settings
    cryptos: Mapping[str, CallbackCrypto]
    clock: Clock
    metrics: Metrics

    @classmethod
    def create(cls, settings: Settings, clock: Clock, metrics: Metrics) -> Gateway:
        """Build the crypto of every configured app once, at start-up."""
        cryptos = {
            name: CallbackCrypto.create(
                app.token.get_secret_value(),
                app.encoding_aes_key.get_secret_value(),
                settings.receive_id(app),
            )
            for name, app in settings.apps.items()
        }
        return cls(settings, cryptos, clock, metrics)

    def routes(self) -> list[web.RouteDef]:
        """The callback routes."""
        return [
            web.get("/wecom/callback", self.verify_url),
            web.get("/wecom/callback/{app}", self.verify_url),
            web.post("/wecom/callback", self.receive),
            web.post("/wecom/callback/{app}", self.receive),
        ]

    def _crypto(self, request: web.Request) -> tuple[str, CallbackCrypto]:
        name = request.match_info.get("app", DEFAULT_APP)
        crypto = self.cryptos.get(name)
        if crypto is None:
            raise Rejected(403, "unknown_app", "no such app")
        return name, crypto

    async def verify_url(self, request: web.Request) -> web.Response:
        """GET: answer the decrypted echostr as the raw body."""
        try:
            _name, crypto = self._crypto(request)
            echo = open_verification(crypto, request.query)
        except Rejected as rejected:
            logger.warning("URL verification refused: %s", rejected.reason)
            return web.Response(status=rejected.status)
        return web.Response(body=echo.encode("utf-8"), content_type="text/plain")

    async def receive(self, request: web.Request) -> web.Response:
        """POST: verify, decrypt, type and queue the event once; answer 200 with no body."""
        started = time.perf_counter()
        name = request.match_info.get("app", DEFAULT_APP)
        app_label = name if name in self.cryptos else "unknown"
        try:
            status = await self._accept(request)
        except Rejected as rejected:
            logger.info("callback refused (%s): %s", rejected.result, rejected.reason)
            self.metrics.count_callback(app_label, rejected.result)
            status = rejected.status
        except Exception:  # the endpoint never answers 500: WeCom retries a 503
            logger.exception("callback could not be handled")
            self.metrics.count_callback(app_label, "unavailable")
            status = 503
        self.metrics.callback_seconds.observe(time.perf_counter() - started)
        return web.Response(status=status)

    async def _accept(self, request: web.Request) -> int:
        name, crypto = self._crypto(request)
        body = await read_capped(request, self.settings.server.max_body_bytes)
        opened = open_post(
            crypto,
            request.query,
            body,
            self.clock.now(),
            self.settings.server.replay_window_seconds,
        )
        event = opened.event
        queue = request.app[RUNTIME].queue
        try:
            entry_id = await queue.enqueue(name, event.kind, event.dedup_key, opened.plaintext,
                                           express=is_express(event))  # fmt: skip
        except (RedisError, OSError) as exc:
            raise Rejected(503, "unavailable", f"queue unavailable: {type(exc).__name__}") from exc
        if entry_id is None:
            logger.info("duplicate callback %s ignored", event.kind)
            self.metrics.count_callback(name, "duplicate")
        else:
            logger.info("callback %s queued as %s", event.kind, entry_id)
            self.metrics.count_callback(name, "accepted")
        return 200


async def read_capped(request: web.Request, limit: int) -> bytes:
    """The request body, or Rejected(413) as soon as it exceeds ``limit`` bytes."""
    if request.content_length is not None and request.content_length > limit:
        raise Rejected(413, "too_large", "body too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(16384):
        size += len(chunk)
        if size > limit:
            raise Rejected(413, "too_large", "body too large")
        chunks.append(chunk)
    return b"".join(chunks)
