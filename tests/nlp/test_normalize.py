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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("傻*傻*傻*逼", "傻逼"),  # noise and repetition together
        ("傻.傻.傻.逼", "傻逼"),
        ("傻 傻 傻 逼", "傻逼"),
        ("傻😊傻😊傻😊逼", "傻逼"),
        ("傻＊傻＊傻＊逼＊逼＊逼", "傻逼"),
        ("傻*傻傻*逼", "傻逼"),
        ("ｓ＊ｂ", "sb"),  # full width and noise
        ("傻*逼*逼*逼", "傻逼"),
        ("傻。傻傻逼", "傻。傻傻逼"),  # a boundary stops the repetition
        ("加 我 ｖ.ｘ", "加我vx"),
        ("加*我*薇*❤", "加我薇心"),
        ("傻傻傻⑽", "傻10"),
    ],
)
def test_combined_evasions_fold_together(text: str, expected: str) -> None:
    assert normalize(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("⑽ 号", "10号"),  # noise next to an expanded character
        ("号 ⑽", "号10"),
        ("⑽.号", "10号"),  # the expanded character stands alone: the dot is noise
        ("a.⑽", "a10"),
        ("ß.x", "ssx"),
        ("⑽.号码是", "10号码是"),
    ],
)
def test_noise_next_to_an_expanded_character(text: str, expected: str) -> None:
    assert normalize(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc.我们", "abc.我们"),  # Latin word, then a Chinese one: a boundary
        ("我们.abc", "我们.abc"),
        ("vx.详聊", "vx.详聊"),
        ("v.信", "v信"),  # one Latin letter standing alone: noise
        ("微.x", "微x"),
    ],
)
def test_dot_between_latin_and_chinese(text: str, expected: str) -> None:
    assert normalize(text).text == expected


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        (" 加微信 ", (1, 2), (3, 4)),  # noise at both edges is outside the text's span
        ("**加微信**", (2, 3), (4, 5)),
        ("⑽号", (0, 1), (1, 2)),  # an expanded character at the start
        ("号⑽", (0, 1), (1, 2)),  # ...at the end
        ("傻傻傻逼", (0, 3), (3, 4)),  # a collapsed run at the start
        ("逼傻傻傻", (0, 1), (1, 4)),  # ...at the end
        ("ＶＸ", (0, 1), (1, 2)),  # folded, no offsets changed
        ("加 微", (0, 1), (2, 3)),
    ],
)
def test_offsets_at_both_edges_of_the_text(
    text: str, first: tuple[int, int], last: tuple[int, int]
) -> None:
    n = normalize(text)
    end = len(n.text)
    last_start = end - 1 if text[-1] != "⑽" else end - 2
    assert n.span(0, 1) == first
    assert n.span(last_start, end) == last
    assert n.span(0, end) == (first[0], last[1])
    assert n.span(0, 0) == (first[0], first[0])  # empty spans stay inside the text's span
    assert n.span(end, end) == (last[1], last[1])


def test_an_all_noise_message_maps_to_nothing() -> None:
    n = normalize("** **")
    assert n.text == ""
    assert n.span(0, 0) == (0, 0)


def test_the_characters_of_an_expansion_are_joined() -> None:
    n = normalize("⑽ 号")
    assert n.joined(1)  # 1 and 0 both come from ⑽
    assert not n.joined(2)  # a space stood between ⑽ and 号


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


@pytest.mark.parametrize(
    "text",
    [
        "哈哈哈好",  # the fast path, collapsed
        "ＡＢ",  # folded, nothing dropped
        "傻*逼",  # noise dropped
        "傻*傻*傻*逼",  # noise dropped, then collapsed
        "⑽ 号",  # expanded, then collapsed (nothing to collapse)
    ],
)
def test_the_original_message_is_kept_on_every_path(text: str) -> None:
    assert normalize(text).original == text


def test_a_combined_evasion_collapses_with_offsets_over_the_whole_run() -> None:
    n = normalize("傻*傻*傻*逼")
    assert n.text == "傻逼"
    assert n.span(0, 1) == (0, 5), "the one 傻 stands for all three and the noise between"
    assert n.span(1, 2) == (6, 7)
    assert not n.joined(1), "the last * stood between them"


def test_joined_at_the_edges_and_for_untouched_text() -> None:
    plain = normalize("你好")
    assert plain.starts is None and plain.joined(1)
    cut = normalize("a*bc")
    assert cut.text == "abc"
    assert cut.joined(0) and cut.joined(3), "the edges: nothing lies before or after"
    assert not cut.joined(1), "a and b were apart"
    assert cut.joined(2), "b and c touch, though a did not"
    assert not normalize("傻*逼").joined(1)


def test_a_dot_after_an_expanded_character_glues_latin_runs() -> None:
    assert normalize("1⑽.55").text == "11055"  # ⑽ reads as 10: 110.55 is one number


def test_a_dot_after_punctuation_stays() -> None:
    assert normalize("，.a").text == "，.a"  # no word on its left: a boundary, not noise
