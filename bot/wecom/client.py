"""The core of the API client: limits, the access token and the call, for one app.

Every typed method ends here. The order is fixed: take a rate-limit slot, get a token, call;
on 40014/42001/41001 the token is invalidated and the call retried once with a fresh one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.wecom.errors import AccessTokenInvalid, RateLimited
from bot.wecom.limits import Bucket, RateLimiter, Window
from bot.wecom.tokens import TokenCache
from bot.wecom.transport import JSON, Transport
from config.settings import LimitSettings

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One WeCom API: its path under api_base and its HTTP method."""

    api: str
    method: str = "POST"
    member_limited: bool = False  # app messages: WeCom's per-member 30/min and 1000/h


class WeComClient:
    """Calls WeCom as one app (its agent id, secret and token)."""

    def __init__(
        self,
        transport: Transport,
        tokens: TokenCache,
        limiter: RateLimiter,
        limits: LimitSettings,
        agent_id: int | None,
    ) -> None:
        self._transport = transport
        self._tokens = tokens
        self._limiter = limiter
        self._limits = limits
        self.agent_id = agent_id

    async def call(
        self,
        endpoint: Endpoint,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        members: Sequence[str] = (),
    ) -> JSON:
        """Call ``endpoint``; ``members`` are the staff an app message goes to."""
        return await self.exchange(
            endpoint, lambda token: self._send(endpoint, token, body, params), members
        )

    async def exchange(
        self,
        endpoint: Endpoint,
        send: Callable[[str], Awaitable[T]],
        members: Sequence[str] = (),
    ) -> T:
        """Run ``send(token)`` under the endpoint's limits, with the token retry (uploads too)."""
        await self._limiter.acquire(endpoint.api, self._buckets(endpoint, members))
        token = await self._tokens.token()
        try:
            try:
                return await send(token)
            except AccessTokenInvalid:
                await self._tokens.invalidate(token)
                return await send(await self._tokens.token())
        except RateLimited as limited:
            # 45009 blocks the rest of the window (60 s for a per-minute limit, doc 90454);
            # 45033 is about concurrency and clears quickly.
            blocked = self._limits.blocked_retry_seconds
            limited.retry_after = blocked if limited.errcode == 45009 else min(blocked, 5.0)  # noqa: PLR2004
            raise

    @property
    def transport(self) -> Transport:
        """The HTTP layer (multipart uploads and downloads go through it directly)."""
        return self._transport

    async def _send(
        self,
        endpoint: Endpoint,
        token: str,
        body: Mapping[str, Any] | None,
        params: Mapping[str, str] | None,
    ) -> JSON:
        query = {**(params or {}), "access_token": token}
        sent_body = body if endpoint.method == "POST" else None
        return await self._transport.request(endpoint.method, endpoint.api, query, sent_body)

    def _buckets(self, endpoint: Endpoint, members: Sequence[str]) -> list[Bucket]:
        limits = self._limits
        if endpoint.member_limited:  # message sends do not count toward the per-API rate
            per_member = (
                Window(limits.member_messages_per_minute, 60),
                Window(limits.member_messages_per_hour, 3600),
            )
            return [
                Bucket(f"member:{self.agent_id}:{member}", per_member)
                for member in members
                if member != "@all"
            ]
        per_api = (Window(limits.api_per_minute, 60), Window(limits.api_per_hour, 3600))
        return [Bucket(f"api:{endpoint.api}", per_api)]
