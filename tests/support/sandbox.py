"""A thin client of the sandbox over real HTTP, and a callback receiver that records POSTs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.clock import ManualClock
from bot.sandbox.config import SandboxConfig
from tests.support.wecom import eventually

Client = TestClient[web.Request, web.Application]
FETCH = "<fetch a token first>"


@dataclass
class Sandbox:
    """The sandbox under test: its HTTP client, config and clock."""

    http: Client
    config: SandboxConfig
    clock: ManualClock

    async def token(self, app: str = "default") -> str:
        """A fresh (or reused) access token of ``app``."""
        answer = await self.get(
            "gettoken",
            token=None,
            corpid=self.config.corp_id,
            corpsecret=self.config.apps[app].secret,
        )
        assert answer["errcode"] == 0, answer
        return str(answer["access_token"])

    async def post(
        self, api: str, body: Mapping[str, Any] | None = None, token: str | None = FETCH
    ) -> dict[str, Any]:
        """POST /cgi-bin/{api} with a JSON body; token FETCH gets one first, None omits it."""
        params = await self._token_params(token)
        response = await self.http.post(f"/cgi-bin/{api}", params=params, json=body or {})
        assert response.status == 200
        answer: dict[str, Any] = await response.json()
        assert "errcode" in answer and "errmsg" in answer
        return answer

    async def get(self, api: str, token: str | None = FETCH, **query: str) -> dict[str, Any]:
        """GET /cgi-bin/{api}?query."""
        params = {**(await self._token_params(token)), **query}
        response = await self.http.get(f"/cgi-bin/{api}", params=params)
        assert response.status == 200
        answer: dict[str, Any] = await response.json()
        assert "errcode" in answer and "errmsg" in answer
        return answer

    async def _token_params(self, token: str | None) -> dict[str, str]:
        if token is None:
            return {}
        return {"access_token": await self.token() if token == FETCH else token}

    async def control(
        self, method: str, path: str, body: Mapping[str, Any] | None = None, expect: int = 200
    ) -> Any:
        """Call a /sandbox/ route and check its status."""
        response = await self.http.request(method, f"/sandbox/{path}", json=body)
        answer = await response.json()
        assert response.status == expect, answer
        return answer

    async def outbox(self, api: str | None = None, since: str | None = None) -> list[Any]:
        """GET /sandbox/outbox."""
        query = {k: v for k, v in {"api": api, "since": since}.items() if v is not None}
        response = await self.http.get("/sandbox/outbox", params=query)
        assert response.status == 200
        entries: list[Any] = await response.json()
        return entries

    async def settled(self) -> list[dict[str, Any]]:
        """The deliveries once the emitter has nothing in flight (polled with a deadline)."""

        async def idle() -> bool:
            status = await self.control("GET", "emitter")
            return bool(status["in_flight"] == 0)

        await eventually(idle)
        return await self.deliveries()

    async def deliveries(self) -> list[dict[str, Any]]:
        """GET /sandbox/deliveries."""
        response = await self.http.get("/sandbox/deliveries")
        found: list[dict[str, Any]] = await response.json()
        return found


@dataclass
class Receiver:
    """A callback endpoint that records each POST and answers scripted statuses."""

    statuses: list[int] = field(default_factory=list)  # answered in order, then 200
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    hold_first_seconds: float = 0.0  # answer the first POST this late (a slow endpoint)

    def app(self) -> web.Application:
        """The receiving aiohttp app."""
        app = web.Application()
        app.router.add_post("/hook", self._receive)
        return app

    async def _receive(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.query), await request.read()))
        if self.hold_first_seconds and len(self.requests) == 1:
            await asyncio.sleep(self.hold_first_seconds)
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status)


SandboxFactory = Callable[[SandboxConfig | None], Awaitable[Sandbox]]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
