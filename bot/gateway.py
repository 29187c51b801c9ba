"""The callback endpoint: GET for URL verification, POST to accept events. Acks in ms.

Answers only 200, 400, 403, 408, 413 or 503: an unexpected failure becomes 503 so WeCom
retries (never 500). When Redis cannot take an event within its deadline the event goes to
the local spool (bot/spool.py) and is answered 200. Bodies, plaintexts and secrets are never
logged; refusals are counted, and logged at most once per reason per interval.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from redis.exceptions import RedisError

from bot.clock import Clock
from bot.crypto import CallbackCrypto
from bot.inbound import OpenedCallback, Rejected, open_post, open_verification
from bot.lanes import is_express
from bot.live import RUNTIME, Runtime
from bot.metrics import Metrics
from bot.spool import SpooledCallback, SpoolFull
from config.settings import DEFAULT_APP, Settings

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class RefusalLog:
    """At most one log line per reason per ``interval_seconds``, saying how many it stands for.

    A fuzzer or a misconfigured sender must not grow the log by a line per request.
    """

    interval_seconds: float
    _last: dict[str, tuple[datetime, int]] = field(default_factory=dict)

    def refused(self, result: str, reason: str, now: datetime) -> None:
        """Count a refusal; log it if its reason was not logged within the interval."""
        last = self._last.get(result)
        if last is not None and (now - last[0]).total_seconds() < self.interval_seconds:
            self._last[result] = (last[0], last[1] + 1)
            return
        suppressed = last[1] if last is not None else 0
        self._last[result] = (now, 0)
        logger.warning(
            "callback refused (%s): %s; %d more refused so since the last line",
            result,
            reason,
            suppressed,
        )


class MalformedRequestLog(logging.Filter):
    """aiohttp's parser errors (a URL over 8,190 bytes, a bad header) as one short line.

    aiohttp logs them with a traceback whose message quotes the offending line: a fuzzer
    grew one log to 28 MB (issue 19). Installed on aiohttp's server logger by the gateway.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep other records as they are; shorten a parser error's."""
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            record.msg = "malformed HTTP request refused (%s, status %s)"
            record.args = (type(error).__name__, error.code)
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def quiet_parser_errors() -> None:
    """Install MalformedRequestLog on aiohttp's server logger (once)."""
    server_logger = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, MalformedRequestLog) for f in server_logger.filters):
        server_logger.addFilter(MalformedRequestLog())


@dataclass(frozen=True, slots=True)
class Gateway:
    """What the endpoint needs: per-app crypto, the clock and the metrics (queue: runtime)."""

    settings: Settings
    cryptos: Mapping[str, CallbackCrypto]
    clock: Clock
    metrics: Metrics
    refusals: RefusalLog

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
        refusals = RefusalLog(settings.server.rejection_log_seconds)
        quiet_parser_errors()
        return cls(settings, cryptos, clock, metrics, refusals)

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
            self.refusals.refused("verification", rejected.reason, self.clock.now())
            return web.Response(status=rejected.status)
        return web.Response(body=echo.encode("utf-8"), content_type="text/plain")

    async def receive(self, request: web.Request) -> web.Response:
        """POST: verify, decrypt, type and queue the event once; answer 200 with no body."""
        started = time.perf_counter()
        name = request.match_info.get("app", DEFAULT_APP)
        app_label = name if name in self.cryptos else "unknown"
        response = web.Response(status=200)
        try:
            await self._accept(request)
        except Rejected as rejected:
            self.refusals.refused(rejected.result, rejected.reason, self.clock.now())
            self.metrics.count_callback(app_label, rejected.result)
            response = web.Response(status=rejected.status)
            if rejected.result == "timeout":  # what is left of a trickled body is never read
                response.force_close()
        except Exception:  # the endpoint never answers 500: WeCom retries a 503
            logger.exception("callback could not be handled")
            self.metrics.count_callback(app_label, "unavailable")
            response = web.Response(status=503)
        self.metrics.callback_seconds.observe(time.perf_counter() - started)
        return response

    async def _accept(self, request: web.Request) -> None:
        name, crypto = self._crypto(request)
        server = self.settings.server
        try:
            async with asyncio.timeout(server.body_read_timeout_seconds):
                body = await read_capped(request, server.max_body_bytes)
        except TimeoutError as exc:
            raise Rejected(408, "timeout", "body not received in time") from exc
        opened = open_post(
            crypto, request.query, body, self.clock.now(), server.replay_window_seconds
        )
        runtime = request.app[RUNTIME]
        callback = self._callback(name, opened)
        if runtime.spool is not None and runtime.spool.pending:  # queue behind the spooled
            await self._spool(runtime, callback)
            return
        try:
            async with asyncio.timeout(self.settings.spool.redis_deadline_seconds):
                entry_id = await runtime.queue.enqueue(
                    name,
                    callback.kind,
                    callback.dedup_key,
                    callback.xml,
                    express=callback.express,
                    event=callback.event,
                )
        except (RedisError, OSError, TimeoutError) as exc:
            if runtime.spool is None:
                reason = f"queue unavailable: {type(exc).__name__}"
                raise Rejected(503, "unavailable", reason) from exc
            await self._spool(runtime, callback)
            return
        if entry_id is None:
            logger.debug("duplicate callback %s ignored", callback.kind)
            self.metrics.count_callback(name, "duplicate")
        else:
            logger.debug("callback %s queued as %s", callback.kind, entry_id)
            self.metrics.count_callback(name, "accepted")

    def _callback(self, app: str, opened: OpenedCallback) -> SpooledCallback:
        event = opened.event
        received_ms = int(self.clock.now().timestamp() * 1000)
        return SpooledCallback(
            app,
            event.kind,
            event.dedup_key,
            opened.plaintext,
            is_express(event),
            received_ms,
            opened.compact,
        )

    async def _spool(self, runtime: Runtime, callback: SpooledCallback) -> None:
        """Redis cannot take it now: keep it in the spool (fsync'd) and answer 200."""
        assert runtime.spool is not None  # noqa: S101 - checked by the callers
        try:
            await runtime.spool.append(callback)
        except SpoolFull as exc:
            raise Rejected(503, "spool_full", "Redis away and the spool full") from exc
        except OSError as exc:  # a full or failing disk: WeCom retries
            raise Rejected(503, "spool_full", f"spool unwritable: {type(exc).__name__}") from exc
        self.metrics.spooled.inc()
        self.metrics.count_callback(callback.app, "spooled")


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
