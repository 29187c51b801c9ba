"""Fuzzing the callback parser path: outer XML → signature → decrypt → envelope → event.

Whatever arrives, each layer raises only its own error (MalformedXML, CryptoError, and
Rejected for the whole path), never RecursionError, UnicodeDecodeError, KeyError, ...; an
accepted event answers what the gateway asks of it. Bounded: the file runs in seconds.
"""

from __future__ import annotations

import base64
import contextlib
import struct
from xml.sax.saxutils import escape

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from bot.callbacks import sign_callback
from bot.crypto import CallbackCrypto, CryptoError, aes_key_from
from bot.envelope import MalformedXML, parse_envelope
from bot.events import parse_event
from bot.events.registry import REGISTRY
from bot.inbound import Rejected, open_post, open_verification
from bot.lanes import is_express
from tests.conftest import AES_KEY, NOW, TOKEN

CORP = "wwFUZZ"
CRYPTO = CallbackCrypto.create(TOKEN, AES_KEY, CORP)
NOW_TS = int(NOW.timestamp())
WINDOW = 300
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- what a hostile or broken sender can put in each part -------------------------------------
# XML 1.0 allows no C0 control but tab, newline and return, and no surrogates
xml_chars = st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]) | st.sampled_from(
    "\t\n\r"
)
KINDS = sorted(REGISTRY, key=str)
# a plausible value for every field some builder reads, so that most messages get typed
PLAUSIBLE = {
    "ToUserName": CORP,
    "FromUserName": "staff01",
    "CreateTime": str(NOW_TS),
    "MsgId": "7300000000000000001",
    "AgentID": "1000002",
    "Content": "你好",
    "UserID": "staff01",
    "ExternalUserID": "wmEXT001",
    "State": "ch_a",
    "WelcomeCode": "WC1",
    "ChatId": "wrCHAT",
    "UpdateDetail": "add_member",
    "JoinScene": "1",
    "Id": "etTAG",
    "TagType": "tag",
    "Token": "T1",
    "OpenKfId": "wkKF",
    "EventKey": "k",
    "Slot": str(NOW_TS),
    "ReminderId": "1",
    "DueMs": "1",
    "TaskId": "1",
    "QueuedMs": "1",
    "Source": "kf",
    "Role": "customer",
    "MsgKey": "m1",
    "Location_X": "23.1",
    "Location_Y": "113.3",
    "Scale": "15",
}
FIELD_NAMES = sorted(
    {
        *PLAUSIBLE,
        "Item",
        "MemChangeList",
        "SelectedItems",
        "SelectedItem",
        "QuestionKey",
        "OptionIds",
        "OptionId",
        "Staff",
        "Customer",
    }
)
field_values = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e3",
            "１２",
            "archive",
            "staff",
            "text",
            "event",
            "None",
            *PLAUSIBLE.values(),
        ]
    ),
    st.sampled_from([20, 400, 5000]).map(lambda n: "9" * n),  # past int64, float, int()'s limit
    st.integers().map(str),
    st.text(xml_chars, max_size=20),
)
Tree = tuple[str, "str | list[Tree]"]
trees: st.SearchStrategy[Tree] = st.recursive(
    st.tuples(st.sampled_from(FIELD_NAMES), field_values),
    lambda inner: st.tuples(st.sampled_from(FIELD_NAMES), st.lists(inner, max_size=4)),
    max_leaves=25,
)


def render(tree: Tree) -> str:
    """A tree of (tag, text or children) as XML."""
    tag, content = tree
    inner = escape(content) if isinstance(content, str) else "".join(map(render, content))
    return f"<{tag}>{inner}</{tag}>"


@st.composite
def callback_xml(draw: st.DrawFn) -> str:
    """A message of a registered kind: each field plausible, odd, nested, or absent."""
    msg_type, event_name, change = draw(st.sampled_from(KINDS))
    fields: list[Tree] = [
        ("MsgType", msg_type),
        ("Event", event_name or ""),
        ("ChangeType", change or ""),
    ]
    for name, plausible in PLAUSIBLE.items():
        how = draw(st.sampled_from(["plausible"] * 8 + ["absent", "odd"]))
        if how == "plausible":
            fields.append((name, plausible))
        elif how == "odd":  # any value, children, or repeated
            fields += [(name, t[1]) for t in draw(st.lists(trees, min_size=1, max_size=2))]
    fields += draw(st.lists(trees, max_size=4))
    return "<xml>" + "".join(map(render, draw(st.permutations(fields)))) + "</xml>"


def nested(depth: int) -> str:
    return "<a>" * depth + "</a>" * depth


plaintexts = st.one_of(
    callback_xml(),
    st.text(max_size=300),
    st.integers(min_value=1, max_value=6000).map(nested),
    st.integers(min_value=1, max_value=6000).map(lambda d: "<xml>" + nested(d) + "</xml>"),
    st.sampled_from(
        [
            '<?xml version="1.0" encoding="no-such-codec"?><xml/>',
            '<!DOCTYPE xml [<!ENTITY a "b">]><xml><A>&a;</A></xml>',
            "<xml><MsgType>text</MsgType><MsgType>event</MsgType></xml>",  # a repeated kind field
            "<xml><MsgType><A>text</A></MsgType></xml>",  # a kind field with children
        ]
    ),
)


def forged(buffer: bytes) -> str:
    """``buffer`` encrypted as it is, for plaintext no honest sender makes."""
    key = aes_key_from(AES_KEY)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(buffer) + encryptor.finalize()).decode()


def signed(encrypted: str, timestamp: str = str(NOW_TS), nonce: str = "1") -> dict[str, str]:
    signature = CRYPTO.sign(timestamp, nonce, encrypted)
    return {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}


def envelope(encrypted: str) -> bytes:
    return f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()


def opens_or_is_rejected(query: dict[str, str], body: bytes) -> None:
    """open_post raises only Rejected; an opened event answers what the gateway asks of it."""
    try:
        opened = open_post(CRYPTO, query, body, NOW, WINDOW)
    except Rejected as rejected:
        assert rejected.status in {400, 403}
        event(f"refused: {rejected.result}")
        return
    opened_event = opened.event
    event(f"opened: {type(opened_event).__name__}")
    assert isinstance(opened_event.kind, str)
    assert isinstance(opened_event.dedup_key, str)
    is_express(opened_event)


# --- the whole path ---------------------------------------------------------------------------
@given(
    body=st.binary(max_size=2048),
    query=st.dictionaries(
        st.sampled_from(["msg_signature", "timestamp", "nonce", "x"]), st.text(max_size=40)
    ),
)
@FUZZ
def test_any_body_and_query(body: bytes, query: dict[str, str]) -> None:
    opens_or_is_rejected(query, body)


@given(plaintext=plaintexts)
@example(plaintext=nested(3000))
@example(plaintext="<xml>" + nested(3000) + "</xml>")
@FUZZ
def test_any_plaintext_under_a_valid_signature(plaintext: str) -> None:
    callback = sign_callback(CRYPTO, plaintext, NOW_TS)
    opens_or_is_rejected(callback.query, callback.body)


@given(
    message=st.binary(max_size=200) | st.just(b"<xml><MsgType>text</MsgType></xml>"),
    tail=st.sampled_from([CORP.encode(), b"", b"ww"]),
    lie=st.none() | st.integers(min_value=0, max_value=2**32 - 1),
)
@example(message=b"\xff\xfe", tail=CORP.encode(), lie=None)  # not UTF-8
@FUZZ
def test_any_plaintext_bytes_under_a_valid_signature(
    message: bytes, tail: bytes, lie: int | None
) -> None:
    buffer = bytes(16) + struct.pack(">I", len(message) if lie is None else lie) + message + tail
    pad = 32 - len(buffer) % 32
    encrypted = forged(buffer + bytes([pad]) * pad)
    opens_or_is_rejected(signed(encrypted), envelope(encrypted))


@given(blocks=st.binary(min_size=1, max_size=256))
@FUZZ
def test_any_ciphertext_under_a_valid_signature(blocks: bytes) -> None:
    encrypted = base64.b64encode(blocks).decode()
    opens_or_is_rejected(signed(encrypted), envelope(encrypted))


@given(
    encrypt=st.text(xml_chars, max_size=120)
    | st.just(CRYPTO.encrypt("<xml/>")).map(lambda e: f"\n {e} \t"),
    hints=st.lists(trees, max_size=4),
)
@FUZZ
def test_any_outer_xml_under_a_valid_signature(encrypt: str, hints: list[Tree]) -> None:
    body = "<xml>" + "".join(map(render, hints)) + f"<Encrypt>{escape(encrypt)}</Encrypt></xml>"
    opens_or_is_rejected(signed(encrypt.strip()), body.encode())


@given(
    timestamp=st.text(max_size=30)
    | st.integers().map(str)
    | st.integers(NOW_TS - 2 * WINDOW, NOW_TS + 2 * WINDOW).map(str)
)
@example(timestamp="9" * 400)  # OverflowError once
@FUZZ
def test_any_timestamp_under_a_valid_signature(timestamp: str) -> None:
    encrypted = CRYPTO.encrypt("<xml><MsgType>text</MsgType></xml>")
    # signed as inbound will read it back: a query's '+' arrives as a space
    query = {**signed(encrypted, timestamp=timestamp.replace(" ", "+")), "timestamp": timestamp}
    opens_or_is_rejected(query, envelope(encrypted))


@given(
    query=st.dictionaries(
        st.sampled_from(["msg_signature", "timestamp", "nonce", "echostr"]), st.text(max_size=60)
    )
)
@FUZZ
def test_any_url_verification(query: dict[str, str]) -> None:
    try:
        open_verification(CRYPTO, query)
    except Rejected as rejected:
        assert rejected.status in {400, 403}


# --- each layer alone -------------------------------------------------------------------------
@given(body=st.binary(max_size=2048) | plaintexts.map(lambda t: t.encode("utf-8", "replace")))
@example(body=b'<?xml version="1.0" encoding="no-such-codec"?><xml/>')  # LookupError once
@FUZZ
def test_envelope_raises_only_malformed_xml(body: bytes) -> None:
    with contextlib.suppress(MalformedXML):
        parse_envelope(body)


@given(
    encrypted=st.text(max_size=200)
    | st.binary(max_size=200).map(lambda b: base64.b64encode(b).decode())
)
@FUZZ
def test_decrypt_raises_only_crypto_errors(encrypted: str) -> None:
    with contextlib.suppress(CryptoError):
        CRYPTO.decrypt(encrypted)


@given(plaintext=plaintexts)
@FUZZ
def test_event_parse_raises_only_malformed_xml(plaintext: str) -> None:
    try:
        parsed = parse_event(plaintext)
    except MalformedXML:
        return
    event(type(parsed).__name__)
    assert isinstance(parsed.dedup_key, str)


@pytest.mark.parametrize("depth", [33, 1000, 3000, 6000])
def test_deep_nesting_is_malformed_not_a_recursion_error(depth: int) -> None:
    with pytest.raises(MalformedXML):
        parse_event("<xml>" + nested(depth) + "</xml>")
