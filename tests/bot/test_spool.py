"""The local spool: framing, a damaged tail, replay in order with dedup, full → 503."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.app import Role, create_app
from bot.clock import ManualClock
from bot.metrics import Metrics
from bot.queue import EventQueue
from bot.spool import Spool, SpooledCallback, frame, unframe
from bot.spool_replay import Replayer
from bot.store import keys
from bot.store.embedded import EmbeddedRedis
from config.settings import Settings
from tests.conftest import NOW, make_settings
from tests.support.wecom import eventually, signed, text_message

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


def segments(directory: Path) -> list[Path]:
    """The spool files under ``directory``."""
    return sorted(directory.rglob("*.spool"))


def record(n: int, express: bool = False) -> SpooledCallback:
    return SpooledCallback("default", "text", f"msg|{n}", f"<xml>{n}</xml>", express, 1000 + n)


def test_a_truncated_or_damaged_tail_is_skipped_and_the_records_before_it_kept() -> None:
    good = b"".join(frame(record(n).encode()) for n in range(3))
    last = frame(record(3).encode())
    damaged = bytearray(last)
    damaged[-1] ^= 0xFF
    for tail in (last[:5], last[:-1], bytes(damaged), b"\x00" * 40):
        records, intact = unframe(good + tail)
        assert [SpooledCallback.decode(p) for _end, p in records] == [record(n) for n in range(3)]
        assert intact == len(good)


async def test_replay_enqueues_in_order_skips_a_cut_tail_and_drops_duplicates(
    tmp_path: Path, settings: Settings, redis: Redis
) -> None:
    spool = Spool(tmp_path, 1 << 20, owner="dead-process")
    for n in range(5):
        await spool.append(record(n, express=n == 2))
    await spool.append(record(1))  # a WeCom retry spooled too: one entry
    spool.close()
    [segment] = segments(tmp_path)
    with segment.open("ab") as file:  # the crash came in the middle of the next write
        file.write(frame(record(9).encode())[:11])
    queue = EventQueue(redis, settings.wecom.corp_id)
    metrics = Metrics()
    replayer = Replayer(Spool(tmp_path, 1 << 20, owner="next-process"), queue, metrics)

    assert await replayer.replay() == 6
    entries = await queue.peek()
    assert [fields["dedup"] for _id, fields in entries] == [f"msg|{n}" for n in range(5)]
    assert [fields["received_ms"] for _id, fields in entries] == [str(1000 + n) for n in range(5)]
    express = await EventQueue(redis, settings.wecom.corp_id, lane="express").peek()
    assert [fields["dedup"] for _id, fields in express] == ["msg|2"]
    assert not segment.exists()
    text = metrics.render().decode()
    assert 'siyu_spool_replayed_total{result="queued"} 5.0' in text
    assert 'siyu_spool_replayed_total{result="duplicate"} 1.0' in text


async def test_a_live_process_segment_is_not_taken_by_another(
    tmp_path: Path, settings: Settings, redis: Redis
) -> None:
    writer = Spool(tmp_path, 1 << 20, owner="alive")
    await writer.append(record(1))  # active, held under flock by its writer
    other = Replayer(Spool(tmp_path, 1 << 20, owner="other"), EventQueue(redis, "x"), Metrics())
    assert await other.replay() == 0
    assert writer.pending
    own = Replayer(writer, EventQueue(redis, settings.wecom.corp_id), Metrics())
    assert await own.replay() == 1
    assert not writer.pending
    assert writer.oldest_ms is None
    assert segments(tmp_path) == []


async def test_a_rotated_segment_stays_its_writers_until_its_own_replayer_takes_it(
    tmp_path: Path, settings: Settings, redis: Redis
) -> None:
    """Between a rotation and its own replayer, another live process's replayer could take
    the segment and replay it beside the writer's next one, out of order (a Redis outage at
    200 callbacks/s showed it); the writer keeps the lock until its replayer takes it."""
    writer = Spool(tmp_path, 1 << 20, owner="alive")
    await writer.append(record(1))
    await writer.rotate()  # closed, waiting for its own replayer
    other = Replayer(Spool(tmp_path, 1 << 20, owner="other"), EventQueue(redis, "x"), Metrics())
    assert await other.replay() == 0
    assert await EventQueue(redis, "x").peek() == []
    own = Replayer(writer, EventQueue(redis, settings.wecom.corp_id), Metrics())
    assert await own.replay() == 1
    assert segments(tmp_path) == []
    writer.close()


def outage_settings(url: str, spool_dir: Path, **spool: object) -> Settings:
    spooling = {"dir": str(spool_dir), "replay_interval_seconds": 0.05, **spool}
    return make_settings(url, redis={"url": url, "timeout_seconds": 0.2}, spool=spooling)


async def test_redis_down_under_a_stream_of_callbacks_no_5xx_and_none_lost(
    aiohttp_client: ClientFactory, clock: ManualClock, tmp_path: Path
) -> None:
    server = EmbeddedRedis(tmp_path / "redis", appendfsync="always")
    url = server.start()
    check = Redis.from_url(url, decode_responses=True)
    try:
        settings = outage_settings(url, tmp_path / "spool")
        client = await aiohttp_client(create_app(settings, role=Role.GATEWAY, clock=clock))
        sent: list[str] = []
        statuses: list[int] = []

        async def deliver(n: int) -> None:
            callback = signed(settings, text_message(settings, f"第{n}条", msg_id=5_000_000 + n))
            response = await client.post(
                "/wecom/callback", params=callback.query, data=callback.body
            )
            statuses.append(response.status)
            sent.append(f"5{n:06d}")

        for n in range(10):
            await deliver(n)
        server.kill()
        for n in range(10, 60):
            await deliver(n)
        metrics = await (await client.get("/metrics")).text()
        assert "siyu_spooled_total 50.0" in metrics
        assert "siyu_spool_bytes 0.0" not in metrics
        clock.advance(timedelta(seconds=30))
        metrics = await (await client.get("/metrics")).text()
        assert "siyu_spool_oldest_age_seconds 30.0" in metrics
        server.start()
        for n in range(60, 80):  # Redis back, replay under way: still in order
            await deliver(n)
        assert set(statuses) == {200}

        async def all_queued() -> bool:
            return int(await check.xlen(keys.events(settings.wecom.corp_id))) == 80

        await eventually(all_queued, timeout=20)
        entries = await EventQueue(check, settings.wecom.corp_id).peek(count=200)
        order = [fields["dedup"].split("|")[-1] for _id, fields in entries]
        assert [int(msg_id) - 5_000_000 for msg_id in order] == list(range(80))
        metrics = await (await client.get("/metrics")).text()
        assert "siyu_spool_bytes 0.0" in metrics
        assert "siyu_spool_oldest_age_seconds 0.0" in metrics
    finally:
        await check.aclose()
        server.stop()


async def test_a_full_spool_answers_503_so_wecom_retries(
    aiohttp_client: ClientFactory, clock: ManualClock, tmp_path: Path
) -> None:
    server = EmbeddedRedis(tmp_path / "redis")
    url = server.start()
    try:
        settings = outage_settings(url, tmp_path / "spool", max_bytes=4096)
        client = await aiohttp_client(create_app(settings, role=Role.GATEWAY, clock=clock))
        server.kill()
        statuses = []
        for n in range(12):  # each record is ~500 bytes
            callback = signed(settings, text_message(settings, f"第{n}条"))
            response = await client.post(
                "/wecom/callback", params=callback.query, data=callback.body
            )
            statuses.append(response.status)
        assert statuses[0] == 200
        assert statuses[-1] == 503
        assert set(statuses) == {200, 503}
        metrics = await (await client.get("/metrics")).text()
        assert 'siyu_callbacks_total{app="default",result="spool_full"}' in metrics
        segment_bytes = sum(p.stat().st_size for p in segments(tmp_path / "spool"))
        assert segment_bytes <= 4096
    finally:
        server.stop()


async def test_a_spooled_entry_keeps_its_accept_time(
    aiohttp_client: ClientFactory, clock: ManualClock, tmp_path: Path
) -> None:
    """Handlers judge a welcome by the event's age: a late replay must not look fresh."""
    server = EmbeddedRedis(tmp_path / "redis")
    url = server.start()
    check = Redis.from_url(url, decode_responses=True)
    try:
        settings = outage_settings(url, tmp_path / "spool")
        client = await aiohttp_client(create_app(settings, role=Role.GATEWAY, clock=clock))
        server.kill()
        callback = signed(settings, text_message(settings, "late"))
        response = await client.post("/wecom/callback", params=callback.query, data=callback.body)
        assert response.status == 200
        server.start()

        async def queued() -> bool:
            return int(await check.xlen(keys.events(settings.wecom.corp_id))) == 1

        await eventually(queued, timeout=10)
        [(_id, fields)] = await EventQueue(check, settings.wecom.corp_id).peek()
        assert int(fields["received_ms"]) == int(NOW.timestamp() * 1000)
    finally:
        await check.aclose()
        server.stop()
