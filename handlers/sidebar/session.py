"""The staff session: a signed, HttpOnly, SameSite cookie naming who OAuth2 said they are.

``<base64url JSON {u, exp}>.<hex HMAC-SHA256>`` keyed by ``[sidebar] session_secret``; pure.
SameSite=Lax, not Strict: the cookie is set at the end of a redirect chain that started on
WeCom's authorize page, and Strict cookies are withheld from such chains' next navigation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Final

COOKIE: Final = "siyu_sidebar"
CSRF_HEADER: Final = "X-CSRF-Token"


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in staff member until ``expires_at`` (Unix seconds)."""

    userid: str
    expires_at: int


def _mac(secret: bytes, body: str) -> str:
    return hmac.new(secret, body.encode("ascii"), hashlib.sha256).hexdigest()


def seal(session: Session, secret: bytes) -> str:
    """The cookie value of ``session``."""
    raw = json.dumps({"u": session.userid, "exp": session.expires_at}, separators=(",", ":"))
    body = base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")
    return f"{body}.{_mac(secret, body)}"


def unseal(value: str, secret: bytes, now: int) -> Session | None:
    """The session a cookie carries, or None if forged, malformed or expired."""
    if not secret:
        return None
    body, _, mac = value.partition(".")
    if not body or not secrets.compare_digest(mac.encode(), _mac(secret, body).encode()):
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        session = Session(str(raw["u"]), int(raw["exp"]))
    except (ValueError, KeyError, TypeError):
        return None
    return session if session.userid and now < session.expires_at else None


def csrf_token(cookie: str, secret: bytes) -> str:
    """The CSRF token of a session: an HMAC of its cookie, so a new sign-in gets a new one
    and a page of another site, which cannot read the page, cannot know it."""
    return hmac.new(
        secret, b"csrf:" + cookie.encode("ascii", "replace"), hashlib.sha256
    ).hexdigest()
