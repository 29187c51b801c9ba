"""Choosing and filling the welcome message: channel, then staff, then default."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.intake.rules import IntakeRules
from handlers.intake.welcome_text import compose, fill, truncate_bytes

LINK = {"msgtype": "link", "link": {"title": "福利", "url": "https://example.com/w"}}


def rules(**extra: Any) -> IntakeRules:
    return IntakeRules.model_validate(
        {
            "welcome": {"text": "您好{customer_name}，我是{staff_name}。"},
            "staff": {
                "zhangwei": {"name": "张伟", "welcome": {"text": "我是张伟，{customer_name}你好"}},
                "lina": {"name": "李娜"},
            },
            "channels": {
                "poster": {
                    "name": "海报A",
                    "state": "ch_poster",
                    "staff": [{"userid": "zhangwei"}],
                    "welcome": {
                        "text": "{customer_name}，欢迎从{channel}来！",
                        "attachments": [LINK],
                    },
                },
                "bare": {"name": "无欢迎语", "state": "ch_bare", "staff": [{"userid": "lina"}]},
            },
            **extra,
        }
    )


@pytest.mark.parametrize(
    ("state", "userid", "source", "text"),
    [
        ("ch_poster", "lina", "channel:poster", "刘洋，欢迎从海报A来！"),
        ("ch_bare", "zhangwei", "staff:zhangwei", "我是张伟，刘洋你好"),
        (None, "zhangwei", "staff:zhangwei", "我是张伟，刘洋你好"),
        ("ch_unknown", "lina", "default", "您好刘洋，我是李娜。"),
        (None, "nobody", "default", "您好刘洋，我是nobody。"),
    ],
)
def test_channel_then_staff_then_default(
    state: str | None, userid: str, source: str, text: str
) -> None:
    welcome = compose(rules(), state=state, userid=userid, customer_name="刘洋")
    assert (welcome.source, welcome.text) == (source, text)


def test_channel_attachments_go_as_wecom_takes_them() -> None:
    welcome = compose(rules(), state="ch_poster", userid="lina", customer_name="刘洋")
    assert welcome.attachments == (LINK,)


@pytest.mark.parametrize(
    ("template", "text"),
    [
        ("您好{customer_name}，我是{staff_name}。", "您好，我是李娜。"),
        ("Hi {customer_name}, I am {staff_name}.", "Hi, I am 李娜."),
        ("{customer_name}，欢迎！", "欢迎！"),
        ("{customer_name} 您好", "您好"),
    ],
)
def test_without_the_name_the_text_is_tidied(template: str, text: str) -> None:
    assert fill(template, {"customer_name": "", "staff_name": "李娜", "channel": "c"}) == text


def test_text_without_name_is_preferred_when_given() -> None:
    custom = rules(welcome={"text": "您好{customer_name}", "text_without_name": "您好，新朋友"})
    assert compose(custom, state=None, userid="lina", customer_name=None).text == "您好，新朋友"


def test_only_the_three_placeholders_are_filled() -> None:
    text = fill(
        "{customer_name} {0} {name} {{x}} {channel}",
        {"customer_name": "{channel}", "channel": "渠道"},
    )
    assert text == "{channel} {0} {name} {{x}} 渠道"


def test_long_texts_are_cut_on_a_character_boundary() -> None:
    assert truncate_bytes("好" * 2000, 4000) == "好" * 1333
    assert truncate_bytes("short") == "short"
