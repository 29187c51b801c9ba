"""Crypto against every vector in wecom-vectors.json, round trips, and wechatpy."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st
from wechatpy.enterprise import WeChatCrypto

from bot.crypto import (
    CallbackCrypto,
    InvalidAESKey,
    InvalidPlaintextBuffer,
    InvalidSignature,
    MalformedCiphertext,
    ReceiveIdMismatch,
    aes_key_from,
)

VECTORS_FILE = Path(__file__).resolve().parents[2] / "tests" / "data" / "wecom-vectors.json"
VECTORS: list[dict[str, Any]] = json.loads(VECTORS_FILE.read_text("utf-8"))["vectors"]
KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"


def crypto_for(vector: dict[str, Any]) -> CallbackCrypto:
    return CallbackCrypto.create(vector["token"], vector["encoding_aes_key"], vector["receiveid"])


def encrypted_of(vector: dict[str, Any]) -> str:
    return str(vector.get("echostr") or vector["encrypt"])


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_vector_signature_verifies(vector: dict[str, Any]) -> None:
    crypto = crypto_for(vector)
    assert (
        crypto.sign(vector["timestamp"], vector["nonce"], encrypted_of(vector))
        == vector["msg_signature"]
    )
    crypto.verify(
        vector["msg_signature"], vector["timestamp"], vector["nonce"], encrypted_of(vector)
    )


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_vector_decrypts_to_its_plaintext(vector: dict[str, Any]) -> None:
    assert crypto_for(vector).decrypt(encrypted_of(vector)) == vector["plaintext"]


@pytest.mark.parametrize(
    "vector", [v for v in VECTORS if "random16" in v or "random16_hex" in v], ids=lambda v: v["id"]
)
def test_vector_reencrypts_exactly(vector: dict[str, Any]) -> None:
    random16 = (
        vector["random16"].encode()
        if "random16" in vector
        else bytes.fromhex(vector["random16_hex"])
    )
    assert crypto_for(vector).encrypt(vector["plaintext"], random16) == encrypted_of(vector)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_vector_with_other_receiveid_is_refused(vector: dict[str, Any]) -> None:
    other = CallbackCrypto.create(vector["token"], vector["encoding_aes_key"], "wwSOMEONEELSE")
    with pytest.raises(ReceiveIdMismatch):
        other.decrypt(encrypted_of(vector))


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_vector_with_flipped_signature_is_refused(vector: dict[str, Any]) -> None:
    bad = vector["msg_signature"][:-1] + ("0" if vector["msg_signature"][-1] != "0" else "1")
    with pytest.raises(InvalidSignature):
        crypto_for(vector).verify(bad, vector["timestamp"], vector["nonce"], encrypted_of(vector))


@given(
    st.text(max_size=3000), st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", max_size=40)
)
@settings(max_examples=150, deadline=None)
def test_round_trip_any_text(plaintext: str, receive_id: str) -> None:
    crypto = CallbackCrypto.create("t", KEY, receive_id)
    assert crypto.decrypt(crypto.encrypt(plaintext)) == plaintext


def test_round_trip_chinese_at_maximum_body_size() -> None:
    crypto = CallbackCrypto.create("t", KEY, "wwcorp")
    plaintext = "<xml><Content><![CDATA[" + "你好，私域" * 4000 + "]]></Content></xml>"
    assert crypto.decrypt(crypto.encrypt(plaintext)) == plaintext


@pytest.mark.parametrize("length", [0, 1, 11, 12, 13, 31, 32, 33, 64])
def test_padding_is_to_32_byte_blocks(length: int) -> None:
    crypto = CallbackCrypto.create("t", KEY, "ww")
    # 16 random + 4 length + message + 2 receiveid, padded to 32 (a whole block if already even)
    raw = len(base64.b64decode(crypto.encrypt("x" * length)))
    assert raw % 32 == 0
    assert raw - (16 + 4 + length + 2) in range(1, 33)


@given(st.text(max_size=500))
@settings(max_examples=50, deadline=None)
def test_wechatpy_reads_what_we_write(content: str) -> None:
    ours = CallbackCrypto.create("tok", KEY, "wx49f0ab532d5d035a")
    theirs = WeChatCrypto("tok", KEY, "wx49f0ab532d5d035a")
    plaintext = (
        f"<xml><Content>{content.encode('ascii', 'xmlcharrefreplace').decode()}</Content></xml>"
    )
    encrypted = ours.encrypt(plaintext)
    signature = ours.sign("1700000000", "42", encrypted)
    body = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    assert theirs.decrypt_message(body, signature, "1700000000", "42") == plaintext


def test_we_read_what_wechatpy_writes() -> None:
    theirs = WeChatCrypto("tok", KEY, "wx49f0ab532d5d035a")
    reply = theirs.encrypt_message(
        "<xml><Content><![CDATA[回复]]></Content></xml>", "77", "1700000001"
    )
    encrypted = reply.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    ours = CallbackCrypto.create("tok", KEY, "wx49f0ab532d5d035a")
    assert ours.decrypt(encrypted) == "<xml><Content><![CDATA[回复]]></Content></xml>"


def forged(buffer: bytes) -> str:
    """``buffer`` encrypted as it is: to reach the checks a real sender never fails."""
    key = aes_key_from(KEY)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(buffer) + encryptor.finalize()).decode()


def framed(message: bytes, receive_id: bytes = b"ww", length: int | None = None) -> bytes:
    """random16 + length field + message + receiveid, unpadded; ``length`` may lie."""
    field = len(message) if length is None else length
    return bytes(range(16)) + struct.pack(">I", field) + message + receive_id


def padded(buffer: bytes) -> bytes:
    """WeCom's PKCS#7 padding to 32-byte blocks."""
    pad = 32 - len(buffer) % 32
    return buffer + bytes([pad]) * pad


WW = CallbackCrypto.create("t", KEY, "ww")
VALID = WW.encrypt("<xml/>")


def test_signature_in_upper_case_verifies() -> None:
    vector = VECTORS[0]
    crypto_for(vector).verify(
        vector["msg_signature"].upper(), vector["timestamp"], vector["nonce"], encrypted_of(vector)
    )


@pytest.mark.parametrize("bad", ["", "0" * 40, "f" * 41, "not hex at all", "签名"])
def test_wrong_signature_is_refused_with_its_message(bad: str) -> None:
    with pytest.raises(InvalidSignature, match=r"^msg_signature mismatch$"):
        WW.verify(bad, "1", "2", "QUJD")


@pytest.mark.parametrize("sender", ["wwX", "w", "", "xww", "WW", "ww\x00"])
def test_other_receive_id_even_by_one_character_is_refused(sender: str) -> None:
    encrypted = CallbackCrypto.create("t", KEY, sender).encrypt("<xml/>")
    with pytest.raises(ReceiveIdMismatch, match=r"^receiveid mismatch$"):
        WW.decrypt(encrypted)


def test_empty_receive_id_is_a_receive_id_like_any_other() -> None:
    crypto = CallbackCrypto.create("t", KEY, "")
    assert crypto.decrypt(crypto.encrypt("x")) == "x"
    assert crypto.decrypt(forged(padded(framed(b"", b"")))) == ""  # exactly the 20-byte header


LENGTH = InvalidPlaintextBuffer("length field exceeds the buffer")
SHORT = InvalidPlaintextBuffer("decrypted buffer too short")
PADDING = InvalidPlaintextBuffer("bad padding")
NOT_UTF8 = InvalidPlaintextBuffer("message is not UTF-8")
OTHER_ID = ReceiveIdMismatch("receiveid mismatch")


@pytest.mark.parametrize(
    ("buffer", "error"),
    [
        # the length field: past the end (by one, by 2**31, the largest), or leaving no receiveid
        (padded(framed(b"<xml/>", length=9)), LENGTH),
        (padded(framed(b"<xml/>", length=2**31)), LENGTH),
        (padded(framed(b"<xml/>", length=2**32 - 1)), LENGTH),
        (padded(framed(b"<xml/>", length=8)), OTHER_ID),
        (padded(framed(b"<xml/>", length=5)), OTHER_ID),
        # shorter than random16 + length field, however well padded
        (padded(bytes(19)), SHORT),
        (padded(b""), SHORT),
        # padding: each check alone
        (bytes(32), PADDING),  # pad byte 0
        (bytes(31) + b"\x40", PADDING),  # 64 > 32 and the bytes before are not 64s
        (bytes([64]) * 64, PADDING),  # 64 > 32, though all 64 bytes are 64s
        (framed(b"123456789") + bytes([33]) * 33, PADDING),  # 33 > 32; a valid frame before
        (framed(b"12345678") + b"\x01\x02", PADDING),  # the last byte says 2, the one before 1
        (b"\x01" + bytes([32]) * 31, PADDING),  # the last byte says 32, only 31 are
        # a well-framed message that is not UTF-8
        (padded(framed(b"\xff\xfe")), NOT_UTF8),
        (padded(framed(b"\xed\xa0\x80")), NOT_UTF8),  # a surrogate, which UTF-8 excludes
    ],
    ids=[
        "length+1",
        "length-2**31",
        "length-max",
        "length-eats-receiveid",
        "length-short",
        "19-bytes",
        "empty",
        "pad-0",
        "pad-64-inconsistent",
        "pad-64-consistent",
        "pad-33",
        "pad-2-inconsistent",
        "pad-32-inconsistent",
        "not-utf8",
        "utf8-surrogate",
    ],
)
def test_bad_plaintext_buffer_is_refused(buffer: bytes, error: Exception) -> None:
    assert len(buffer) % 16 == 0
    with pytest.raises(type(error)) as excinfo:
        WW.decrypt(forged(buffer))
    assert type(excinfo.value) is type(error)
    assert str(excinfo.value) == str(error)


@pytest.mark.parametrize("pad", [1, 16, 31, 32])
def test_every_valid_padding_length_is_stripped(pad: int) -> None:
    message = b"x" * (64 - 22 - pad)  # 16 + 4 + message + "ww" + pad = 64 bytes
    buffer = padded(framed(message))
    assert len(buffer) == 64
    assert buffer[-1] == pad
    assert WW.decrypt(forged(buffer)) == message.decode()


@pytest.mark.parametrize(
    ("encrypted", "message"),
    [
        ("", "Encrypt is not whole AES blocks"),
        ("QUJD", "Encrypt is not whole AES blocks"),  # 3 bytes
        (base64.b64encode(bytes(17)).decode(), "Encrypt is not whole AES blocks"),
        ("not base64!", "Encrypt is not valid base64"),
        ("QUJDRA=", "Encrypt is not valid base64"),  # bad padding
        ("密文" * 22, "Encrypt is not valid base64"),  # not ASCII
        (VALID[:20] + "!" + VALID[20:], "Encrypt is not valid base64"),  # validate=True matters
    ],
    ids=["empty", "3-bytes", "17-bytes", "not-base64", "bad-b64-padding", "cjk", "one-bad-char"],
)
def test_malformed_ciphertext_is_refused(encrypted: str, message: str) -> None:
    with pytest.raises(MalformedCiphertext) as excinfo:
        WW.decrypt(encrypted)
    assert str(excinfo.value) == message


def test_each_encryption_has_its_own_random_prefix() -> None:
    first, second = WW.encrypt("<xml/>"), WW.encrypt("<xml/>")
    assert first != second
    assert WW.decrypt(first) == WW.decrypt(second) == "<xml/>"


@pytest.mark.parametrize("random16", [b"", bytes(15), bytes(17)], ids=len)
def test_random_prefix_must_be_16_bytes(random16: bytes) -> None:
    with pytest.raises(ValueError, match=r"^random16 must be 16 bytes$"):
        WW.encrypt("x", random16)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("short", "EncodingAESKey must have 43 characters"),
        ("a" * 44, "EncodingAESKey must have 43 characters"),
        ("!" * 43, "EncodingAESKey is not base64"),
        (KEY[:-1] + "!", "EncodingAESKey is not base64"),
        (KEY[:-1] + "=", "EncodingAESKey must decode to 32 bytes"),  # '==': 31 bytes
    ],
    ids=["short", "long", "not-base64", "one-bad-char", "early-padding"],
)
def test_invalid_aes_key_is_refused(key: str, message: str) -> None:
    with pytest.raises(InvalidAESKey) as excinfo:
        aes_key_from(key)
    assert str(excinfo.value) == message
