"""parse_event: one explicit registry from (MsgType, Event, ChangeType) to a typed event."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, Final

from bot.envelope import parse_fields
from bot.events import chat_messages as chat_events
from bot.events import chats, contacts, messages, misc, ticks
from bot.events import reminders as reminder_events
from bot.events import tasks as campaign_events
from bot.events.base import (
    Event,
    EventParseError,
    Fields,
    common,
    integer,
    items,
    optional_integer,
    optional_text,
    text,
)

logger = logging.getLogger(__name__)

AnyEvent = Event | misc.UnknownEvent
Builder = Callable[[Fields], Event]
Kind = tuple[str, str | None, str | None]


def _message(fields: Fields) -> dict[str, Any]:
    return {**common(fields), "msg_id": integer(fields, "MsgId")}


def _contact(fields: Fields) -> dict[str, Any]:
    return {
        **common(fields),
        "user_id": text(fields, "UserID"),
        "external_user_id": text(fields, "ExternalUserID"),
    }


def _chat(fields: Fields) -> dict[str, Any]:
    return {**common(fields), "chat_id": text(fields, "ChatId")}


def _added(
    cls: type[contacts.ExternalContactAdded] | type[contacts.ExternalContactHalfAdded],
) -> Builder:
    return lambda f: cls(
        **_contact(f), state=optional_text(f, "State"), welcome_code=optional_text(f, "WelcomeCode")
    )


def _chat_updated(f: Fields) -> Event:
    return chats.ExternalChatUpdated(
        **_chat(f),
        update_detail=text(f, "UpdateDetail"),
        join_scene=optional_integer(f, "JoinScene"),
        quit_scene=optional_integer(f, "QuitScene"),
        member_change_count=optional_integer(f, "MemChangeCnt"),
        member_change_list=items(f, "MemChangeList"),
        last_member_version=optional_text(f, "LastMemVer"),
        current_member_version=optional_text(f, "CurMemVer"),
    )


def _tag_changed(f: Fields) -> Event:
    return misc.ExternalTagChanged(
        **common(f),
        change_type=text(f, "ChangeType"),
        tag_id=text(f, "Id"),
        tag_type=optional_text(f, "TagType"),
        strategy_id=optional_text(f, "StrategyId"),
    )


def _selected_items(f: Fields) -> dict[str, tuple[str, ...]]:
    container = f.get("SelectedItems")
    if not isinstance(container, dict):
        return {}
    raw = container.get("SelectedItem", [])
    selected: dict[str, tuple[str, ...]] = {}
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, dict) and isinstance(item.get("QuestionKey"), str):
            options = item.get("OptionIds")
            option_fields = options if isinstance(options, dict) else {}
            ids = option_fields.get("OptionId", [])
            listed = ids if isinstance(ids, list) else [ids]
            selected[item["QuestionKey"]] = tuple(i for i in listed if isinstance(i, str))
    return selected


_CHANGE_CONTACT: Final = "change_external_contact"
_CHANGE_CHAT: Final = "change_external_chat"
_CHANGE_TAG: Final = "change_external_tag"

REGISTRY: Final[dict[Kind, Builder]] = {
    ("text", None, None): lambda f: messages.TextMessage(
        **_message(f), content=optional_text(f, "Content") or ""
    ),
    ("image", None, None): lambda f: messages.ImageMessage(
        **_message(f), pic_url=optional_text(f, "PicUrl"), media_id=optional_text(f, "MediaId")
    ),
    ("voice", None, None): lambda f: messages.VoiceMessage(
        **_message(f), media_id=optional_text(f, "MediaId"), format=optional_text(f, "Format")
    ),
    ("video", None, None): lambda f: messages.VideoMessage(
        **_message(f),
        media_id=optional_text(f, "MediaId"),
        thumb_media_id=optional_text(f, "ThumbMediaId"),
    ),
    ("location", None, None): lambda f: messages.LocationMessage(
        **_message(f),
        latitude=text(f, "Location_X"),
        longitude=text(f, "Location_Y"),
        scale=optional_integer(f, "Scale"),
        label=optional_text(f, "Label"),
        app_type=optional_text(f, "AppType"),
    ),
    ("link", None, None): lambda f: messages.LinkMessage(
        **_message(f),
        title=optional_text(f, "Title"),
        description=optional_text(f, "Description"),
        url=optional_text(f, "Url"),
        pic_url=optional_text(f, "PicUrl"),
    ),
    ("event", _CHANGE_CONTACT, "add_external_contact"): _added(contacts.ExternalContactAdded),
    ("event", _CHANGE_CONTACT, "add_half_external_contact"): _added(
        contacts.ExternalContactHalfAdded
    ),
    ("event", _CHANGE_CONTACT, "edit_external_contact"): lambda f: contacts.ExternalContactEdited(
        **_contact(f)
    ),
    ("event", _CHANGE_CONTACT, "del_external_contact"): lambda f: contacts.ExternalContactDeleted(
        **_contact(f), source=optional_text(f, "Source")
    ),
    ("event", _CHANGE_CONTACT, "del_follow_user"): lambda f: contacts.FollowUserDeleted(
        **_contact(f)
    ),
    ("event", _CHANGE_CONTACT, "transfer_fail"): lambda f: contacts.TransferFailed(
        **_contact(f), fail_reason=optional_text(f, "FailReason")
    ),
    ("event", _CHANGE_CHAT, "create"): lambda f: chats.ExternalChatCreated(**_chat(f)),
    ("event", _CHANGE_CHAT, "update"): _chat_updated,
    ("event", _CHANGE_CHAT, "dismiss"): lambda f: chats.ExternalChatDismissed(**_chat(f)),
    ("event", _CHANGE_TAG, "create"): _tag_changed,
    ("event", _CHANGE_TAG, "update"): _tag_changed,
    ("event", _CHANGE_TAG, "delete"): _tag_changed,
    ("event", _CHANGE_TAG, "shuffle"): lambda f: misc.ExternalTagShuffled(
        **common(f), tag_id=optional_text(f, "Id"), strategy_id=optional_text(f, "StrategyId")
    ),
    ("event", "kf_msg_or_event", None): lambda f: misc.KfMsgOrEvent(
        **common(f), token=text(f, "Token"), open_kf_id=text(f, "OpenKfId")
    ),
    ("event", "enter_agent", None): lambda f: misc.AgentEntered(
        **common(f), event_key=optional_text(f, "EventKey")
    ),
    ("event", "template_card_event", None): lambda f: misc.TemplateCardClicked(
        **common(f),
        event_key=optional_text(f, "EventKey"),
        task_id=optional_text(f, "TaskId"),
        card_type=optional_text(f, "CardType"),
        response_code=optional_text(f, "ResponseCode"),
        selected_items=_selected_items(f),
    ),
    ("event", "msgaudit_notify", None): lambda f: misc.MsgAuditNotify(**common(f)),
    # siyu's own: queued by siyu itself (its scheduler, its services), never sent by WeCom
    ("event", "siyu_reminder_due", None): lambda f: reminder_events.build_reminder_due(f),  # noqa: PLW0108 - looked up when called: bot.events.reminders imports this package
    ("event", "siyu_task_step", None): lambda f: campaign_events.build_task_step(f),  # noqa: PLW0108 - as above: bot.events.tasks imports this package
    ("event", "siyu_chat_message", None): lambda f: chat_events.build_chat_message(f),  # noqa: PLW0108 - as above
    # the minute tick is of this package (bot/events/ticks.py, loaded by now): no lambda
    ("event", ticks.TICK, None): ticks.build_minute_tick,
    ("event", ticks.LEGACY_TICK, None): ticks.build_minute_tick,  # queued before the rename
}


# The Event values of siyu's own kinds: queued by siyu, refused when they come from outside.
INTERNAL_EVENTS: Final = frozenset(
    event for (msg_type, event, _change) in REGISTRY if event and event.startswith("siyu_")
) | {ticks.TICK, ticks.LEGACY_TICK}


def is_internal(kind: Kind) -> bool:
    """One of siyu's own kinds (a reminder due, a task step, a chat message, the tick)."""
    return kind[0] == "event" and kind[1] in INTERNAL_EVENTS


def kind_of(fields: Fields) -> Kind:
    """The registry key of a message: (MsgType, Event, ChangeType), lower-cased."""
    msg_type = (optional_text(fields, "MsgType") or "").strip().lower()
    if msg_type != "event":
        return (msg_type, None, None)
    event = (optional_text(fields, "Event") or "").strip().lower()
    change = optional_text(fields, "ChangeType")
    return (msg_type, event, change.strip().lower() if change else None)


def _builder_for(kind: Kind) -> Builder | None:
    return REGISTRY.get(kind) or REGISTRY.get((kind[0], kind[1], None))


def event_from_fields(fields: dict[str, Any]) -> AnyEvent:
    """Type a decrypted message; what cannot be typed becomes UnknownEvent."""
    builder = _builder_for(kind_of(fields))
    if builder is None:
        return misc.UnknownEvent(raw=fields, reason="unknown kind")
    try:
        return builder(fields)
    except EventParseError as exc:
        logger.warning("callback of a known kind could not be typed: %s", exc)
        return misc.UnknownEvent(raw=fields, reason=str(exc))


def parse_event(plaintext: str) -> AnyEvent:
    """Parse decrypted callback XML into its typed event (raises MalformedXML if not XML)."""
    return event_from_fields(parse_fields(plaintext))


def compact(fields: Fields) -> str:
    """A decrypted message's fields as compact JSON, queued beside the XML (issue 13).

    The gateway parsed the XML once; workers rebuild the typed event from this with
    ``event_from_compact`` instead of parsing the XML a second time.
    """
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def event_from_compact(data: str) -> AnyEvent:
    """The typed event of ``compact``'s output (raises ValueError if it is not a JSON object)."""
    fields = json.loads(data)
    if not isinstance(fields, dict):
        raise ValueError("compact event fields are not an object")
    return event_from_fields(fields)
