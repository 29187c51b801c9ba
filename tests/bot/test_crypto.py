"""Crypto against every vector in wecom-vectors.json, round trips, and wechatpy."""

from __future__ import annotations

import base64
import json
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


@pytest.mark.parametrize(
    "encrypted", ["", "not base64!", "QUJD", "QUJDRA=", "A" * 44 + "=="], ids=str
)
def test_malformed_ciphertext_is_refused(encrypted: str) -> None:
    with pytest.raises((MalformedCiphertext, InvalidPlaintextBuffer)):
        CallbackCrypto.create("t", KEY, "ww").decrypt(encrypted)


def test_bad_padding_is_refused_not_trusted() -> None:
    key = aes_key_from(KEY)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    forged = encryptor.update(bytes(31) + b"\x40") + encryptor.finalize()  # pad byte 64 > 32
    with pytest.raises(InvalidPlaintextBuffer):
        CallbackCrypto.create("t", KEY, "ww").decrypt(base64.b64encode(forged).decode())


@pytest.mark.parametrize("key", ["short", "a" * 44, "!" * 43])
def test_invalid_aes_key_is_refused(key: str) -> None:
    with pytest.raises(InvalidAESKey):
        aes_key_from(key)
