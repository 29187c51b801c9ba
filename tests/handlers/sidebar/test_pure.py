"""The sidebar's pure parts: which messages' flags it keeps, the channel's label, the CSRF
token of a session, and which JS-SDK a page loads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.events.chat_messages import ChatMessageEvent
from bot.events.conversation import ChatMessage, Conversation, Role, Source
from handlers.sidebar.cards import channel_label
from handlers.sidebar.flags import from_a_customer
from handlers.sidebar.session import csrf_token
from handlers.sidebar.shell import WECOM_SDK, sdk_scripts

AT = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)


def chat(role: Role, sender: str) -> ChatMessageEvent:
    message = ChatMessage(
        Source.ARCHIVE, "m1", role, sender, "加我v.x", AT, Conversation("zhangwei", "wmC")
    )
    return ChatMessageEvent(corp_id="ww1", from_user=sender, create_time=AT, message=message)


@pytest.mark.parametrize(
    ("role", "sender", "kept"),
    [(Role.CUSTOMER, "wmC", True), (Role.STAFF, "zhangwei", False), (Role.CUSTOMER, "", False)],
)
def test_only_a_customers_messages_flag_the_customer(role: Role, sender: str, kept: bool) -> None:
    assert from_a_customer(chat(role, sender)) is kept


@pytest.mark.parametrize(
    ("name", "state", "label"),
    [("海报A", "ch_poster_a", "海报A（ch_poster_a）"), (None, "ch_gone", "ch_gone"), ("x", "", "")],
)
def test_the_channel_label(name: str | None, state: str, label: str) -> None:
    assert channel_label(name, state) == label


def test_the_csrf_token_depends_on_the_session_and_the_key() -> None:
    token = csrf_token("cookie-a", b"k" * 32)
    assert token == csrf_token("cookie-a", b"k" * 32) and len(token) == 64
    assert token != csrf_token("cookie-b", b"k" * 32)
    assert token != csrf_token("cookie-a", b"j" * 32)


@pytest.mark.parametrize(
    ("api_base", "scripts"),
    [
        ("https://qyapi.weixin.qq.com/cgi-bin", WECOM_SDK),
        ("http://127.0.0.1:8123/cgi-bin", ("http://127.0.0.1:8123/sandbox/jssdk.js",)),
    ],
)
def test_production_loads_wecoms_js_sdk_and_the_sandbox_its_stand_in(
    api_base: str, scripts: tuple[str, ...]
) -> None:
    assert sdk_scripts(api_base) == scripts
