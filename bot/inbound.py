"""Opening a callback: from query and body to a verified, decrypted, typed event. Pure.

Each failure is a Rejected carrying the HTTP status and the metric result, so the HTTP layer
only translates. Order matters (issue 3): the signature is checked before anything else is
trusted, then the timestamp, then the ciphertext.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.crypto import (
    CallbackCrypto,
    CryptoError,
    InvalidAESKey,
    InvalidSignature,
    ReceiveIdMismatch,
)
from bot.envelope import MalformedXML, parse_envelope, parse_fields
from bot.events import AnyEvent, event_from_fields
from bot.events.registry import compact, is_internal, kind_of
from bot.metrics import CallbackResult

_UNIX_SECONDS: Final = re.compile(r"[0-9]{1,12}")  # WeCom's timestamp: seconds, decimal


class Rejected(Exception):
    """The callback is refused: answer ``status`` and count ``result``."""

    def __init__(self, status: int, result: CallbackResult, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.result = result
        self.reason = reason


@dataclass(frozen=True, slots=True)
class OpenedCallback:
    """A verified callback: its typed event, the decrypted XML and its fields' compact form."""

    event: AnyEvent
    plaintext: str
    compact: str = ""  # bot.events.registry.compact: workers need not parse the XML again


def _required(query: Mapping[str, str], name: str) -> str:
    value = query.get(name)
    if not value:
        raise Rejected(400, "malformed", f"missing query parameter {name}")
    # Query strings decode '+' as a space; base64 and WeCom's values never contain spaces.
    return value.replace(" ", "+")


def check_timestamp(timestamp: str, now: datetime, window_seconds: int) -> None:
    """Refuse a callback whose timestamp is further than ``window_seconds`` from now.

    Only ASCII digits, at most 12: ``int()`` would also take '+1', '1_0', other scripts' digits
    and numbers too large to subtract from a float (OverflowError, an answer of 503).
    """
    if not _UNIX_SECONDS.fullmatch(timestamp):
        raise Rejected(400, "malformed", "timestamp is not Unix seconds")
    sent = int(timestamp)
    if window_seconds and abs(now.timestamp() - sent) > window_seconds:
        raise Rejected(403, "stale", "timestamp outside the replay window")


def _decrypt(crypto: CallbackCrypto, encrypted: str) -> str:
    try:
        return crypto.decrypt(encrypted)
    except ReceiveIdMismatch as exc:
        raise Rejected(403, "bad_signature", "receiveid mismatch") from exc
    except InvalidAESKey as exc:  # pragma: no cover - keys are validated at start-up
        raise Rejected(403, "bad_signature", "invalid EncodingAESKey") from exc
    except CryptoError as exc:  # bad base64, block size, padding or length
        raise Rejected(400, "malformed", str(exc)) from exc


def open_post(
    crypto: CallbackCrypto,
    query: Mapping[str, str],
    body: bytes,
    now: datetime,
    window_seconds: int,
) -> OpenedCallback:
    """Verify, decrypt and type a POSTed callback, or raise Rejected."""
    msg_signature = _required(query, "msg_signature")
    timestamp = _required(query, "timestamp")
    nonce = _required(query, "nonce")
    try:
        envelope = parse_envelope(body)
    except MalformedXML as exc:
        raise Rejected(400, "malformed", f"body: {exc}") from exc
    try:
        crypto.verify(msg_signature, timestamp, nonce, envelope.encrypt)
    except InvalidSignature as exc:
        raise Rejected(403, "bad_signature", "signature mismatch") from exc
    check_timestamp(timestamp, now, window_seconds)
    plaintext = _decrypt(crypto, envelope.encrypt)
    try:
        fields = parse_fields(plaintext)
    except MalformedXML as exc:
        raise Rejected(400, "malformed", f"message: {exc}") from exc
    if is_internal(kind_of(fields)):  # siyu's own kinds are queued by siyu alone
        raise Rejected(400, "internal_kind", "one of siyu's own event kinds")
    return OpenedCallback(event_from_fields(fields), plaintext, compact(fields))


def open_verification(crypto: CallbackCrypto, query: Mapping[str, str]) -> str:
    """Answer WeCom's URL verification: the decrypted echostr, or raise Rejected."""
    msg_signature = _required(query, "msg_signature")
    timestamp = _required(query, "timestamp")
    nonce = _required(query, "nonce")
    echostr = _required(query, "echostr")
    try:
        crypto.verify(msg_signature, timestamp, nonce, echostr)
    except InvalidSignature as exc:
        raise Rejected(403, "bad_signature", "signature mismatch") from exc
    return _decrypt(crypto, echostr)
