"""The plaintext fields of each callback the sandbox emits, as WeCom writes them (spec §2)."""

from __future__ import annotations

from datetime import datetime

from bot.sandbox.emitter import Fields

CONTACT_EVENT = "change_external_contact"
CHAT_EVENT = "change_external_chat"


def _base(corp_id: str, now: datetime, from_user: str, msg_type: str) -> dict[str, str | int]:
    return {
        "ToUserName": corp_id,
        "FromUserName": from_user,
        "CreateTime": int(now.timestamp()),
        "MsgType": msg_type,
    }


def contact_change(
    corp_id: str,
    now: datetime,
    change_type: str,
    userid: str,
    external_userid: str,
    **extra: str,
) -> Fields:
    """A change_external_contact event (docs 92130, 92277); no AgentID, FromUserName ``sys``."""
    fields: dict[str, str | int | list[str]] = {
        **_base(corp_id, now, "sys", "event"),
        "Event": CONTACT_EVENT,
        "ChangeType": change_type,
        "UserID": userid,
        "ExternalUserID": external_userid,
    }
    fields.update(extra)
    return fields


def chat_member_change(
    corp_id: str,
    now: datetime,
    chat_id: str,
    *,
    detail: str,
    scene: int,
    members: list[str],
    versions: tuple[int, int],
) -> Fields:
    """change_external_chat/update with add_member (JoinScene) or del_member (QuitScene)."""
    scene_field = "JoinScene" if detail == "add_member" else "QuitScene"
    return {
        **_base(corp_id, now, "sys", "event"),
        "Event": CHAT_EVENT,
        "ChatId": chat_id,
        "ChangeType": "update",
        "UpdateDetail": detail,
        scene_field: scene,
        "MemChangeCnt": len(members),
        "MemChangeList": list(members),
        "LastMemVer": str(versions[0]),
        "CurMemVer": str(versions[1]),
    }


def chat_created(corp_id: str, now: datetime, chat_id: str) -> Fields:
    """change_external_chat create (doc 92130)."""
    return {
        **_base(corp_id, now, "sys", "event"),
        "Event": CHAT_EVENT,
        "ChatId": chat_id,
        "ChangeType": "create",
    }


def app_text(
    corp_id: str, now: datetime, userid: str, text: str, *, msg_id: int, agent_id: int
) -> Fields:
    """A member's text message to an app (doc 90375)."""
    return {
        **_base(corp_id, now, userid, "text"),
        "Content": text,
        "MsgId": msg_id,
        "AgentID": agent_id,
    }


def kf_notice(corp_id: str, now: datetime, token: str, open_kfid: str) -> Fields:
    """kf_msg_or_event (doc 94670): only a Token and the OpenKfId; content via kf/sync_msg."""
    return {  # no FromUserName in this event (spec §2 sketch)
        "ToUserName": corp_id,
        "CreateTime": int(now.timestamp()),
        "MsgType": "event",
        "Event": "kf_msg_or_event",
        "Token": token,
        "OpenKfId": open_kfid,
    }


def template_card_click(
    corp_id: str,
    now: datetime,
    userid: str,
    *,
    card: tuple[str, str],
    event_key: str,
    response_code: str,
    agent_id: int,
) -> Fields:
    """template_card_event (doc 90240): a member pressed a button of an interactive card.

    ``card`` is (task_id, card_type).
    """
    return {
        **_base(corp_id, now, userid, "event"),
        "Event": "template_card_event",
        "EventKey": event_key,
        "TaskId": card[0],
        "CardType": card[1],
        "ResponseCode": response_code,
        "AgentID": agent_id,
    }
