"""WeCom callback crypto (doc 90968): SHA-1 signatures and AES-256-CBC message envelopes.

Pure and synchronous. Unlike wechatpy 1.8.x, signatures are compared in constant time and
the PKCS#7 padding (32-byte blocks) and length field are range-checked before use.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
import struct
from dataclasses import dataclass, field
from typing import Final

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAD_BLOCK: Final = 32  # WeCom pads to 32 bytes, not AES's 16 (doc 90968)
_RANDOM_LEN: Final = 16
_LENGTH_LEN: Final = 4


class CryptoError(Exception):
    """A callback failed a crypto check; ``code`` is the official sample's error code."""

    code: int = -40000


class InvalidSignature(CryptoError):
    """The msg_signature does not match (-40001)."""

    code = -40001


class InvalidAESKey(CryptoError):
    """The EncodingAESKey is not 43 characters decoding to 32 bytes (-40004)."""

    code = -40004


class ReceiveIdMismatch(CryptoError):
    """The decrypted tail is not the expected CorpID/SuiteID (-40005)."""

    code = -40005


class MalformedCiphertext(CryptoError):
    """The ciphertext is not valid base64 or not whole AES blocks (-40010)."""

    code = -40010


class InvalidPlaintextBuffer(CryptoError):
    """The decrypted buffer has bad padding or a bad length field (-40008)."""

    code = -40008


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """msg_signature: lowercase hex SHA-1 of the four strings sorted and concatenated."""
    joined = "".join(sorted([token, timestamp, nonce, encrypted]))
    return hashlib.sha1(joined.encode("utf-8"), usedforsecurity=False).hexdigest()


def aes_key_from(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key: base64 of the 43-character EncodingAESKey plus '='."""
    if len(encoding_aes_key) != 43:  # noqa: PLR2004 - WeCom's fixed key length
        raise InvalidAESKey("EncodingAESKey must have 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error as exc:
        raise InvalidAESKey("EncodingAESKey is not base64") from exc
    if len(key) != 32:  # noqa: PLR2004 - AES-256
        raise InvalidAESKey("EncodingAESKey must decode to 32 bytes")
    return key


@dataclass(frozen=True, slots=True)
class CallbackCrypto:
    """The crypto of one app's callbacks: its token, AES key and expected receiveid."""

    token: str
    aes_key: bytes
    receive_id: str
    # Built once: key and IV are fixed per app (a new Cipher per callback cost ~2.4 µs).
    _cipher_suite: Cipher[modes.CBC] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        suite = Cipher(algorithms.AES(self.aes_key), modes.CBC(self.aes_key[:16]))
        object.__setattr__(self, "_cipher_suite", suite)

    @classmethod
    def create(cls, token: str, encoding_aes_key: str, receive_id: str) -> CallbackCrypto:
        """Build from the configured Token and EncodingAESKey."""
        return cls(token=token, aes_key=aes_key_from(encoding_aes_key), receive_id=receive_id)

    def sign(self, timestamp: str, nonce: str, encrypted: str) -> str:
        """The msg_signature WeCom would send for ``encrypted``."""
        return signature(self.token, timestamp, nonce, encrypted)

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        """Raise InvalidSignature unless ``msg_signature`` is right (constant-time compare)."""
        expected = self.sign(timestamp, nonce, encrypted)
        if not secrets.compare_digest(expected.encode(), msg_signature.lower().encode()):
            raise InvalidSignature("msg_signature mismatch")

    def encrypt(self, plaintext: str, random16: bytes | None = None) -> str:
        """Encrypt ``plaintext`` the way WeCom does; ``random16`` only for reproducible tests."""
        prefix = random16 if random16 is not None else os.urandom(_RANDOM_LEN)
        if len(prefix) != _RANDOM_LEN:
            raise ValueError("random16 must be 16 bytes")
        message = plaintext.encode("utf-8")
        buffer = prefix + struct.pack(">I", len(message)) + message + self.receive_id.encode()
        pad = PAD_BLOCK - len(buffer) % PAD_BLOCK
        buffer += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(buffer) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        """Decrypt an Encrypt/echostr value and check its receiveid; return the message."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedCiphertext("Encrypt is not valid base64") from exc
        if not raw or len(raw) % 16:
            raise MalformedCiphertext("Encrypt is not whole AES blocks")
        decryptor = self._cipher().decryptor()
        buffer = decryptor.update(raw) + decryptor.finalize()
        return self._unwrap(_strip_padding(buffer))

    def _unwrap(self, buffer: bytes) -> str:
        header = _RANDOM_LEN + _LENGTH_LEN
        if len(buffer) < header:
            raise InvalidPlaintextBuffer("decrypted buffer too short")
        (length,) = struct.unpack(">I", buffer[_RANDOM_LEN:header])
        if length > len(buffer) - header:
            raise InvalidPlaintextBuffer("length field exceeds the buffer")
        message, tail = buffer[header : header + length], buffer[header + length :]
        if not secrets.compare_digest(tail, self.receive_id.encode()):
            raise ReceiveIdMismatch("receiveid mismatch")
        try:
            return message.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidPlaintextBuffer("message is not UTF-8") from exc

    def _cipher(self) -> Cipher[modes.CBC]:
        return self._cipher_suite


def _strip_padding(buffer: bytes) -> bytes:
    pad = buffer[-1]
    if not 1 <= pad <= PAD_BLOCK or pad > len(buffer):
        raise InvalidPlaintextBuffer("bad padding")
    if buffer[-pad:] != bytes([pad]) * pad:
        raise InvalidPlaintextBuffer("bad padding")
    return buffer[:-pad]
