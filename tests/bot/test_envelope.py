"""The XML edges: the outer envelope and the decrypted message, hostile documents refused."""

from __future__ import annotations

from typing import Any

import pytest

from bot.envelope import MAX_DEPTH, Envelope, MalformedXML, parse_envelope, parse_fields


def nested(depth: int, leaf: str = "x") -> str:
    """``depth`` elements, one inside the other, the innermost holding ``leaf``."""
    return "<a>" * depth + leaf + "</a>" * depth


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<xml><Encrypt><![CDATA[QUJD]]></Encrypt></xml>", Envelope("QUJD", None, None)),
        (
            b"<xml><ToUserName><![CDATA[wwCORP]]></ToUserName><AgentID>1000002</AgentID>"
            b"<Encrypt>\n  QUJD\n</Encrypt></xml>",
            Envelope("QUJD", "wwCORP", "1000002"),
        ),
        (
            b'<?xml version="1.0" encoding="UTF-8"?><xml><Encrypt>QUJD</Encrypt></xml>',
            Envelope("QUJD", None, None),
        ),
    ],
    ids=["encrypt-only", "with-hints", "declared-utf8"],
)
def test_envelope_reads_encrypt_and_hints(body: bytes, expected: Envelope) -> None:
    assert parse_envelope(body) == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<xml></xml>", "no Encrypt element"),
        (b"<xml><Encrypt></Encrypt></xml>", "no Encrypt element"),
        (b"<xml><Other><Encrypt>QUJD</Encrypt></Other></xml>", "no Encrypt element"),
        (b"<xml><Encrypt>", "not well-formed XML at line 1"),
        (b"\n\nnot xml", "not well-formed XML at line 3"),
        (
            b'<!DOCTYPE xml [<!ENTITY a "b">]><xml><Encrypt>&a;</Encrypt></xml>',
            "forbidden XML construct (DTDForbidden)",
        ),
        (
            b'<?xml version="1.0" encoding="gbk"?><xml><Encrypt>QUJD</Encrypt></xml>',
            "not decodable XML",
        ),
        (
            b'<?xml version="1.0" encoding="no-such-codec"?><xml><Encrypt>QUJD</Encrypt></xml>',
            "not decodable XML",
        ),
        (nested(3000).encode(), "no Encrypt element"),
    ],
    ids=[
        "empty",
        "empty-encrypt",
        "encrypt-not-at-top",
        "truncated",
        "not-xml",
        "doctype",
        "multibyte-codec",
        "unknown-codec",
        "3000-levels",
    ],
)
def test_unacceptable_envelope_is_malformed(body: bytes, message: str) -> None:
    with pytest.raises(MalformedXML) as excinfo:
        parse_envelope(body)
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    ("plaintext", "fields"),
    [
        ("<xml><A>1</A><B></B><C/></xml>", {"A": "1", "B": "", "C": ""}),
        ("<xml><L><Item>a</Item><Item>b</Item></L></xml>", {"L": {"Item": ["a", "b"]}}),
        ("<xml><I>a</I><I>b</I><I>c</I></xml>", {"I": ["a", "b", "c"]}),
        ("<xml><I>a</I><I><J>b</J></I></xml>", {"I": ["a", {"J": "b"}]}),
        ("<xml><A><![CDATA[<b>&]]></A></xml>", {"A": "<b>&"}),
        (
            "<xml><SelectedItems><SelectedItem><QuestionKey>q</QuestionKey><OptionIds>"
            "<OptionId>1</OptionId><OptionId>2</OptionId></OptionIds></SelectedItem>"
            "</SelectedItems></xml>",
            {
                "SelectedItems": {
                    "SelectedItem": {"QuestionKey": "q", "OptionIds": {"OptionId": ["1", "2"]}}
                }
            },
        ),
    ],
    ids=["leaves", "item-list", "three-repeats", "mixed-repeats", "cdata", "card-selection"],
)
def test_message_fields(plaintext: str, fields: dict[str, Any]) -> None:
    assert parse_fields(plaintext) == fields


def test_message_nested_to_the_limit_is_read() -> None:
    fields: Any = parse_fields(nested(MAX_DEPTH))
    for _ in range(MAX_DEPTH - 2):
        fields = fields["a"]
    assert fields == {"a": "x"}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 3000, 20000])
def test_message_nested_deeper_than_the_limit_is_malformed(depth: int) -> None:
    with pytest.raises(MalformedXML, match=f"^nested deeper than {MAX_DEPTH} elements$"):
        parse_fields(nested(depth))


@pytest.mark.parametrize(
    ("plaintext", "message"),
    [
        ("<xml>just text</xml>", "message has no fields"),
        ("<xml/>", "message has no fields"),
        ("plain text", "not well-formed XML at line 1"),
        ("\ud800", "not decodable XML"),
    ],
    ids=["text-root", "empty-root", "not-xml", "lone-surrogate"],
)
def test_unacceptable_message_is_malformed(plaintext: str, message: str) -> None:
    with pytest.raises(MalformedXML) as excinfo:
        parse_fields(plaintext)
    assert str(excinfo.value) == message
