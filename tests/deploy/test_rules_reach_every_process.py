"""Rules as data on a real deployment: one gateway and two worker processes. A keyword added
and a welcome changed through the admin API take effect in every worker within 2 s, with no
restart: afterwards every message with the keyword is flagged and every welcome carries the
new text, and each worker process (its own /metrics) handled some of them."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.app import Role, create_app
from bot.queue import EventQueue
from bot.store import keys
from tests.support.processes import start_siyu, write_config
from tests.support.sandboxed import ClientFactory, sandbox_and_settings
from tests.support.wecom import eventually

TOKEN = "propagation-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
KEYWORD = "蓝莓果冻暗号"
WELCOME = "欢迎{customer_name}，这是刚改的欢迎语"
MESSAGES = 24
ADDS = 12
HITS = "siyu_sensitive_hits_total"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def metric(session: aiohttp.ClientSession, port: int, name: str, **labels: str) -> float:
    """One sample of a worker process's /metrics (0 when absent)."""
    async with session.get(f"http://127.0.0.1:{port}/metrics") as answer:
        text = await answer.text()
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    found = re.search(rf"^{name}\{{{re.escape(wanted)}\}} ([0-9.e+]+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def put_rules(admin: TestClient[Any, Any], name: str, change: Any) -> None:
    """GET a rule set, change it, PUT it back at the version read."""
    got = await admin.get(f"/api/v1/rules/{name}", headers=AUTH)
    assert got.status == 200, await got.text()
    document = (await got.json())["document"]
    change(document)
    put = await admin.put(
        f"/api/v1/rules/{name}", json=document, headers={**AUTH, "If-Match": got.headers["ETag"]}
    )
    assert put.status == 200, await put.text()


async def test_a_keyword_and_a_welcome_changed_through_the_api_reach_both_workers_in_2_s(
    aiohttp_client: ClientFactory, redis_url: str, redis: Redis, tmp_path: Path
) -> None:
    sandbox, settings = await sandbox_and_settings(
        aiohttp_client,
        redis_url,
        admin={"token": TOKEN},
        queue={"consumers": 1, "batch_size": 1, "block_ms": 100},
    )
    gateway = await aiohttp_client(create_app(settings, role=Role.GATEWAY))
    admin = await aiohttp_client(create_app(settings, role=Role.ADMIN))
    answer = await sandbox.post(
        "/sandbox/callback_url",
        json={"app": "default", "url": str(gateway.make_url("/wecom/callback"))},
    )
    assert answer.status == 200, await answer.text()
    ports = [free_port(), free_port()]
    workers = [
        await start_siyu(
            "serve",
            "--config",
            str(write_config(settings, tmp_path / f"worker{n}.toml", observability_port=port)),
            "--role",
            "worker",
        )
        for n, port in enumerate(ports)
    ]
    queue = EventQueue(redis, settings.wecom.corp_id)
    try:
        async with aiohttp.ClientSession() as session:

            async def both_consuming() -> bool:
                try:
                    for port in ports:
                        async with session.get(f"http://127.0.0.1:{port}/healthz") as up:
                            if up.status != 200:
                                return False
                    groups = await redis.xinfo_groups(keys.events(settings.wecom.corp_id))
                except (aiohttp.ClientError, RedisError):  # not up yet
                    return False
                return bool(groups) and int(groups[0]["consumers"]) >= 2

            await eventually(both_consuming, timeout=30)
            await sandbox.post(  # each worker compiles the word lists before the change
                "/sandbox/staff/zhangwei/message", json={"text": "改之前的一条消息"}
            )
            await put_rules(
                admin,
                "keywords",
                lambda doc: doc["files"].update(
                    {"sensitive/fraud.txt": doc["files"]["sensitive/fraud.txt"] + f"\n{KEYWORD}\n"}
                ),
            )
            await put_rules(
                admin,
                "intake",
                lambda doc: doc["channels"]["poster_a"]["welcome"].update({"text": WELCOME}),
            )
            changed = time.monotonic()
            await asyncio.sleep(2.0)  # the bound: from here on, every process has the change

            for n in range(MESSAGES):
                await sandbox.post(
                    "/sandbox/staff/zhangwei/message", json={"text": f"第{n}条：{KEYWORD}"}
                )
            for n in range(ADDS):
                await sandbox.post(
                    f"/sandbox/customers/wmPROP{n:04d}/add",
                    json={"staff": "zhangwei", "state": "ch_poster_a"},
                )

            async def drained() -> bool:
                stats = await queue.stats()
                return stats.length == 0 and stats.pending == 0

            await eventually(drained, timeout=60)
            hits = [
                await metric(
                    session, port, "siyu_sensitive_hits_total", category="fraud", role="staff"
                )
                for port in ports
            ]
            sent = [
                await metric(session, port, "siyu_welcome_total", outcome="sent") for port in ports
            ]
        welcomes = [
            call["body"]["text"]["content"]
            for call in await (await sandbox.get("/sandbox/outbox")).json()
            if call["api"] == "externalcontact/send_welcome_msg"
        ]
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            await asyncio.wait_for(worker.wait(), timeout=20)
    assert time.monotonic() - changed >= 2.0
    assert sum(hits) == MESSAGES, f"every message with the new keyword flagged: {hits}"
    assert all(h > 0 for h in hits), f"both worker processes applied the keyword: {hits}"
    assert len(welcomes) == ADDS and all("这是刚改的欢迎语" in text for text in welcomes)
    assert sum(sent) == ADDS
