"""The demo's transcript: who saw what, in plain words, one actor per line."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from bot.sandbox.seed import STAFF

STAFF_NAMES: Final = dict(STAFF)
_WIDTH: Final = 14
_WIDE_FROM: Final = 0x2E80  # CJK characters take two terminal columns


def staff(userid: str) -> str:
    """A staff member's label."""
    name = STAFF_NAMES.get(userid, userid)
    return f"经理 {name}" if userid == "manager" else f"员工 {name}"


def say(actor: str, line: str) -> None:
    """Print one line of the transcript."""
    pad = _WIDTH - sum(2 if ord(ch) >= _WIDE_FROM else 1 for ch in actor)
    indent = "\n" + " " * (2 + _WIDTH)
    print(f"  {actor}{' ' * max(pad, 1)}{line.replace(chr(10), indent)}")


def scene(title: str) -> None:
    """Start a scene."""
    print(f"\n== {title}")


def _card_text(card: Mapping[str, Any]) -> str:
    title = card.get("main_title", {}).get("title", "")
    desc = card.get("main_title", {}).get("desc") or card.get("sub_title_text", "")
    buttons = [b.get("text", "") for b in card.get("button_list", [])]
    shown = f"«{title}» {desc}".strip()
    return f"{shown} [{' | '.join(buttons)}]" if buttons else shown


def _message_text(body: Mapping[str, Any]) -> str:
    kind = str(body.get("msgtype", ""))
    content = body.get(kind, {})
    if kind == "template_card":
        return f"a card: {_card_text(content)}"
    if kind in {"text", "markdown"}:
        return f"«{content.get('content', '')}»"
    if kind == "textcard":
        return f"«{content.get('title', '')}» {content.get('description', '')}"
    return f"a {kind} message"


Body = Mapping[str, Any]


def _welcome(body: Body, customer: str) -> list[tuple[str, str]]:
    text = body.get("text", {}).get("content", "")
    extra = len(body.get("attachments", []))
    more = f" + {extra} attachment(s)" if extra else ""
    return [(customer, f"receives the welcome «{text}»{more}")]


def _app_message(body: Body, customer: str) -> list[tuple[str, str]]:
    users = str(body.get("touser", "")).split("|")
    return [(staff(userid), f"gets in the siyu app {_message_text(body)}") for userid in users]


def _card_update(body: Body, customer: str) -> list[tuple[str, str]]:
    return [("siyu", f"updates the card: «{body.get('button', {}).get('replace_name', '')}»")]


def _tagging(body: Body, customer: str) -> list[tuple[str, str]]:
    tags = ", ".join(body.get("add_tag", []))
    return [("siyu", f"tags {body.get('external_userid')} with {tags}")]


def _new_tag(body: Body, customer: str) -> list[tuple[str, str]]:
    names = ", ".join(tag.get("name", "") for tag in body.get("tag", []))
    return [("siyu", f"creates the corp tag {body.get('group_name', '')}/{names}")]


def _kf_reply(body: Body, customer: str) -> list[tuple[str, str]]:
    return [(customer, f"gets a reply from customer service {_message_text(body)}")]


def _group_send(body: Body, customer: str) -> list[tuple[str, str]]:
    count = len(body.get("external_userid", [])) or len(body.get("chat_id_list", []))
    sender = staff(str(body.get("sender", "")))
    return [("siyu", f"prepares the group send in WeCom for {sender}: {count} recipient(s)")]


def _siyu_does(what: str) -> Callable[[Body, str], list[tuple[str, str]]]:
    return lambda _body, _customer: [("siyu", what)]


_RENDERERS: Final[dict[str, Callable[[Body, str], list[tuple[str, str]]]]] = {
    "externalcontact/send_welcome_msg": _welcome,
    "message/send": _app_message,
    "message/update_template_card": _card_update,
    "externalcontact/mark_tag": _tagging,
    "externalcontact/add_corp_tag": _new_tag,
    "kf/send_msg": _kf_reply,
    "externalcontact/get": _siyu_does("looks up the customer's profile"),
    "externalcontact/get_corp_tag_list": _siyu_does("reads the corp's tag catalogue"),
    "kf/sync_msg": _siyu_does("pulls the new customer-service messages"),
    "externalcontact/add_msg_template": _group_send,
    "externalcontact/get_groupmsg_task": _siyu_does("asks WeCom who has sent"),
    "externalcontact/get_groupmsg_send_result": _siyu_does("asks WeCom who received it"),
    "externalcontact/get_groupmsg_list_v2": _siyu_does("lists the group sends in WeCom"),
    "externalcontact/remind_groupmsg_send": _siyu_does("asks WeCom to remind the sender too"),
    "externalcontact/batch/get_by_user": _siyu_does("reads the staff's customers"),
    "gettoken": lambda _body, _customer: [],
}


def render_call(call: Mapping[str, Any], customer: str) -> list[tuple[str, str]]:
    """What one WeCom API call of siyu meant to the people involved: (actor, line) pairs."""
    api, body = str(call["api"]), call.get("body") or {}
    errcode = (call.get("response") or {}).get("errcode", 0)
    failed = f" (WeCom answered {errcode})" if errcode else ""
    render = _RENDERERS.get(api, _siyu_does(f"calls WeCom {api}"))
    return [(actor, line + failed) for actor, line in render(body, customer)]


def say_all(lines: list[tuple[str, str]]) -> None:
    """Say each line once; repeats in a row become one line with a count."""
    index = 0
    while index < len(lines):
        repeats = 1
        while index + repeats < len(lines) and lines[index + repeats] == lines[index]:
            repeats += 1
        actor, line = lines[index]
        say(actor, f"{line} (×{repeats})" if repeats > 1 else line)
        index += repeats
