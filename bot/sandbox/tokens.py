"""Access tokens as gettoken issues them: one per (corpid, secret), reused while valid."""

from __future__ import annotations

import dataclasses
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.sandbox.errcodes import EXPIRED_TOKEN, INVALID_TOKEN, MISSING_TOKEN, ApiError


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token, the app it belongs to, and its lifetime."""

    value: str
    app: str
    expires_at: datetime
    revoked: bool = False

    def seconds_left(self, now: datetime) -> int:
        """Whole seconds until expiry (never negative)."""
        return max(0, math.ceil((self.expires_at - now).total_seconds()))


class TokenBook:
    """Issues, checks and revokes tokens. Expired tokens are remembered to answer 42001."""

    def __init__(self, ttl_seconds: int) -> None:
        self._ttl = timedelta(seconds=ttl_seconds)
        self._by_value: dict[str, IssuedToken] = {}
        self._current: dict[str, str] = {}  # app → its current token value

    def issue(self, app: str, now: datetime) -> IssuedToken:
        """The app's current token if still valid, else a new one (doc 91039).

        The answer's ``expires_in`` is the time left on a reused token: (unverified) WeCom's
        docs only say repeated calls within validity "return the same result".
        """
        current = self._by_value.get(self._current.get(app, ""))
        if current is not None and not current.revoked and now < current.expires_at:
            return current
        token = IssuedToken(secrets.token_urlsafe(48), app, now + self._ttl)
        self._by_value[token.value] = token
        self._current[app] = token.value
        return token

    def check(self, value: str | None, now: datetime) -> IssuedToken:
        """The token behind ``value``, or ApiError 41001 (missing), 40014 (bad), 42001 (expired)."""
        if not value:
            raise ApiError(MISSING_TOKEN, "access_token missing")
        token = self._by_value.get(value)
        if token is None or token.revoked:
            raise ApiError(INVALID_TOKEN, "invalid access_token")
        if now >= token.expires_at:
            raise ApiError(EXPIRED_TOKEN, "access_token expired")
        return token

    def revoke_all(self) -> int:
        """Invalidate every token early, as WeCom may; return how many it revoked."""
        live = [t for t in self._by_value.values() if not t.revoked]
        for token in live:
            self._by_value[token.value] = dataclasses.replace(token, revoked=True)
        return len(live)
