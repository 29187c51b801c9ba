"""Archived messages as posted by an archive puller, checked and turned into chat messages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from bot.events.conversation import Conversation, Role, Source
from handlers.conversations.archive import ArchivedMessage

WHEN = datetime(2026, 11, 24, 10, tzinfo=UTC)
SECONDS = int(WHEN.timestamp())


def chat(**fields: Any) -> ArchivedMessage:
    return ArchivedMessage.model_validate(
        {"msgid": "a1", "text": "你好", "time": SECONDS, **fields}
    )


def test_a_customer_writing_to_a_staff_member() -> None:
    message = chat(**{"from": "wmC1", "to": "zhangwei"}).to_chat_message()
    assert (message.source, message.key, message.role) == (
        Source.ARCHIVE,
        "archive:a1",
        Role.CUSTOMER,
    )
    assert message.conversation == Conversation(staff="zhangwei", customer="wmC1")
    assert message.sent_at == WHEN


def test_a_staff_member_writing_to_a_customer_in_the_sdk_shape() -> None:
    posted = {
        "msgid": "a1",
        "from": "zhangwei",
        "tolist": ["wmC1"],
        "roomid": "",
        "msgtime": SECONDS * 1000,
        "content": "全国第一",
    }
    message = ArchivedMessage.model_validate(posted).to_chat_message()
    assert (message.role, message.text, message.sent_at) == (Role.STAFF, "全国第一", WHEN)
    assert message.conversation == Conversation(staff="zhangwei", customer="wmC1")


def test_a_group_message_keeps_the_group_and_the_writer() -> None:
    message = chat(**{"from": "wmC1", "roomid": "wrG1", "tolist": ["zhangwei", "lina"]})
    talk = message.to_chat_message().conversation
    assert talk == Conversation(customer="wmC1", chat_id="wrG1")
    assert talk.is_group


def test_the_role_given_wins_over_the_id() -> None:
    message = chat(**{"from": "robot01", "to": "wmC1", "role": "customer"}).to_chat_message()
    assert message.role is Role.CUSTOMER


def test_times_in_iso_with_a_zone() -> None:
    message = chat(**{"from": "wmC1", "to": "u", "time": "2026-11-24T18:00:00+08:00"})
    assert message.time == WHEN


def test_texts_lose_what_xml_cannot_carry() -> None:
    message = chat(**{"from": "wmC1", "to": "u", "text": "加\x00我\x1bvx\ufffe"})
    assert message.to_chat_message().text == "加我vx"


@pytest.mark.parametrize(
    "fields",
    [
        {"to": "u"},  # no sender
        {"from": "wmC1", "to": "u", "text": ""},
        {"from": "wmC1", "to": "u", "time": "2026-11-24T18:00:00"},  # no zone
        {"from": "wmC1", "to": "u", "time": True},
        {"from": "wmC1", "to": "u", "role": "robot"},
        {"from": "wmC1", "to": "u", "msgid": "x" * 129},
        {"from": "wmC1", "to": "u", "text": "\ud800"},  # a lone surrogate (JSON allows it)
    ],
)
def test_bad_messages_are_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        chat(**fields)
