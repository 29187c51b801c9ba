"""The KF puller against the sandbox: cursor persisted, has_more followed, msgid dedup,
one puller per account; and the msg_list items it understands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis

from bot.events import parse_event
from bot.events.chat_messages import ChatMessageEvent
from bot.events.conversation import Conversation, Role, Source
from bot.queue import EventQueue
from bot.store import keys
from bot.store.locks import Lock
from handlers.conversations.kf import KfPuller, message_from_kf, servicer_of, token_usable
from tests.bot.wecom.conftest import Harness

KF = "wkDEMOkf0001"
CUSTOMER = "wmDEMOliuyang0001"


def puller(harness: Harness, redis: Redis, page_size: int = 1000) -> KfPuller:
    corp = harness.settings.wecom.corp_id
    return KfPuller(
        harness.api.kf, EventQueue(redis, corp), redis, corp, "default", page_size=page_size
    )


async def write(harness: Harness, *texts: str) -> str:
    token = ""
    for text in texts:
        done = await harness.sandbox.control(
            "POST", f"kf/{KF}/customers/{CUSTOMER}/message", {"text": text}
        )
        token = str(done["token"])
    return token


async def queued(harness: Harness, redis: Redis) -> list[ChatMessageEvent]:
    entries = await EventQueue(redis, harness.settings.wecom.corp_id).peek(1000)
    events = [parse_event(fields["xml"]) for _, fields in entries]
    return [event for event in events if isinstance(event, ChatMessageEvent)]


async def test_texts_are_queued_once_and_the_cursor_is_persisted(
    harness: Harness, redis: Redis
) -> None:
    token = await write(harness, "你好", "这个多少钱呀")
    report = await puller(harness, redis).pull(KF, token)
    assert (report.pages, report.queued, report.duplicates) == (1, 2, 0)
    messages = [event.message for event in await queued(harness, redis)]
    assert [m.text for m in messages] == ["你好", "这个多少钱呀"]
    assert {(m.source, m.role, m.sender) for m in messages} == {
        (Source.KF, Role.CUSTOMER, CUSTOMER)
    }
    assert messages[0].conversation == Conversation(customer=CUSTOMER, open_kfid=KF)
    cursor = await redis.get(keys.kf_cursor(harness.settings.wecom.corp_id, KF))
    assert cursor

    token = await write(harness, "还在吗")
    again = await puller(harness, redis).pull(KF, token)
    assert (again.queued, again.duplicates) == (1, 0), "only what came after the cursor"
    assert await redis.get(keys.kf_cursor(harness.settings.wecom.corp_id, KF)) != cursor


async def test_pages_are_followed_while_has_more(harness: Harness, redis: Redis) -> None:
    token = await write(harness, *(f"第{n}条" for n in range(5)))
    report = await puller(harness, redis, page_size=2).pull(KF, token)
    assert (report.pages, report.queued) == (3, 5)
    assert [e.message.text for e in await queued(harness, redis)] == [f"第{n}条" for n in range(5)]


async def test_a_lost_cursor_rereads_but_queues_nothing_twice(
    harness: Harness, redis: Redis
) -> None:
    token = await write(harness, "a", "b")
    await puller(harness, redis).pull(KF, token)
    await redis.delete(keys.kf_cursor(harness.settings.wecom.corp_id, KF))
    report = await puller(harness, redis).pull(KF, token)
    assert (report.queued, report.duplicates) == (0, 2)
    assert len(await queued(harness, redis)) == 2


async def test_a_pull_under_way_is_asked_to_read_again(harness: Harness, redis: Redis) -> None:
    corp = harness.settings.wecom.corp_id
    token = await write(harness, "a")
    other = Lock(redis, keys.kf_pull_lock(corp, KF))
    assert await other.take_or_mark(keys.kf_pull_dirty(corp, KF))
    report = await puller(harness, redis).pull(KF, token)
    assert report.busy and report.pages == 0
    assert await redis.exists(keys.kf_pull_dirty(corp, KF)), "the holder will look again"
    assert not await other.release_if_clean(keys.kf_pull_dirty(corp, KF)), "and it does"


def item(origin: int, **fields: Any) -> dict[str, Any]:
    return {
        "msgid": "m1",
        "open_kfid": KF,
        "external_userid": CUSTOMER,
        "send_time": 1_800_000_000,
        "origin": origin,
        "msgtype": "text",
        "text": {"content": "您好"},
        **fields,
    }


def test_a_servicer_message_is_staff_side() -> None:
    message = message_from_kf(item(5, servicer_userid="zhangwei"))
    assert message is not None
    assert (message.role, message.sender, message.staff, message.customer) == (
        Role.STAFF,
        "zhangwei",
        "zhangwei",
        CUSTOMER,
    )
    assert message.sent_at == datetime.fromtimestamp(1_800_000_000, tz=UTC)
    assert message.key == "kf:m1"


def test_a_customer_message_is_to_the_current_servicer() -> None:
    message = message_from_kf(item(3), servicer="lina")
    assert message is not None
    assert (message.role, message.sender, message.staff) == (Role.CUSTOMER, CUSTOMER, "lina")


def test_what_is_not_a_text_is_skipped() -> None:
    assert message_from_kf(item(3, msgtype="image", image={"media_id": "x"})) is None
    assert message_from_kf(item(4, msgtype="event", event={"event_type": "enter_session"})) is None
    assert message_from_kf(item(3, text={"content": ""})) is None


def test_servicers_come_from_their_messages_and_session_changes() -> None:
    assert servicer_of(item(5, servicer_userid="zhangwei")) == "zhangwei"
    change = {
        "event_type": "session_status_change",
        "change_type": 3,
        "old_servicer_userid": "zhangwei",
        "new_servicer_userid": "lina",
    }
    assert servicer_of(item(4, msgtype="event", event=change)) == "lina"
    assert servicer_of(item(3)) is None


def test_the_token_is_used_while_it_is_valid() -> None:
    sent = datetime(2026, 11, 24, 10, tzinfo=UTC)
    assert token_usable(sent, sent + timedelta(minutes=5))
    assert not token_usable(sent, sent + timedelta(minutes=11))
