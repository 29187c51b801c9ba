"""Opening a callback without HTTP: the order of checks, the replay window, what each refusal is."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.callbacks import message_xml, sign_callback, verification_query
from bot.crypto import CallbackCrypto
from bot.events import TextMessage, UnknownEvent
from bot.events.registry import event_from_compact
from bot.inbound import Rejected, check_timestamp, open_post, open_verification
from tests.conftest import AES_KEY, NOW, TOKEN

CORP = "wwINBOUND"
CRYPTO = CallbackCrypto.create(TOKEN, AES_KEY, CORP)
NOW_TS = int(NOW.timestamp())
WINDOW = 300
TEXT = message_xml(
    {
        "ToUserName": CORP,
        "FromUserName": "staff01",
        "CreateTime": NOW_TS,
        "MsgType": "text",
        "Content": "你好",
        "MsgId": 7300000000000000001,
        "AgentID": 1000002,
    }
)


def refusal(excinfo: pytest.ExceptionInfo[Rejected]) -> tuple[int, str]:
    return excinfo.value.status, excinfo.value.result


def test_signed_callback_opens_to_its_event_and_plaintext() -> None:
    callback = sign_callback(CRYPTO, TEXT, NOW_TS)
    opened = open_post(CRYPTO, callback.query, callback.body, NOW, WINDOW)
    assert isinstance(opened.event, TextMessage)
    assert opened.event.content == "你好"
    assert opened.plaintext == TEXT


@pytest.mark.parametrize(
    "offset", [-WINDOW, -WINDOW + 1, -1, 0, 1, WINDOW - 1, WINDOW], ids=lambda o: f"{o:+d}s"
)
def test_timestamp_within_the_window_is_accepted(offset: int) -> None:
    check_timestamp(str(NOW_TS + offset), NOW, WINDOW)


@pytest.mark.parametrize(
    "offset", [-WINDOW - 1, WINDOW + 1, -86400, 86400, -NOW_TS], ids=lambda o: f"{o:+d}s"
)
def test_timestamp_outside_the_window_either_way_is_stale(offset: int) -> None:
    with pytest.raises(Rejected) as excinfo:
        check_timestamp(str(NOW_TS + offset), NOW, WINDOW)
    assert refusal(excinfo) == (403, "stale")
    assert excinfo.value.reason == "timestamp outside the replay window"


def test_window_is_measured_from_the_exact_moment() -> None:
    half_past = NOW + timedelta(milliseconds=500)
    check_timestamp(str(NOW_TS - WINDOW + 1), half_past, WINDOW)
    with pytest.raises(Rejected):
        check_timestamp(str(NOW_TS - WINDOW), half_past, WINDOW)  # 300.5 s ago


@pytest.mark.parametrize("offset", [-NOW_TS, -WINDOW - 1, WINDOW + 1, 10**9])
def test_window_zero_accepts_any_time(offset: int) -> None:
    check_timestamp(str(NOW_TS + offset), NOW, 0)


@pytest.mark.parametrize(
    "timestamp",
    [
        "1700000000.0",
        "1e9",
        "abc",
        "0x65",
        "-1700000000",
        "1_700_000_000",
        "١٧٠٠٠٠٠٠٠٠",
        "+1700000000",
        "1700000000\n",
        "9" * 13,
        "9" * 400,
        "1" * 5000,
    ],
    ids=lambda t: repr(t[:16]),
)
@pytest.mark.parametrize("window", [WINDOW, 0])
def test_timestamp_that_is_not_unix_seconds_is_malformed(timestamp: str, window: int) -> None:
    with pytest.raises(Rejected) as excinfo:
        check_timestamp(timestamp, NOW, window)
    assert refusal(excinfo) == (400, "malformed")
    assert excinfo.value.reason == "timestamp is not Unix seconds"


def test_rejected_carries_its_reason_as_message() -> None:
    rejected = Rejected(403, "stale", "why")
    assert (rejected.status, rejected.result, rejected.reason, str(rejected)) == (
        403,
        "stale",
        "why",
        "why",
    )


@pytest.mark.parametrize("missing", ["msg_signature", "timestamp", "nonce"])
@pytest.mark.parametrize("how", ["absent", "empty"])
def test_missing_query_parameter_is_malformed(missing: str, how: str) -> None:
    callback = sign_callback(CRYPTO, TEXT, NOW_TS)
    query = {k: v for k, v in callback.query.items() if k != missing}
    if how == "empty":
        query[missing] = ""
    with pytest.raises(Rejected) as excinfo:
        open_post(CRYPTO, query, callback.body, NOW, WINDOW)
    assert refusal(excinfo) == (400, "malformed")
    assert excinfo.value.reason == f"missing query parameter {missing}"


def test_plus_decoded_as_space_in_the_query_is_restored() -> None:
    callback = sign_callback(CRYPTO, TEXT, NOW_TS, nonce="a+b")
    query = {**callback.query, "nonce": "a b"}  # what a form decoder makes of an unencoded '+'
    assert open_post(CRYPTO, query, callback.body, NOW, WINDOW).plaintext == TEXT


def test_signature_is_checked_before_the_timestamp() -> None:
    callback = sign_callback(CRYPTO, TEXT, NOW_TS - 3600)
    query = {**callback.query, "msg_signature": "0" * 40}
    with pytest.raises(Rejected) as excinfo:
        open_post(CRYPTO, query, callback.body, NOW, WINDOW)
    assert refusal(excinfo) == (403, "bad_signature")
    assert excinfo.value.reason == "signature mismatch"


def test_signed_but_stale_callback_is_refused_before_decrypting() -> None:
    callback = sign_callback(CRYPTO, TEXT, NOW_TS - WINDOW - 1)
    with pytest.raises(Rejected) as excinfo:
        open_post(CRYPTO, callback.query, callback.body, NOW, WINDOW)
    assert refusal(excinfo) == (403, "stale")


def test_body_that_is_not_xml_is_malformed() -> None:
    callback = sign_callback(CRYPTO, TEXT, NOW_TS)
    with pytest.raises(Rejected) as excinfo:
        open_post(CRYPTO, callback.query, b"<xml><Encrypt>", NOW, WINDOW)
    assert refusal(excinfo) == (400, "malformed")
    assert excinfo.value.reason == "body: not well-formed XML at line 1"


@pytest.mark.parametrize(
    ("plaintext", "reason"),
    [
        ("plain text", "message: not well-formed XML at line 1"),
        ("<xml>just text</xml>", "message: message has no fields"),
        ("<a>" * 3000 + "</a>" * 3000, "message: nested deeper than 32 elements"),
    ],
    ids=["not-xml", "no-fields", "3000-levels"],
)
def test_signed_message_that_is_not_acceptable_xml_is_malformed(
    plaintext: str, reason: str
) -> None:
    callback = sign_callback(CRYPTO, plaintext, NOW_TS)
    with pytest.raises(Rejected) as excinfo:
        open_post(CRYPTO, callback.query, callback.body, NOW, WINDOW)
    assert refusal(excinfo) == (400, "malformed")
    assert excinfo.value.reason == reason


def test_message_of_an_unknown_kind_is_opened_not_refused() -> None:
    plaintext = message_xml({"ToUserName": CORP, "MsgType": "hologram", "CreateTime": NOW_TS})
    callback = sign_callback(CRYPTO, plaintext, NOW_TS)
    assert isinstance(
        open_post(CRYPTO, callback.query, callback.body, NOW, WINDOW).event, UnknownEvent
    )


def test_other_receiveid_is_refused_as_a_bad_signature() -> None:
    sender = CallbackCrypto.create(TOKEN, AES_KEY, CORP + "X")
    callback = sign_callback(sender, TEXT, NOW_TS)
    with pytest.raises(Rejected) as excinfo:
        open_post(CRYPTO, callback.query, callback.body, NOW, WINDOW)
    assert refusal(excinfo) == (403, "bad_signature")
    assert excinfo.value.reason == "receiveid mismatch"


def test_signed_ciphertext_that_is_not_base64_is_malformed() -> None:
    encrypted = "not base64!"
    query = {
        "msg_signature": CRYPTO.sign(str(NOW_TS), "1", encrypted),
        "timestamp": str(NOW_TS),
        "nonce": "1",
    }
    body = f"<xml><Encrypt>{encrypted}</Encrypt></xml>".encode()
    with pytest.raises(Rejected) as excinfo:
        open_post(CRYPTO, query, body, NOW, WINDOW)
    assert refusal(excinfo) == (400, "malformed")
    assert excinfo.value.reason == "Encrypt is not valid base64"


def test_url_verification_answers_the_echostr() -> None:
    assert open_verification(CRYPTO, verification_query(CRYPTO, "1616140317555161061", 1)) == (
        "1616140317555161061"
    )


@pytest.mark.parametrize("missing", ["msg_signature", "timestamp", "nonce", "echostr"])
def test_url_verification_without_a_parameter_is_malformed(missing: str) -> None:
    query = verification_query(CRYPTO, "echo", NOW_TS)
    del query[missing]
    with pytest.raises(Rejected) as excinfo:
        open_verification(CRYPTO, query)
    assert refusal(excinfo) == (400, "malformed")


def test_url_verification_with_a_bad_signature_is_refused() -> None:
    query = {**verification_query(CRYPTO, "echo", NOW_TS), "msg_signature": "f" * 40}
    with pytest.raises(Rejected) as excinfo:
        open_verification(CRYPTO, query)
    assert refusal(excinfo) == (403, "bad_signature")
    assert excinfo.value.reason == "signature mismatch"


def test_url_verification_for_another_receiveid_is_refused() -> None:
    sender = CallbackCrypto.create(TOKEN, AES_KEY, "wwSOMEONEELSE")
    with pytest.raises(Rejected) as excinfo:
        open_verification(CRYPTO, verification_query(sender, "echo", NOW_TS))
    assert refusal(excinfo) == (403, "bad_signature")


def test_url_verification_with_a_plus_decoded_as_space_answers() -> None:
    query = verification_query(CRYPTO, "echo", NOW_TS)
    signature = CRYPTO.sign(query["timestamp"], "n+1", query["echostr"])
    spaced = {**query, "nonce": "n 1", "msg_signature": signature}
    assert open_verification(CRYPTO, spaced) == "echo"


def test_the_opened_callback_carries_its_fields_for_the_workers() -> None:
    callback = sign_callback(CRYPTO, TEXT, NOW_TS)
    opened = open_post(CRYPTO, callback.query, callback.body, NOW, WINDOW)
    assert opened.compact is not None
    assert event_from_compact(opened.compact) == opened.event  # no second parse of the XML


@pytest.mark.parametrize("kind", ["siyu_reminder_due", "siyu_task_step"])
def test_siyus_own_event_kinds_are_refused_from_outside(kind: str) -> None:
    plaintext = message_xml(
        {
            "ToUserName": CORP,
            "FromUserName": "sys",
            "CreateTime": NOW_TS,
            "MsgType": "event",
            "Event": kind,
        }
    )
    callback = sign_callback(CRYPTO, plaintext, NOW_TS)
    with pytest.raises(Rejected) as excinfo:
        open_post(CRYPTO, callback.query, callback.body, NOW, WINDOW)
    assert (excinfo.value.status, excinfo.value.result, excinfo.value.reason) == (
        400,
        "internal_kind",
        "one of siyu's own event kinds",
    )
