"""Contact detectors: phone numbers, QQ numbers, WeChat ids, URLs, e-mail, Taobao codes.

Each finds a way to reach someone off the platform and reports its span in the original text.
Precision first: a mobile number is 11 digits that start 13-19 and stand alone (an order
number is longer, a price shorter), and not right after 订单/单号/快递...; a landline needs a
word like 电话 before it; a QQ number or WeChat id needs a QQ or WeChat word right before it
(or 加 before a bare number); a URL needs a known top-level domain, and allowed domains
(settings.toml) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from nlp.matcher import Match
from nlp.normalize import Normalized

_MOBILE: Final = re.compile(r"(?<!\d)(?:0?86)?1[3-9]\d{9}(?!\d)")
_LANDLINE: Final = re.compile(r"(?<!\d)0[1-9]\d{8,10}(?!\d)")
_LANDLINE_CUES: Final = ("电话", "座机", "致电", "拨打", "打", "call", "tel", "联系")
_QQ_AFTER_CUE: Final = re.compile(r"(?:号码|号|是|为|[:：]|id)*([1-9]\d{4,10})(?!\d)")
_ID_AFTER_CUE: Final = re.compile(r"(?:号码|号|是|为|[:：]|id)*([a-z][a-z0-9]{5,19})(?![a-z0-9])")
_ADD_NUMBER: Final = re.compile(
    r"加(?:我|个|下|一下)?(?:好友)?[:：]?([1-9]\d{4,10})"
    r"(?![\d元块万千百件个分折斤克米天年月日号次人单台套箱瓶份%w])"
)
_LETTER_QQ: Final = re.compile(r"(?<![a-z0-9])q[:：]([1-9]\d{4,10})(?!\d)")
_LETTER_ID: Final = re.compile(r"(?<![a-z0-9])[vwq微威薇徽][:：]([a-z0-9]{5,20})(?![a-z0-9])")
_MAX_CUES: Final = 64  # per message: a message of a thousand "vx" says it 64 times already
# Five digits in a row (normalization leaves only ASCII digits), spelled out: a class
# repeated runs twice as fast as {5} in re.
_FIVE_DIGITS: Final = re.compile("[0-9零〇一二三四五六七八九壹贰叁肆伍陆柒捌玖幺两洞]" * 5)
# What every detector needs in a message that normalization left as it was: five digits, a
# colon, "dot" or a 点 between letters (links, numbers, ids after q: or v:).
_ANY_CLUE: Final = re.compile(f"{_FIVE_DIGITS.pattern}|[:：]|dot|[a-z0-9]点[a-z]")
_TLDS: Final = (
    "com|cn|net|org|top|xyz|cc|vip|me|io|co|info|shop|club|site|online|app|link|ly|tk|wang|"
    "ink|pro|biz|tv|hk|tw|fun|store|live|work|asia|icu|mobi"
)
_URL: Final = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'，。！？、)）\]】]+"
    rf"|(?<![\w@.-])((?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?(?:\.|点|dot))+(?:{_TLDS}))"
    r"(?![a-z0-9])(?:[/?#][^\s，。！？、]*)?",
    re.IGNORECASE,
)
_EMAIL: Final = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}", re.I)
_TAOBAO_CODE: Final = re.compile(r"([¥$€£₤])[a-z0-9]{8,14}\1", re.I)
_URLISH: Final = re.compile(r"[.．@＠¥￥$€£₤]|[a-z0-9]点[a-z]", re.I)  # 点 alone is 一点, 点赞
_DOT_WORD: Final = re.compile(r"[a-z0-9]点[a-z]")  # the same in normalized text
_LIGHT: Final = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {
    ord("。"): ord("."),
    ord("．"): ord("."),
    ord("￥"): ord("¥"),
}


@dataclass(frozen=True, slots=True)
class ContactHit:
    """A way to reach someone, at ``[start, end)`` of the original text."""

    word: str
    start: int
    end: int

    @property
    def is_link(self) -> bool:
        """A URL, e-mail or Taobao code: words inside it are part of the link, not hits."""
        return self.word in LINK_WORDS


LINK_WORDS: Final = frozenset({"网址", "邮箱", "淘口令", "allowed"})


@dataclass(frozen=True, slots=True)
class ContactDetector:
    """The detectors, with the allowed domains and the words that make a number an order's."""

    allowed_domains: tuple[str, ...] = ()
    not_phone_before: tuple[str, ...] = ()

    def find(self, n: Normalized, cues: Sequence[Match]) -> list[ContactHit]:
        """Every contact in the message; ``cues`` are the WeChat/QQ words the automaton found.

        Links to allowed domains come back as ``allowed`` so that what is inside them (the
        weixin of work.weixin.qq.com) is not taken for a hit.
        """
        if not cues and n.text is n.original and _ANY_CLUE.search(n.text) is None:
            return []  # no digits, colon, dot or 点 word and no cue: most messages
        hits: list[ContactHit] = []
        if n.text is n.original:  # normalization changed nothing: no . @ ¥ can be there
            linkish = "点" in n.text and _DOT_WORD.search(n.text) is not None
        else:
            linkish = _URLISH.search(n.original) is not None
        if linkish or "dot" in n.text:
            hits.extend(self._links(n.original))
        # Every number detector needs five digits in a row at least (QQ numbers after a cue too).
        digits = n.digits() if _FIVE_DIGITS.search(n.text) else ""
        if digits:
            hits.extend(self._numbers(n, digits))
        if cues:
            for cue in cues[:_MAX_CUES]:
                hits.extend(self._after_cue(n, digits, cue))
        if ":" in n.text or "：" in n.text:
            hits.extend(
                ContactHit("QQ号", *n.span(*m.span()))
                for m in _LETTER_QQ.finditer(digits or n.text)
            )
            hits.extend(
                ContactHit("微信号", *n.span(*m.span(1)))
                for m in _LETTER_ID.finditer(n.text)
                if any(c.isdigit() for c in m.group(1)) and any(c.isalpha() for c in m.group(1))
            )
        return hits

    def _links(self, original: str) -> Iterator[ContactHit]:
        light = original.translate(_LIGHT)
        for match in _URL.finditer(light):
            host = re.sub(r"点|dot", ".", match.group(1) or match.group(0), flags=re.I).lower()
            host = host.split("://", 1)[-1].split("/", 1)[0]
            labels = host.split(".")
            if all(label.isdigit() for label in labels[:-1]):
                continue  # 15.pro, 3.cn: a number, not a host
            allowed = any(host == d or host.endswith("." + d) for d in self.allowed_domains)
            yield ContactHit("allowed" if allowed else "网址", match.start(), match.end())
        for match in _EMAIL.finditer(light):
            yield ContactHit("邮箱", match.start(), match.end())
        for match in _TAOBAO_CODE.finditer(light):
            yield ContactHit("淘口令", match.start(), match.end())

    def _numbers(self, n: Normalized, digits: str) -> Iterator[ContactHit]:
        for match in _MOBILE.finditer(digits):
            if not self._order_number(n.text, match.start()):
                yield ContactHit("手机号", *n.span(*match.span()))
        for match in _LANDLINE.finditer(digits):
            before = n.text[max(0, match.start() - 6) : match.start()]
            if any(cue in before for cue in _LANDLINE_CUES) and not _MOBILE.fullmatch(
                match.group(0)
            ):
                yield ContactHit("电话", *n.span(*match.span()))
        if "加" in n.text:
            for match in _ADD_NUMBER.finditer(digits):
                yield ContactHit("QQ号", *n.span(*match.span()))

    def _order_number(self, text: str, start: int) -> bool:
        before = text[max(0, start - 8) : start]
        return any(word in before for word in self.not_phone_before)

    def _after_cue(self, n: Normalized, digits: str, cue: Match) -> Iterator[ContactHit]:
        if cue.rule.label == "@qq":
            match = _QQ_AFTER_CUE.match(digits, cue.end)
            if match:
                yield ContactHit("QQ号", *n.span(cue.start, match.end()))
        elif cue.rule.label == "@wechat":
            match = _ID_AFTER_CUE.match(n.text, cue.end)
            if match:
                yield ContactHit("微信号", *n.span(cue.start, match.end()))
