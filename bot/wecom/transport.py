"""The HTTP layer: one aiohttp session, explicit timeouts, errcodes turned into exceptions.

``-1`` (system busy) is retried here with jittered backoff, at most ``busy_tries`` times in
all; every other errcode is raised at once for the caller to decide. Transport failures
(timeouts, refused connections, 5xx, non-JSON) raise WeComUnavailable and are not retried
here: a POST may have taken effect, so the event's own retry decides.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import aiohttp

from bot.wecom.errors import SystemBusy, WeComUnavailable, error_for

logger = logging.getLogger(__name__)

JSON = dict[str, Any]
Sleep = Callable[[float], Awaitable[None]]
_OK: Final = 0


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds, not aiohttp's 300 s default: a worker must not hang on WeCom."""

    connect: float = 2.0
    read: float = 5.0
    total: float = 10.0

    def client_timeout(self) -> aiohttp.ClientTimeout:
        """As aiohttp wants it."""
        return aiohttp.ClientTimeout(total=self.total, sock_connect=self.connect,
                                     sock_read=self.read)  # fmt: skip


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
    ) -> None:
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
        for attempt in range(1, self._busy_tries + 1):
            payload = await self._once(method, api, params, body)
            errcode = int(payload.get("errcode", _OK))
            if errcode == _OK:
                return payload
            error = error_for(errcode, str(payload.get("errmsg", "")), api)
            if isinstance(error, SystemBusy) and attempt < self._busy_tries:
                delay = self._backoff * 2 ** (attempt - 1) * (0.5 + random.random())  # noqa: S311
                logger.info("%s: system busy (-1), retry %d in %.2fs", api, attempt, delay)
                await self._sleep(delay)
                continue
            raise error
        raise AssertionError("unreachable")  # pragma: no cover

    async def _once(
        self, method: str, api: str, params: Mapping[str, str], body: Mapping[str, Any] | None
    ) -> JSON:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"} if data else None
        try:
            async with self._session.request(
                method, f"{self._base}/{api}", params=dict(params), data=data,
                headers=headers, timeout=self._timeout,
            ) as response:  # fmt: skip
                if response.status >= 500:  # noqa: PLR2004
                    raise WeComUnavailable(api, f"HTTP {response.status}")
                payload = await response.json(content_type=None)
        except TimeoutError as exc:
            raise WeComUnavailable(api, "timed out") from exc
        except (aiohttp.ClientError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise WeComUnavailable(api, type(exc).__name__) from exc
        if not isinstance(payload, dict):
            raise WeComUnavailable(api, "answer is not a JSON object")
        return payload
