"""Normalization: every class of evasion folds, boundaries stay, offsets map back."""

from __future__ import annotations

import pytest

from nlp.normalize import normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＶＸ同号", "vx同号"),  # full-width → half-width, case fold
        ("ＡＢＣ１２３", "abc123"),
        ("WeChat", "wechat"),
        ("發貨了嗎", "发货了吗"),  # traditional → simplified
        ("綯寳", "绹宝"),  # variant characters too
        ("❶❸❽", "138"),  # digit variants
        ("①③⑧", "138"),
        ("⑴⑵", "12"),
        ("➀➁", "12"),
        ("⒈⒉", "12"),
        ("²⁵₃", "253"),
        ("⑽号", "10号"),  # one character, two digits
        ("1️⃣3️⃣8️⃣", "138"),  # keycaps
        ("加 我 微 信", "加我微信"),  # spaces between characters
        ("加*我*微*信", "加我微信"),
        ("加_我-微~信", "加我微信"),
        ("加\u200b我\u200d微\ufeff信", "加我微信"),  # zero-width characters
        ("加😊我🌹微🔥信", "加我微信"),  # emoji
        ("加/我|微\\信", "加我微信"),
        ("加【我】微「信」", "加我微信"),
        ("微❤", "微心"),  # a heart spells 信 by sound (微心 ~ 微信)
        ("🅥🅧", "vx"),  # letters drawn as symbols
        ("🇻🇽", "vx"),
        ("ⓥⓧ", "vx"),
        ("𝐯𝐱", "vx"),
        ("νх", "vx"),  # Greek nu, Cyrillic ha
        ("wéixìn", "weixin"),  # accents off Latin letters
        ("+V", "加v"),  # + reads 加
        ("傻傻傻傻逼", "傻逼"),  # a letter repeated 3+ times counts once
        ("好好学习", "好好学习"),  # ...twice is a real word
        ("13800000000", "13800000000"),  # digits never collapse
        ("", ""),
    ],
)
def test_folds_to_canonical_text(text: str, expected: str) -> None:
    assert normalize(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我要退，订单号", "我要退，订单号"),  # sentence punctuation stays a boundary
        ("我要退。订单号", "我要退。订单号"),
        ("好的！谢谢?", "好的！谢谢?"),
        ("一；二：三、四", "一；二：三、四"),
        ("好的﹐谢谢", "好的,谢谢"),
        ("第一行\n第二行", "第一行\n第二行"),
        ("好的…我想想", "好的。我想想"),  # an ellipsis ends a clause
    ],
)
def test_sentence_punctuation_stays_a_boundary(text: str, expected: str) -> None:
    assert normalize(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("加我v.x详聊", "加我vx详聊"),  # between Latin letters: noise
        ("w.x", "wx"),
        ("v . x", "vx"),
        ("加.我.微.信", "加我微信"),  # between characters that stand alone: noise
        ("加我微.信", "加我微信"),
        ("v～x", "vx"),  # a tilde follows the same rule
        ("好的.我加你", "好的.我加你"),  # between words: a boundary
        ("详聊.", "详聊."),  # sentence-final: a boundary
        ("好的...我想想", "好的...我想想"),
        ("Hi.", "hi."),
    ],
)
def test_dot_is_noise_inside_a_word_and_a_boundary_between_sentences(
    text: str, expected: str
) -> None:
    assert normalize(text).text == expected


@pytest.mark.parametrize(
    ("text", "start", "end", "excerpt"),
    [
        ("加我v.x详聊", 0, 4, "加我v.x"),
        ("请 加 我 微 信 哦", 1, 5, "加 我 微 信"),
        ("ＶＸ同号", 0, 2, "ＶＸ"),
        ("傻傻傻傻逼啊", 0, 2, "傻傻傻傻逼"),
        ("号码⑽号", 2, 4, "⑽"),
        ("號碼", 0, 2, "號碼"),
        ("a\u200bb", 0, 2, "a\u200bb"),
    ],
)
def test_spans_map_back_to_the_original_text(text: str, start: int, end: int, excerpt: str) -> None:
    n = normalize(text)
    a, b = n.span(start, end)
    assert text[a:b] == excerpt


def test_joined_tells_whether_noise_separated_two_characters() -> None:
    n = normalize("vx d123")
    assert n.text == "vxd123"
    assert n.joined(1)
    assert not n.joined(2)


def test_digit_view_reads_chinese_numerals_at_the_same_offsets() -> None:
    n = normalize("电话一三八零零一三八零零零")
    assert n.digits() == "电话13800138000"
    assert len(n.digits()) == len(n.text)


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\x02\x1b[31m控制字符\x7f",
        "😀😃😄😁😆" * 50,
        "中文English日本語한국어العربيةРусский",
        "\ud800 lone surrogate",
        "a" * 100_000,
        "加" * 100_000,
        "".join(chr(c) for c in range(0x20, 0x3000)),
    ],
)
def test_any_string_normalizes(text: str) -> None:
    n = normalize(text)
    if n.text:
        a, b = n.span(0, len(n.text))
        assert 0 <= a <= b <= len(text)
