"""JS-SDK signatures (doc 96909): what ``ww.register``/``wx.config`` and ``wx.agentConfig`` check.

Pure: the same function signs with the corp ticket (config/register) and the app ticket
(agentConfig, ``ticket/get?type=agent_config``).
"""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass
from typing import Final

_NONCE_ALPHABET: Final = string.ascii_letters + string.digits
NONCE_CHARS: Final = 16


def page_url(url: str) -> str:
    """The URL as signed: without ``#`` and what follows (doc 96909)."""
    return url.split("#", 1)[0]


def signature(ticket: str, noncestr: str, timestamp: int | str, url: str) -> str:
    """SHA-1 (hex, lowercase) of ``jsapi_ticket=T&noncestr=N&timestamp=S&url=U``.

    Exactly this order and no URL-encoding (doc 96909); the fragment is dropped from ``url``.
    """
    plain = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={page_url(url)}"
    return hashlib.sha1(plain.encode("utf-8")).hexdigest()  # noqa: S324 - WeCom's scheme


def nonce() -> str:
    """A fresh noncestr."""
    return "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(NONCE_CHARS))


@dataclass(frozen=True, slots=True)
class Signed:
    """What a page passes to the JS-SDK for one ticket."""

    timestamp: int
    nonce_str: str
    signature: str

    def to_json(self) -> dict[str, str | int]:
        """As the page reads it (the JS-SDK's own field names)."""
        return {
            "timestamp": self.timestamp,
            "nonceStr": self.nonce_str,
            "signature": self.signature,
        }


def sign(ticket: str, url: str, timestamp: int, noncestr: str | None = None) -> Signed:
    """Sign ``url`` with ``ticket`` at ``timestamp`` (a fresh nonce unless given)."""
    chosen = noncestr or nonce()
    return Signed(timestamp, chosen, signature(ticket, chosen, timestamp, url))
