"""parse_event: every kind of wecom-spec §2, unknown kinds kept, dedup keys that do not collide."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.callbacks import message_xml
from bot.envelope import MalformedXML
from bot.events import (
    AgentEntered,
    ExternalChatCreated,
    ExternalChatDismissed,
    ExternalChatUpdated,
    ExternalContactAdded,
    ExternalContactDeleted,
    ExternalContactEdited,
    ExternalContactHalfAdded,
    ExternalTagChanged,
    ExternalTagShuffled,
    FollowUserDeleted,
    ImageMessage,
    KfMsgOrEvent,
    LinkMessage,
    LocationMessage,
    MsgAuditNotify,
    TemplateCardClicked,
    TextMessage,
    TransferFailed,
    UnknownEvent,
    VideoMessage,
    VoiceMessage,
    parse_event,
)

Fields = dict[str, str | int | list[str]]

BASE: Fields = {"ToUserName": "wwCORP", "CreateTime": 1700000000}
MSG: Fields = {**BASE, "FromUserName": "staff01", "MsgId": 7300000000000000001, "AgentID": 1000002}
SYS: Fields = {**BASE, "FromUserName": "sys", "MsgType": "event"}
CONTACT: Fields = {
    **SYS,
    "Event": "change_external_contact",
    "UserID": "staff01",
    "ExternalUserID": "wmEXT001",
}
CHAT: Fields = {**SYS, "Event": "change_external_chat", "ChatId": "wrCHAT01"}
TAG: Fields = {**SYS, "Event": "change_external_tag", "Id": "etTAG01", "TagType": "tag"}

KINDS: list[tuple[dict[str, str | int | list[str]], type]] = [
    ({**MSG, "MsgType": "text", "Content": "price list"}, TextMessage),
    ({**MSG, "MsgType": "image", "PicUrl": "http://p", "MediaId": "m1"}, ImageMessage),
    ({**MSG, "MsgType": "voice", "MediaId": "m2", "Format": "amr"}, VoiceMessage),
    ({**MSG, "MsgType": "video", "MediaId": "m3", "ThumbMediaId": "t3"}, VideoMessage),
    (
        {
            **MSG,
            "MsgType": "location",
            "Location_X": "23.1",
            "Location_Y": "113.3",
            "Scale": 20,
            "Label": "广州",
        },
        LocationMessage,
    ),
    (
        {
            **MSG,
            "MsgType": "link",
            "Title": "t",
            "Description": "d",
            "Url": "http://u",
            "PicUrl": "http://p",
        },
        LinkMessage,
    ),
    (
        {**CONTACT, "ChangeType": "add_external_contact", "State": "ch_a", "WelcomeCode": "WC"},
        ExternalContactAdded,
    ),
    (
        {**CONTACT, "ChangeType": "add_half_external_contact", "State": "ch_a", "WelcomeCode": "W"},
        ExternalContactHalfAdded,
    ),
    ({**CONTACT, "ChangeType": "edit_external_contact"}, ExternalContactEdited),
    (
        {**CONTACT, "ChangeType": "del_external_contact", "Source": "DELETE_BY_TRANSFER"},
        ExternalContactDeleted,
    ),
    ({**CONTACT, "ChangeType": "del_follow_user"}, FollowUserDeleted),
    ({**CONTACT, "ChangeType": "transfer_fail", "FailReason": "customer_refused"}, TransferFailed),
    ({**CHAT, "ChangeType": "create"}, ExternalChatCreated),
    (
        {
            **CHAT,
            "ChangeType": "update",
            "UpdateDetail": "add_member",
            "JoinScene": 3,
            "MemChangeCnt": 2,
            "MemChangeList": ["wmEXT001", "staff02"],
        },
        ExternalChatUpdated,
    ),
    ({**CHAT, "ChangeType": "dismiss"}, ExternalChatDismissed),
    ({**TAG, "ChangeType": "create"}, ExternalTagChanged),
    ({**TAG, "ChangeType": "update"}, ExternalTagChanged),
    ({**TAG, "ChangeType": "delete"}, ExternalTagChanged),
    (
        {
            **SYS,
            "Event": "change_external_tag",
            "ChangeType": "shuffle",
            "Id": "etG",
            "StrategyId": "1",
        },
        ExternalTagShuffled,
    ),
    (
        {
            **BASE,
            "MsgType": "event",
            "Event": "kf_msg_or_event",
            "Token": "ENCxyz",
            "OpenKfId": "wkKF01",
        },
        KfMsgOrEvent,
    ),
    (
        {
            **BASE,
            "FromUserName": "staff01",
            "MsgType": "event",
            "Event": "enter_agent",
            "EventKey": "",
            "AgentID": 1000002,
        },
        AgentEntered,
    ),
    (
        {
            **BASE,
            "FromUserName": "staff01",
            "MsgType": "event",
            "Event": "template_card_event",
            "EventKey": "done",
            "TaskId": "r1",
            "CardType": "button_interaction",
            "ResponseCode": "rc1",
            "AgentID": 1000002,
        },
        TemplateCardClicked,
    ),
    (
        {
            **BASE,
            "FromUserName": "sys",
            "MsgType": "event",
            "Event": "msgaudit_notify",
            "AgentID": 1000002,
        },
        MsgAuditNotify,
    ),
]


@pytest.mark.parametrize(("fields", "kind"), KINDS, ids=[k.__name__ for _, k in KINDS])
def test_each_kind_is_typed(fields: dict[str, str | int | list[str]], kind: type) -> None:
    event = parse_event(message_xml(fields))
    assert type(event) is kind
    assert not isinstance(event, UnknownEvent)
    assert event.create_time == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


def test_dedup_keys_of_all_kinds_are_distinct() -> None:
    events = [fields for fields, _ in KINDS if fields["MsgType"] == "event"]
    keys = [parse_event(message_xml(fields)).dedup_key for fields in events]
    assert len(set(keys)) == len(keys)


def test_contact_added_fields() -> None:
    event = parse_event(message_xml(KINDS[6][0]))
    assert isinstance(event, ExternalContactAdded)
    assert (event.user_id, event.external_user_id, event.state, event.welcome_code) == (
        "staff01",
        "wmEXT001",
        "ch_a",
        "WC",
    )


def test_missing_welcome_code_is_none() -> None:
    event = parse_event(message_xml({**CONTACT, "ChangeType": "add_external_contact"}))
    assert isinstance(event, ExternalContactAdded)
    assert event.welcome_code is None
    assert event.state is None


def test_same_staff_two_customers_same_second_have_distinct_keys() -> None:
    first = parse_event(message_xml({**CONTACT, "ChangeType": "add_external_contact"}))
    second = parse_event(
        message_xml({**CONTACT, "ChangeType": "add_external_contact", "ExternalUserID": "wm2"})
    )
    assert first.dedup_key != second.dedup_key


def test_add_then_delete_in_one_second_have_distinct_keys() -> None:
    added = parse_event(message_xml({**CONTACT, "ChangeType": "add_external_contact"}))
    deleted = parse_event(message_xml({**CONTACT, "ChangeType": "del_follow_user"}))
    assert added.dedup_key != deleted.dedup_key


def test_two_joins_to_one_group_in_one_second_have_distinct_keys() -> None:
    base = {**CHAT, "ChangeType": "update", "UpdateDetail": "add_member", "JoinScene": 3}
    one = parse_event(message_xml({**base, "MemChangeList": ["wm1"]}))
    two = parse_event(message_xml({**base, "MemChangeList": ["wm2"]}))
    assert one.dedup_key != two.dedup_key


def test_chat_update_details() -> None:
    event = parse_event(message_xml(KINDS[13][0]))
    assert isinstance(event, ExternalChatUpdated)
    assert event.join_scene == 3
    assert event.member_change_list == ("wmEXT001", "staff02")


def test_template_card_selected_items() -> None:
    xml = message_xml(
        {
            **BASE,
            "FromUserName": "u",
            "MsgType": "event",
            "Event": "template_card_event",
            "TaskId": "t",
        }
    ).replace(
        "</xml>",
        "<SelectedItems><SelectedItem><QuestionKey>q1</QuestionKey><OptionIds>"
        "<OptionId>a</OptionId><OptionId>b</OptionId></OptionIds></SelectedItem>"
        "</SelectedItems></xml>",
    )
    event = parse_event(xml)
    assert isinstance(event, TemplateCardClicked)
    assert event.selected_items == {"q1": ("a", "b")}


@pytest.mark.parametrize(
    "fields",
    [
        {**SYS, "Event": "change_contact", "ChangeType": "create_user", "UserID": "u9"},
        {
            **SYS,
            "Event": "change_external_contact",
            "ChangeType": "brand_new_change",
            "UserID": "u",
        },
        {**MSG, "MsgType": "shortvideo"},
        {**SYS, "Event": "change_external_contact", "ChangeType": "add_external_contact"},
        {**MSG, "MsgType": "text", "MsgId": "not-a-number"},
    ],
    ids=["change_contact", "new-changetype", "new-msgtype", "missing-ids", "bad-msgid"],
)
def test_unknown_or_incomplete_kinds_become_unknown_event(
    fields: dict[str, str | int | list[str]],
) -> None:
    event = parse_event(message_xml(fields))
    assert isinstance(event, UnknownEvent)
    assert event.raw["ToUserName"] == "wwCORP"
    assert event.dedup_key  # queued under a stable key


def test_unknown_event_dedup_key_is_stable_and_content_sensitive() -> None:
    fields: Fields = {**SYS, "Event": "change_contact", "ChangeType": "create_user", "UserID": "u9"}
    again = parse_event(message_xml(fields)).dedup_key
    assert parse_event(message_xml(fields)).dedup_key == again
    assert parse_event(message_xml({**fields, "UserID": "u8"})).dedup_key != again


@pytest.mark.parametrize(
    "document",
    [
        "",
        "<xml>",
        "not xml",
        '<!DOCTYPE x [<!ENTITY a "b">]><xml><A>&a;</A></xml>',
        '<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://evil/x.dtd"><xml/>',
        "<xml>text</xml>",
    ],
    ids=["empty", "truncated", "text", "entity", "external-dtd", "no-fields"],
)
def test_not_acceptable_xml_raises(document: str) -> None:
    with pytest.raises(MalformedXML):
        parse_event(document)


def test_the_kf_token_is_in_neither_the_repr_nor_the_dedup_key() -> None:
    """The sync token is a credential (kf/sync_msg): keys and reprs end up in logs."""
    token = "ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR"
    event = KfMsgOrEvent(
        corp_id="ww1",
        from_user="sys",
        create_time=datetime.now(UTC),
        token=token,
        open_kf_id="wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q",
    )
    assert token not in repr(event)
    assert token not in event.dedup_key
    other = KfMsgOrEvent(
        corp_id="ww1",
        from_user="sys",
        create_time=event.create_time,
        token=token + "x",
        open_kf_id=event.open_kf_id,
    )
    assert other.dedup_key != event.dedup_key, "each notification still has its own key"
