"""The HTTP layer: one aiohttp session, explicit timeouts, errcodes turned into exceptions.

``-1`` (system busy) is retried here with jittered backoff, at most ``busy_tries`` times in
all; every other errcode is raised at once for the caller to decide. Transport failures
(timeouts, refused connections, 5xx, non-JSON) raise WeComUnavailable and are not retried
here: a POST may have taken effect, so the event's own retry decides.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

import aiohttp

from bot.wecom.errors import SystemBusy, WeComUnavailable, error_for

logger = logging.getLogger(__name__)

JSON = dict[str, Any]
Sleep = Callable[[float], Awaitable[None]]
Payload = Any  # what aiohttp sends: JSON bytes or a multipart FormData
_OK: Final = 0


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds, not aiohttp's 300 s default: a worker must not hang on WeCom."""

    connect: float = 2.0
    read: float = 5.0
    total: float = 10.0

    def client_timeout(self) -> aiohttp.ClientTimeout:
        """As aiohttp wants it."""
        return aiohttp.ClientTimeout(
            total=self.total, sock_connect=self.connect, sock_read=self.read
        )


_NO_ANSWER: Final = -2  # no errcode: a timeout, a 5xx, no JSON


class CallObserver(Protocol):
    """Told of every WeCom call (bot.metrics.ScaleMetrics)."""

    def count_wecom_call(self, api: str, errcode: int, seconds: float) -> None:
        """One call, answered ``errcode`` (-2: no answer), after ``seconds``."""
        ...


class Transport:
    """Calls ``{api_base}/{api}`` and returns the JSON of a zero errcode."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_base: str,
        timeouts: Timeouts = Timeouts(),
        *,
        busy_tries: int = 3,
        backoff_seconds: float = 0.2,
        sleep: Sleep = asyncio.sleep,
        observer: CallObserver | None = None,
    ) -> None:
        self._observer = observer  # the metrics of every call (api, errcode, latency)
        self._session = session
        self._base = api_base.rstrip("/")
        self._timeout = timeouts.client_timeout()
        self._busy_tries = busy_tries
        self._backoff = backoff_seconds
        self._sleep = sleep

    async def request(
        self, method: str, api: str, params: Mapping[str, str], body: Mapping[str, Any] | None
    ) -> JSON:
        """Call ``api``; raise the errcode's exception unless it is 0."""
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"} if data else None
        answer = await self._retrying(
            api, lambda: self._once(method, api, params, data, headers, raw=False)
        )
        assert isinstance(answer, dict)  # noqa: S101 - raw=False answers JSON
        return answer

    async def upload(
        self, api: str, params: Mapping[str, str], field: str, file: tuple[str, bytes, str]
    ) -> JSON:
        """POST one file as multipart ``field`` (media/upload, media/uploadimg; doc 90253).

        ``file`` is (filename, bytes, content type). A fresh form per try: aiohttp consumes it.
        """
        filename, content, content_type = file

        def form() -> aiohttp.FormData:
            data = aiohttp.FormData()
            # a stream, not bytes: aiohttp warns that big bytes bodies block the loop
            data.add_field(field, io.BytesIO(content), filename=filename, content_type=content_type)
            return data

        answer = await self._retrying(
            api, lambda: self._once("POST", api, params, form(), None, raw=False)
        )
        assert isinstance(answer, dict)  # noqa: S101 - raw=False answers JSON
        return answer

    async def download(self, api: str, params: Mapping[str, str]) -> bytes:
        """GET ``api``'s bytes (media/get); a JSON answer carries an errcode and is raised."""
        answer = await self._retrying(
            api, lambda: self._once("GET", api, params, None, None, raw=True)
        )
        if isinstance(answer, dict):  # pragma: no cover - an errcode 0 without bytes
            raise WeComUnavailable(api, "answered JSON instead of the media")
        return answer

    async def _retrying(
        self, api: str, attempt: Callable[[], Awaitable[JSON | bytes]]
    ) -> JSON | bytes:
        for tries in range(1, self._busy_tries + 1):
            payload = await attempt()
            if isinstance(payload, bytes):
                return payload
            errcode = int(payload.get("errcode", _OK))
            if errcode == _OK:
                return payload
            error = error_for(errcode, str(payload.get("errmsg", "")), api)
            if isinstance(error, SystemBusy) and tries < self._busy_tries:
                delay = self._backoff * 2 ** (tries - 1) * (0.5 + random.random())  # noqa: S311
                logger.info("%s: system busy (-1), retry %d in %.2fs", api, tries, delay)
                await self._sleep(delay)
                continue
            raise error
        raise AssertionError("unreachable")  # pragma: no cover

    async def _once(
        self,
        method: str,
        api: str,
        params: Mapping[str, str],
        data: Payload,
        headers: Mapping[str, str] | None,
        *,
        raw: bool,
    ) -> JSON | bytes:
        """One exchange; ``raw``: a non-JSON answer is returned as bytes (media/get)."""
        started = time.perf_counter()
        errcode = _NO_ANSWER
        try:
            answer = await self._exchange(method, api, params, data, headers, raw=raw)
            errcode = int(answer.get("errcode", 0) or 0) if isinstance(answer, dict) else 0
            return answer
        finally:
            if self._observer is not None:
                self._observer.count_wecom_call(api, errcode, time.perf_counter() - started)

    async def _exchange(
        self,
        method: str,
        api: str,
        params: Mapping[str, str],
        data: Payload,
        headers: Mapping[str, str] | None,
        *,
        raw: bool,
    ) -> JSON | bytes:
        try:
            async with self._session.request(
                method,
                f"{self._base}/{api}",
                params=dict(params),
                data=data,
                headers=headers,
                timeout=self._timeout,
            ) as response:
                if response.status >= 500:  # noqa: PLR2004
                    raise WeComUnavailable(api, f"HTTP {response.status}")
                if raw and not response.content_type.endswith("json"):
                    return await response.read()
                payload = await response.json(content_type=None)
        except TimeoutError as exc:
            raise WeComUnavailable(api, "timed out") from exc
        except (aiohttp.ClientError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise WeComUnavailable(api, type(exc).__name__) from exc
        if not isinstance(payload, dict):
            raise WeComUnavailable(api, "answer is not a JSON object")
        return payload
