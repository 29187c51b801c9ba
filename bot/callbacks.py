"""Building callbacks the way WeCom sends them: XML, encrypted, signed.

Used by the demo, the benchmark and the tests, and by the sandbox's callback emitter.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from bot.crypto import CallbackCrypto


@dataclass(frozen=True, slots=True)
class SignedCallback:
    """A POST as WeCom would make it: query parameters and body."""

    query: dict[str, str]
    body: bytes


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def message_xml(fields: Mapping[str, str | int | list[str]]) -> str:
    """Plaintext callback XML; ints are bare, strings CDATA, lists become ``<Item>``s."""
    parts = ["<xml>"]
    for name, value in fields.items():
        if isinstance(value, int):
            inner = str(value)
        elif isinstance(value, list):
            inner = "".join(f"<Item>{_cdata(item)}</Item>" for item in value)
        else:
            inner = _cdata(value)
        parts.append(f"<{name}>{inner}</{name}>")
    parts.append("</xml>")
    return "".join(parts)


def sign_callback(
    crypto: CallbackCrypto,
    plaintext: str,
    timestamp: int,
    *,
    nonce: str | None = None,
    to_user_name: str | None = None,
    agent_id: int | None = None,
) -> SignedCallback:
    """Encrypt and sign ``plaintext`` into the POST WeCom would send."""
    encrypted = crypto.encrypt(plaintext)
    the_nonce = nonce or str(secrets.randbelow(10**10))
    query = {
        "msg_signature": crypto.sign(str(timestamp), the_nonce, encrypted),
        "timestamp": str(timestamp),
        "nonce": the_nonce,
    }
    body = "<xml>"
    if to_user_name is not None:
        body += f"<ToUserName>{_cdata(to_user_name)}</ToUserName>"
    if agent_id is not None:
        body += f"<AgentID>{_cdata(str(agent_id))}</AgentID>"
    body += f"<Encrypt>{_cdata(encrypted)}</Encrypt></xml>"
    return SignedCallback(query=query, body=body.encode("utf-8"))


def verification_query(crypto: CallbackCrypto, echo: str, timestamp: int) -> dict[str, str]:
    """The GET query WeCom sends to verify a callback URL."""
    echostr = crypto.encrypt(echo)
    nonce = str(secrets.randbelow(10**10))
    return {
        "msg_signature": crypto.sign(str(timestamp), nonce, echostr),
        "timestamp": str(timestamp),
        "nonce": nonce,
        "echostr": echostr,
    }
