"""``siyu demo``: siyu on an embedded Redis, fed callbacks as WeCom would send them, narrated.

Nothing here reaches WeCom: the callbacks are built and signed locally with a key made up
for this run, then POSTed over real HTTP to a real siyu.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import string
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.app import create_app
from bot.callbacks import SignedCallback, message_xml, sign_callback, verification_query
from bot.crypto import CallbackCrypto
from bot.metrics import CallbackResult
from bot.runtime import RUNTIME, Runtime
from bot.store import keys
from config.settings import Settings

CORP_ID = "wwdemo0000000001"
RESULTS: tuple[CallbackResult, ...] = (
    "accepted", "duplicate", "malformed", "bad_signature", "stale", "too_large", "unknown_app",
    "unavailable",
)  # fmt: skip
EXPLAINED: dict[CallbackResult, str] = {
    "accepted": "verified, decrypted and queued once; a worker will handle it",
    "duplicate": "recognised as a redelivery: answered 200 so WeCom stops, not queued again",
    "malformed": "refused: the body is not a WeCom callback; nothing queued",
    "bad_signature": "refused: the signature does not match the app's token; nothing queued",
    "stale": "refused: its timestamp is outside the replay window; nothing queued",
    "too_large": "refused: the body is over the size cap; nothing queued",
    "unknown_app": "refused: no such app; nothing queued",
    "unavailable": "could not be queued (Redis unreachable); WeCom will retry",
}


@dataclass(frozen=True, slots=True)
class Step:
    """One callback of the story."""

    title: str
    callback: SignedCallback


def _demo_settings(data_dir: Path, port: int) -> Settings:
    alphabet = string.ascii_letters + string.digits
    return Settings.model_validate({
        "wecom": {"corp_id": CORP_ID, "api_base": "http://127.0.0.1:9/cgi-bin"},
        "apps": {"default": {
            "agent_id": 1000002,
            "token": secrets.token_urlsafe(16),  # made up for this run: no secret in the repo
            "encoding_aes_key": "".join(secrets.choice(alphabet) for _ in range(43)),
        }},
        "server": {"host": "127.0.0.1", "port": port},
        "redis": {"url": "", "data_dir": data_dir},
        "queue": {"block_ms": 100, "janitor_interval_seconds": 0.5},
        "log_level": "WARNING",
    })  # fmt: skip


def _story(crypto: CallbackCrypto, now: int) -> list[Step]:
    added = message_xml({
        "ToUserName": CORP_ID, "FromUserName": "sys", "CreateTime": now, "MsgType": "event",
        "Event": "change_external_contact", "ChangeType": "add_external_contact",
        "UserID": "zhangwei", "ExternalUserID": "wmCustomerLi", "State": "poster_autumn",
        "WelcomeCode": "WELCOME-1",
    })  # fmt: skip
    text = message_xml({
        "ToUserName": CORP_ID, "FromUserName": "zhangwei", "CreateTime": now, "MsgType": "text",
        "Content": "提醒我明天下午3点回访李女士", "MsgId": 7300000000000000001, "AgentID": 1000002,
    })  # fmt: skip
    unknown = message_xml({
        "ToUserName": CORP_ID, "FromUserName": "sys", "CreateTime": now, "MsgType": "event",
        "Event": "change_contact", "ChangeType": "create_user", "UserID": "newhire",
    })  # fmt: skip
    forger = CallbackCrypto.create("not-the-token", "A" * 43, CORP_ID)
    return [
        Step("A customer adds staff member zhangwei through the autumn poster live code",
             sign_callback(crypto, added, now)),
        Step("WeCom delivers that same event again (its retry)", sign_callback(crypto, added, now)),
        Step("zhangwei writes to the siyu app", sign_callback(crypto, text, now)),
        Step("An event kind siyu has no type for yet (a new member joins the corp)",
             sign_callback(crypto, unknown, now)),
        Step("Someone without the token forges a callback", sign_callback(forger, added, now)),
        Step("An old callback captured 10 minutes ago is replayed",
             sign_callback(crypto, text, now - 600)),
        Step("A broken body arrives", SignedCallback(
            query=sign_callback(crypto, text, now).query, body=b"<xml><Encrypt>oops")),
    ]  # fmt: skip


def _counts(runtime: Runtime) -> dict[CallbackResult, float]:
    registry = runtime.metrics.registry
    return {
        result: registry.get_sample_value(
            "siyu_callbacks_total", {"app": "default", "result": result}
        )
        or 0.0
        for result in RESULTS
    }


async def _play(settings: Settings, runtime: Runtime, base: str) -> None:
    config = settings.apps["default"]
    crypto = CallbackCrypto.create(
        config.token.get_secret_value(), config.encoding_aes_key.get_secret_value(), CORP_ID
    )
    now = int(time.time())
    async with aiohttp.ClientSession() as session:
        query = verification_query(crypto, "8267143506124", now)
        async with session.get(f"{base}/wecom/callback", params=query) as response:
            echoed = await response.text()
        print(
            f"0. WeCom verifies the callback URL → siyu answers {response.status} with the "
            f"decrypted echostr ({'correct' if echoed == '8267143506124' else 'WRONG'})"
        )
        for number, step in enumerate(_story(crypto, now), start=1):
            before = _counts(runtime)
            async with session.post(
                f"{base}/wecom/callback", params=step.callback.query, data=step.callback.body
            ) as response:
                status = response.status
            after = _counts(runtime)
            result = next((r for r in RESULTS if after[r] > before[r]), None)
            meaning = EXPLAINED[result] if result else "no result recorded"
            print(f"{number}. {step.title}\n   → HTTP {status}: {meaning}")


async def _wait_drained(runtime: Runtime) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        stats = await runtime.queue.stats()
        if stats.length == 0 and stats.pending == 0:
            return
        await asyncio.sleep(0.05)


async def _report(runtime: Runtime) -> None:
    await _wait_drained(runtime)
    raw = await runtime.redis.hgetall(keys.demo_effects(CORP_ID))
    handled = {str(key): int(times) for key, times in raw.items()}
    once = all(times == 1 for times in handled.values())
    print(
        f"\nThe workers handled {len(handled)} distinct events, "
        f"{'each exactly once' if once else 'SOME MORE THAN ONCE'} (by dedup key):"
    )
    for dedup_key, times in sorted(handled.items()):
        print(f"   {dedup_key}  ×{times}")
    stats = await runtime.queue.stats()
    print(f"Queue now: {stats.length} waiting, {stats.pending} in flight, {stats.dead} dead.")


async def _main(data_dir: Path) -> None:
    settings = _demo_settings(data_dir, port=0)
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = int(runner.addresses[0][1])
    print(f"siyu is listening on http://127.0.0.1:{port} with an embedded Redis in {data_dir}\n")
    try:
        await _play(settings, app[RUNTIME], f"http://127.0.0.1:{port}")
        await _report(app[RUNTIME])
    finally:
        await runner.cleanup()


def run_demo(data_dir: str | None) -> int:
    """Play the story; returns the exit code."""
    logging.basicConfig(level=logging.ERROR)  # the narration says what happened
    if data_dir is not None:
        asyncio.run(_main(Path(data_dir)))
        return 0
    with tempfile.TemporaryDirectory(prefix="siyu-demo-") as tmp:
        asyncio.run(_main(Path(tmp)))
    return 0
