"""The demo's 微信客服 scene: a customer chats with the bot and ends up with a human.

The customer opens the KF link from a poster (the bot's welcome and its menu), asks the
price in their own words (the FAQ answer), taps a menu item (its answer), asks for a human
(the session goes to 李娜, on duty, who is told why), then writes again: the bot is silent
while 李娜 serves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from bot.demo.stage import Stage
from bot.demo.transcript import say, scene, staff

KF: Final = "wkDEMOkf0001"
GUEST: Final = "wmDEMOkfguest0001"
GUEST_NAME: Final = "客户 小周 (微信客服)"
SERVICER: Final = "lina"
_ROUTE: Final = f"kf/{KF}/customers/{GUEST}"


def bot_line(body: Mapping[str, Any]) -> str:
    """What a kf/send_msg(_on_event) body says, as the customer sees it."""
    kind = str(body.get("msgtype", ""))
    if kind == "msgmenu":
        menu = body["msgmenu"]
        labels = " | ".join(str(item["click"]["content"]) for item in menu.get("list", []))
        return f"«{menu.get('head_content', '')}» [{labels}]"
    if kind == "text":
        return f"«{body['text'].get('content', '')}»"
    return f"a {kind} ({body.get(kind, {}).get('title', '')})".replace(" ()", "")


async def _narrate(stage: Stage) -> int:
    """Say what siyu did with WeCom since the last look (KF replies, handoff, the note);
    how many replies the customer got."""
    await stage.settle()
    replies = 0
    for call in await stage.new_calls():
        api, body = call["api"], call["body"]
        if api in {"kf/send_msg", "kf/send_msg_on_event"} and call["response"]["errcode"] == 0:
            say("siyu bot", bot_line(body))
            replies += 1
        elif api == "kf/service_state/trans":
            to = staff(body["servicer_userid"]) if body.get("servicer_userid") else "the pool"
            say("siyu", f"hands the session to {to} (kf/service_state/trans, state 3)")
        elif api == "message/send" and body.get("touser") == SERVICER:
            note = str(body.get("text", {}).get("content", ""))
            say(staff(SERVICER), f"is told: {note}")
    return replies


async def _customer(stage: Stage, what: str, body: Mapping[str, Any], line: str) -> int:
    say(GUEST_NAME, line)
    await stage.sandbox("POST", f"{_ROUTE}/{what}", body)
    return await _narrate(stage)


async def customer_chats_with_the_bot(stage: Stage) -> None:
    """A 微信客服 customer gets answers from the bot, then asks for a human."""
    scene("A customer chats with the 微信客服 bot, then asks for a person")
    await stage.new_calls()  # what came before is not this story's
    await stage.sandbox("POST", f"kf/{KF}/servicers", {"userid": SERVICER})
    say(staff(SERVICER), "is on duty as a 微信客服 servicer")
    await _customer(stage, "enter", {"scene": "poster"}, "opens the 微信客服 link on a poster")
    await _customer(stage, "message", {"text": "你们家年卡怎么卖"}, "asks «你们家年卡怎么卖»")
    await _customer(stage, "tap", {"menu_id": "address"}, "taps 「门店地址」 in the menu")
    await _customer(stage, "message", {"text": "我想找人工聊聊"}, "writes «我想找人工聊聊»")
    if not await _customer(stage, "message", {"text": "你好，在吗？"}, "writes «你好，在吗？»"):
        say("siyu bot", f"stays silent: {staff(SERVICER)} serves the customer now")
