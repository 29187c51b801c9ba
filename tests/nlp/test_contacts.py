"""Contact detectors: numbers, ids and links that move a customer off the platform."""

from __future__ import annotations

import pytest

from nlp import Analyzer
from tests.nlp.conftest import excerpts


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("我电话13800138000", "13800138000"),
        ("打我 138-0013-8000", "138-0013-8000"),
        ("号码138 0013 8000", "138 0013 8000"),
        ("+86 13800138000", "86 13800138000"),
        ("１３８００１３８０００", "１３８００１３８０００"),
        ("一三八零零一三八零零零", "一三八零零一三八零零零"),
        ("壹叁捌零零壹叁捌零零零", "壹叁捌零零壹叁捌零零零"),
        ("①③⑧⓪⓪①③⑧⓪⓪⓪", "①③⑧⓪⓪①③⑧⓪⓪⓪"),
        ("座机电话010-12345678", "010-12345678"),
        ("qq：87654321", "qq：87654321"),
        ("扣扣 12345678", "扣扣 12345678"),
        ("加企鹅：12345678", "加企鹅：12345678"),
        ("加我 123456789", "加我 123456789"),
        ("微信号是zhang_san88", "微信号是zhang_san88"),
        ("vx：abc12345", "vx：abc12345"),
        ("v:abc12345", "abc12345"),
        ("看这里 www.cheap-shop.cn 便宜", "www.cheap-shop.cn"),
        ("http://t.cn/A6xyz 点进去", "http://t.cn/A6xyz"),
        ("ｗｗｗ．ｃｈｅａｐ．ｃｏｍ", "ｗｗｗ．ｃｈｅａｐ．ｃｏｍ"),
        ("baidu点com", "baidu点com"),
        ("邮箱zhang@163.com", "zhang@163.com"),
        ("復製￥AbCd12345￥打开", "￥AbCd12345￥"),
    ],
)
def test_contacts_are_diversion_with_their_span(
    analyzer: Analyzer, text: str, excerpt: str
) -> None:
    assert ("diversion", excerpt) in excerpts(analyzer, text)


@pytest.mark.parametrize(
    "text",
    [
        "订单号20231124123456789",  # longer than a phone number
        "订单号13800138000，帮我查下",  # an order's number
        "快递单号 13800138000",
        "买了138元的套餐",
        "价格12800元",
        "我家在三楼302",
        "一二三四五，上山打老虎",
        "客服热线400-123-4567",
        "版本号1.2.3",
        "iPhone 15.pro",
        "说明在 https://work.weixin.qq.com/help 这里",  # an allowed domain
        "2023年11月24日",
        "今天加班12345次",  # 加 + a number + a unit
    ],
)
def test_numbers_that_are_not_contacts(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).sensitive == ()
