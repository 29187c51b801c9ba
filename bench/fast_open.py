"""Scratch prototype: ``open_post`` with the C ElementTree parser and a kept AES cipher.

defusedxml parses with the pure-Python ``XMLParser`` (every tag goes through Python callbacks)
so that it can refuse DTDs and entities. A document without ``<!`` outside CDATA and comments
can declare nothing: no DOCTYPE, so no entities, no external references. Such documents (every
WeCom callback) go to the C parser; anything else falls back to defusedxml, which refuses or
parses it as today. The AES ``Cipher`` (key and IV fixed per app) is built once, a decryptor
per callback.
"""

from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as StdET
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot import envelope
from bot.crypto import (
    CallbackCrypto,
    CryptoError,
    InvalidSignature,
    ReceiveIdMismatch,
    _strip_padding,
)
from bot.envelope import MalformedXML
from bot.events.registry import event_from_fields
from bot.inbound import OpenedCallback, Rejected, _required, check_timestamp

# "<!" that opens neither a CDATA section nor a comment: a DOCTYPE, ENTITY... declaration.
_DECLARATION: Final = re.compile(rb"<!(?!\[CDATA\[|--)")


def parse(document: bytes) -> StdET.Element:
    """Parse with the C parser when the document declares nothing; else defusedxml's way."""
    if _DECLARATION.search(document):
        return envelope._parse(document)
    try:
        return StdET.fromstring(document)  # noqa: S314 - declares nothing (checked above)
    except StdET.ParseError as exc:
        raise MalformedXML(f"not well-formed XML at line {exc.position[0]}") from exc


def fields_of(plaintext: str) -> dict[str, Any]:
    """As ``bot.envelope.parse_fields``."""
    converted = envelope._convert(parse(plaintext.encode("utf-8")), 0)
    if not isinstance(converted, dict):
        raise MalformedXML("message has no fields")
    return converted


class FastOpener:
    """``open_post`` for one app, with its cipher kept."""

    def __init__(self, crypto: CallbackCrypto) -> None:
        self.crypto = crypto
        self.cipher = Cipher(algorithms.AES(crypto.aes_key), modes.CBC(crypto.aes_key[:16]))

    def decrypt(self, encrypted: str) -> str:
        """As ``CallbackCrypto.decrypt``, with the kept cipher; Rejected as ``open_post``."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise Rejected(400, "malformed", "Encrypt is not valid base64") from exc
        if not raw or len(raw) % 16:
            raise Rejected(400, "malformed", "Encrypt is not whole AES blocks")
        decryptor = self.cipher.decryptor()
        buffer = decryptor.update(raw) + decryptor.finalize()
        try:
            return self.crypto._unwrap(_strip_padding(buffer))
        except ReceiveIdMismatch as exc:
            raise Rejected(403, "bad_signature", "receiveid mismatch") from exc
        except CryptoError as exc:
            raise Rejected(400, "malformed", str(exc)) from exc

    def open(self, query: Mapping[str, str], body: bytes) -> OpenedCallback:
        """Verify, decrypt and type a POSTed callback, or raise Rejected."""
        msg_signature = _required(query, "msg_signature")
        timestamp = _required(query, "timestamp")
        nonce = _required(query, "nonce")
        try:
            encrypt = (parse(body).findtext("Encrypt") or "").strip()
        except MalformedXML as exc:
            raise Rejected(400, "malformed", f"body: {exc}") from exc
        if not encrypt:
            raise Rejected(400, "malformed", "body: no Encrypt element")
        try:
            self.crypto.verify(msg_signature, timestamp, nonce, encrypt)
        except InvalidSignature as exc:
            raise Rejected(403, "bad_signature", "signature mismatch") from exc
        check_timestamp(timestamp, datetime.now(tz=UTC), 0)
        plaintext = self.decrypt(encrypt)
        try:
            event = event_from_fields(fields_of(plaintext))
        except MalformedXML as exc:
            raise Rejected(400, "malformed", f"message: {exc}") from exc
        return OpenedCallback(event=event, plaintext=plaintext)
