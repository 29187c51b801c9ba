"""The demo's scenes: each plays one moment through the sandbox and narrates what happened."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.callbacks import SignedCallback, message_xml, sign_callback
from bot.cli.doctor import diagnose
from bot.crypto import CallbackCrypto
from bot.demo import campaign_story as story
from bot.demo import sidebar_scene
from bot.demo.kf_story import customer_chats_with_the_bot
from bot.demo.stage import Stage
from bot.demo.transcript import render_call, say, say_all, scene, staff
from handlers.tasks import service

NEW_CUSTOMER: Final = "wmDEMOchenjing0006"
SHANGHAI: Final = ZoneInfo("Asia/Shanghai")


async def _narrate_calls(stage: Stage, customer: str) -> None:
    calls = await stage.new_calls()
    say_all([line for call in calls for line in render_call(call, customer)])
    if not any(call["api"] != "gettoken" for call in calls):
        say("siyu", "has nothing to do with WeCom for this (yet)")


async def _deliveries_since(stage: Stage, seq: int) -> list[dict[str, object]]:
    found: list[dict[str, object]] = await stage.sandbox("GET", f"deliveries?since={seq}")
    return found


async def _last_delivery(stage: Stage) -> int:
    found = await _deliveries_since(stage, 0)
    return max((int(str(d["seq"])) for d in found), default=0)


def _callback_counts(stage: Stage) -> dict[str, int]:
    registry = stage.runtime.metrics.registry
    return {
        result: int(
            registry.get_sample_value("siyu_callbacks_total", {"app": "default", "result": result})
            or 0
        )
        for result in ("accepted", "duplicate", "bad_signature", "stale", "malformed")
    }


async def setup_check(stage: Stage) -> None:
    """siyu doctor against the sandbox and siyu's own callback URL."""
    scene("Setting up: siyu doctor checks the WeCom configuration")
    for finding in await diagnose(stage.settings, f"{stage.siyu_url}/wecom/callback"):
        say("siyu doctor", finding.line())
    await stage.new_calls()  # doctor's own calls are not part of the story


async def customer_arrives(stage: Stage) -> None:
    """A new customer scans a live code; WeCom delivers the event three times."""
    scene("A customer arrives through a channel live code")
    mark = await _last_delivery(stage)
    before = _callback_counts(stage)
    scan = {"customer": NEW_CUSTOMER, "duplicates": 2}
    added = await stage.sandbox("POST", "contact_ways/cwDEMOposter/scan", scan)
    customer = f"客户 {added['customer']['name']}"
    stage.cast[NEW_CUSTOMER] = customer
    say(customer, f"scans the 海报 (poster) live code and adds {staff(added['staff'])}")
    await stage.settle()
    copies = await _deliveries_since(stage, mark)
    statuses = ", ".join(str(d["status"]) for d in copies)
    say("WeCom", f"delivers add_external_contact {len(copies)} times (a retry storm): {statuses}")
    after = _callback_counts(stage)
    accepted, duplicates = (after[k] - before[k] for k in ("accepted", "duplicate"))
    say("siyu", f"queued it {accepted} time(s); recognised {duplicates} duplicate(s)")
    await _narrate_calls(stage, customer)


async def staff_sets_a_reminder(stage: Stage) -> None:
    """A staff member asks for a reminder in the chat, gets it when due, and ticks it off."""
    scene("A staff member asks siyu for a reminder, in plain Chinese")
    command = "30分钟后提醒我给刘洋发报价"
    say(staff("zhangwei"), f"writes to the siyu app «{command}»")
    await stage.sandbox("POST", "staff/zhangwei/message", {"text": command})
    await stage.wait_for_calls("message/send", 1)
    await stage.settle()
    await _narrate_calls(stage, "")
    say("(clock)", "half an hour passes")
    mark = stage.outbox_seq
    await stage.advance(30 * 60)
    await stage.wait_for_calls("message/send", 1)
    await stage.settle()
    cards = [
        c
        for c in await stage.sandbox("GET", f"outbox?api=message/send&since={mark}")
        if c["body"].get("msgtype") == "template_card"
    ]
    await _narrate_calls(stage, "")
    if cards:
        task_id = cards[0]["body"]["template_card"]["task_id"]
        say(staff("zhangwei"), "taps 完成 (done) on the card")
        await stage.sandbox(
            "POST", "staff/zhangwei/card_click", {"task_id": task_id, "event_key": "done"}
        )
        await stage.wait_for_calls("message/update_template_card", 1)
        await stage.settle()
        await _narrate_calls(stage, "")


async def customer_tries_to_move_off_platform(stage: Stage) -> None:
    """A customer writes a disguised personal-WeChat invitation; the manager is alerted."""
    scene("A customer tries to take the conversation to a personal WeChat, disguised")
    customer = "客户 刘洋"
    text = "这里不方便，加我薇 信 liuyang88 详聊"
    say(customer, f"writes to 微信客服 «{text}»")
    route = "kf/wkDEMOkf0001/customers/wmDEMOliuyang0001/message"
    await stage.sandbox("POST", route, {"text": text})
    await stage.wait_for_calls("message/send", 1)
    await stage.settle()
    await _narrate_calls(stage, customer)
    price = "这个多少钱呀"
    say(customer, f"then asks «{price}»")
    await stage.sandbox("POST", route, {"text": price})
    await stage.wait_for_calls("message/send", 1)
    await stage.settle()
    await _narrate_calls(stage, customer)


async def campaign(stage: Stage) -> None:
    """Headquarters' group task: staff confirm, a laggard is reminded, then 100%."""
    scene("Headquarters runs a campaign that every salesperson must send")
    deps = stage.runtime.deps
    say(staff("manager"), f"creates the group task «{story.DEMO_TEXT}» for every customer")
    task_id = await story.launch(deps)
    await stage.settle()
    await _narrate_calls(stage, "")
    ids = await story.msgids(deps, task_id)
    for userid in ("zhangwei", "lina"):
        say(staff(userid), "confirms the group send in WeCom")
        await stage.sandbox("POST", f"groupmsg/{ids[userid]}/confirm", {"staff": userid})
    later = await story.reminder_time(deps, task_id)
    say("(clock)", f"siyu checks again at {later.astimezone(SHANGHAI):%m-%d %H:%M}")
    say("siyu", f"→ {await story.check(deps, task_id, later)}")
    await _narrate_calls(stage, "")
    say(staff("wangfang"), "confirms the group send too")
    await stage.sandbox("POST", f"groupmsg/{ids['wangfang']}/confirm", {"staff": "wangfang"})
    say("siyu", f"→ {await story.check(deps, task_id, later + timedelta(minutes=10))}")
    await _narrate_calls(stage, "")
    for line in story.progress_lines(await service.state(deps, task_id), deps):
        if line.strip():
            say("tasks show", line)


async def customer_leaves(stage: Stage) -> None:
    """The customer who arrived earlier deletes the staff member."""
    customer = stage.cast.get(NEW_CUSTOMER, "客户")
    scene("A day later, the new customer leaves")
    await stage.advance(24 * 3600)
    say(customer, "deletes 员工 张伟 from their WeChat contacts")
    await stage.sandbox("POST", f"customers/{NEW_CUSTOMER}/delete", {"staff": "zhangwei"})
    await stage.settle()
    await _narrate_calls(stage, customer)


def _stranger_callbacks(stage: Stage) -> list[tuple[str, SignedCallback]]:
    app = stage.sandbox_config.apps["default"]
    corp = stage.sandbox_config.corp_id
    real = CallbackCrypto.create(app.token, app.encoding_aes_key, corp)
    forger = CallbackCrypto.create("not-the-token", "A" * 43, corp)
    now = int(time.time())
    xml = message_xml(
        {
            "ToUserName": corp,
            "FromUserName": "zhangwei",
            "CreateTime": now,
            "MsgType": "text",
            "Content": "转账给我",
            "MsgId": 7399999999999999999,
            "AgentID": app.agent_id,
        }
    )
    broken = SignedCallback(sign_callback(real, xml, now).query, b"<xml><Encrypt>oops")
    return [
        ("forges a callback without the token", sign_callback(forger, xml, now)),
        ("replays a callback captured 10 minutes ago", sign_callback(real, xml, now - 600)),
        ("sends a broken body", broken),
    ]


async def defences(stage: Stage) -> None:
    """Callbacks that are not WeCom's are refused and nothing is queued."""
    scene("Someone who is not WeCom tries the callback URL")
    before = await stage.runtime.queue.stats()
    for what, callback in _stranger_callbacks(stage):
        url = f"{stage.siyu_url}/wecom/callback"
        async with stage.session.post(url, params=callback.query, data=callback.body) as response:
            say("stranger", f"{what} → siyu answers HTTP {response.status}")
    after = await stage.runtime.queue.stats()
    queued = after.length - before.length
    say("siyu", f"queued {queued} of them; WeCom's real callbacks are unaffected")


async def summary(stage: Stage) -> None:
    """What siyu's metrics say at the end."""
    scene("At the end")
    for result, value in _callback_counts(stage).items():
        say("siyu /metrics", f'siyu_callbacks_total{{result="{result}"}} = {value}')
    stats = await stage.runtime.queue.stats()
    say("siyu", f"queue: {stats.length} waiting, {stats.pending} in flight, {stats.dead} dead")


SCENES: Final = (
    setup_check,
    customer_arrives,
    staff_sets_a_reminder,
    customer_tries_to_move_off_platform,
    sidebar_scene.sidebar,
    customer_chats_with_the_bot,
    campaign,
    customer_leaves,
    defences,
    summary,
)
