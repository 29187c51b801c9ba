"""The demo's sidebar scene: 员工 张伟 opens the chat toolbar (聊天工具栏) in the chat with
刘洋, whose message was flagged earlier, and works from the card.

The scene does over HTTP what the page does in WeCom's webview: the page, OAuth2 through the
sandbox's authorize page, both signatures checked by the sandbox as its stand-in JS-SDK
checks them, getCurExternalContact, the card, then a tag, a reminder and a 话术.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

import aiohttp

from bot.demo.stage import Stage
from bot.demo.transcript import render_call, say, say_all, scene, staff
from handlers.intake.backfill import import_customers

STAFF: Final = "zhangwei"
CUSTOMER: Final = "wmDEMOliuyang0001"
SHOWN: Final = "客户 刘洋"
_BOOT: Final = re.compile(r'<script type="application/json" id="boot">(.*?)</script>', re.S)


async def _json(response: aiohttp.ClientResponse) -> Any:
    body = await response.json()
    if not response.ok:
        raise RuntimeError(f"{response.url.path}: HTTP {response.status} {body}")
    return body


async def _handshake(stage: Stage, page_url: str, html: str) -> tuple[str, str]:
    """What the stand-in JS-SDK does: check both signatures, then getCurExternalContact;
    the customer and the page's CSRF token."""
    found = _BOOT.search(html)
    if found is None:
        raise RuntimeError("the sidebar page carries no JS-SDK signatures")
    boot = json.loads(found.group(1))
    for kind, signed in (("config", boot["config"]), ("agentConfig", boot["agent_config"])):
        body = {
            "kind": kind,
            "corpId": boot["corp_id"],
            "agentId": boot["agent_id"],
            "url": page_url,
            **signed,
        }
        checked = await stage.sandbox("POST", "jssdk/verify", body)
        say("WeCom JS-SDK", f"wx.{kind} with siyu's signature → {checked['errMsg']}")
    contact = await stage.sandbox(
        "POST", "jssdk/invoke", {"api": "getCurExternalContact", "url": page_url}
    )
    say("WeCom JS-SDK", f"getCurExternalContact → {contact.get('userId')}")
    return str(contact["userId"]), str(boot["csrf"])


def _card_lines(card: dict[str, Any]) -> list[str]:
    relation = card.get("relation") or {}
    tags = "、".join(tag["name"] for tag in card["tags"]) or "—"
    flags = "; ".join(
        f"{'intent ' if f['kind'] == 'intent' else ''}{f['label']} «{f['excerpt']}»"
        for f in card["flags"]
    )
    channel = relation.get("channel_label") or "—"
    return [
        f"sees {card['customer']['name']}: channel {channel}, tags {tags}",
        f"flagged messages and intents: {flags or '—'}",
        f"{len(card['reminders'])} reminder(s), "
        f"{sum(len(g['replies']) for g in card['quick_replies'])} quick replies in the 话术库",
    ]


async def _act(
    stage: Stage, http: aiohttp.ClientSession, base: str, page_url: str, card: dict[str, Any]
) -> None:
    """Tag, remind, reply: what the staff member does from the card."""
    who = staff(STAFF)
    mine = {tag["id"] for tag in card["tags"]}
    choice = next((t for t in card["tag_choices"] if t["id"] not in mine), None)
    if choice is not None:
        say(who, f"adds the tag {choice['group']}/{choice['name']}")
        await _json(await http.post(f"{base}/tags", json={"add": [choice["id"]]}))
    say(who, "types a reminder «明天上午10点回访»")
    made = await _json(await http.post(f"{base}/reminders", json={"text": "明天上午10点回访"}))
    say("siyu", f"reminder #{made['id']} «{made['text']}» due {made['due'][:16]}")
    say(who, "taps the 话术 «问候»")
    answer = await _json(await http.post(f"{base}/replies/greeting", json={}))
    for message in answer["messages"]:
        invoke = {"api": "sendChatMessage", "url": page_url, "args": message}
        sent = await stage.sandbox("POST", "jssdk/invoke", invoke)
        say("WeCom JS-SDK", f"sendChatMessage({message['msgtype']}) → {sent['err_msg']}")


async def sidebar(stage: Stage) -> None:
    """The sidebar in the chat with a customer flagged earlier."""
    scene("A staff member opens the sidebar (聊天工具栏) in the chat with 刘洋")
    deps = stage.runtime.deps
    say("siyu", f"imports {staff(STAFF)}'s existing customers (siyu customers import)")
    await import_customers(deps, [STAFF])
    await stage.new_calls()  # the import's calls are not part of this scene
    await stage.sandbox("POST", "jssdk/chat", {"userid": STAFF, "external_userid": CUSTOMER})
    page_url = f"{stage.siyu_url}/sidebar/"
    jar = aiohttp.CookieJar(unsafe=True)  # the session cookie of a loopback address
    async with aiohttp.ClientSession(cookie_jar=jar) as http, http.get(page_url) as page:
        say(staff(STAFF), "opens 客户侧边栏; WeCom signs them in (OAuth2 snsapi_base)")
        html = await page.text()
        external, csrf = await _handshake(stage, page_url, html)
        http.headers["X-CSRF-Token"] = csrf
        base = f"{stage.siyu_url}/sidebar/api/customers/{external}"
        card = await _json(await http.get(base))
        for line in _card_lines(card):
            say(staff(STAFF), line)
        await _act(stage, http, base, page_url, card)
    calls = await stage.new_calls()
    say_all([line for call in calls for line in render_call(call, SHOWN)])
    print(f"\n== 侧边栏 (sidebar): {page_url}  as {STAFF} in the chat with {SHOWN}")
    print(
        f"   another chat: POST {stage.sandbox_url}/sandbox/jssdk/chat "
        '{"userid": "...", "external_userid": "..."} (or "chat_id" with /sidebar/group)'
    )
