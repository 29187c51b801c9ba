"""``siyu bench fuzz``: fuzzed callbacks against a real gateway process, its memory watched.

A ``siyu serve --role gateway`` with an embedded Redis gets N callbacks, most of them hostile
or broken in one way each: valid signatures over random or malformed plaintexts (unknown
kinds, missing fields, deep nesting, huge or non-UTF-8 text, siyu's internal kinds), bad
signatures, stale or absurd timestamps, malformed outer XML, oversized bodies, odd query
strings and methods. Every answer must be 200, 400, 403, 405, 408 or 413 (503 only while
Redis is away, which this run does not do); the gateway's resident memory is sampled through
the run and must stay flat after the warm-up. Prints the answers by status and the memory,
and exits non-zero on a 5xx, a dead gateway or memory growth.
"""

from __future__ import annotations

import asyncio
import random
import string
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import urlencode

import aiohttp

from bench.servers import AES_KEY, TOKEN, ServerStartError, free_port, running_siyu
from bot.callbacks import message_xml, sign_callback
from bot.crypto import CallbackCrypto
from bot.store.embedded import EmbeddedRedis, EmbeddedRedisError

CORP: Final = "wwfuzz"
ACCEPTABLE: Final = frozenset({200, 400, 403, 404, 405, 408, 413})
RSS_GROWTH_LIMIT: Final = 0.15  # after the warm-up, at most 15 % more resident memory
WARMUP_SHARE: Final = 0.1  # the first 10 % of the callbacks warm the process up
_CRYPTO: Final = CallbackCrypto.create(TOKEN, AES_KEY, CORP)
_KINDS: Final = (
    ("text", ""),
    ("image", ""),
    ("event", "change_external_contact"),
    ("event", "change_external_chat"),
    ("event", "kf_msg_or_event"),
    ("event", "template_card_event"),
    ("event", "siyu_reminder_due"),
    ("event", "siyu_task_step"),
    ("event", "no_such_event"),
    ("nosuchtype", ""),
)
EVASIONS: Final = "\u200b\u3000\ufeff＊"  # zero-width, ideographic space, BOM, full-width *
_CHANGE_TYPES: Final = ("add_external_contact", "del_follow_user", "edit_external_contact", "x")


@dataclass(frozen=True, slots=True)
class Fuzzed:
    """One request: its method, query, body and what kind of damage it carries."""

    damage: str
    query: dict[str, str]
    body: bytes
    method: str = "POST"


@dataclass(slots=True)
class Tally:
    """What the gateway answered, and its memory along the way."""

    statuses: Counter[str] = field(default_factory=Counter)
    by_damage: Counter[tuple[str, str]] = field(default_factory=Counter)
    rss_kib: list[tuple[int, int]] = field(default_factory=list)  # (requests sent, VmRSS)


def _text(rng: random.Random, size: int) -> str:
    pools = (
        string.printable,
        "你好请问价格微信加我VX：一二三四五六七八九十",
        "\u200b\u3000\ufeff＊",
    )
    return "".join(rng.choice(rng.choice(pools)) for _ in range(size))


def _plaintext(rng: random.Random, now: int, msg_id: int) -> tuple[str, str]:
    """A plaintext callback with one kind of trouble (or none): (damage, XML)."""
    msg_type, event = rng.choice(_KINDS)
    fields: dict[str, str | int | list[str]] = {
        "ToUserName": CORP,
        "FromUserName": rng.choice(("staff01", "sys", "", "wm" + _text(rng, 8))),
        "CreateTime": rng.choice((now, now, 0, -1, 10**15)),
        "MsgType": msg_type,
        "MsgId": msg_id,
        "AgentID": 1000002,
    }
    if event:
        fields["Event"] = event
        fields["ChangeType"] = rng.choice(_CHANGE_TYPES)
        fields["UserID"] = "staff01"
        fields["ExternalUserID"] = "wm" + str(rng.randrange(10**6))
        fields["WelcomeCode"] = _text(rng, rng.randrange(0, 40))
    if msg_type == "text":
        fields["Content"] = _text(rng, rng.choice((0, 5, 200, 4000)))
    damage = rng.choice(("plain", "plain", "missing", "deep", "junk", "lists", "huge_text"))
    if damage == "missing":
        for name in rng.sample(sorted(fields), rng.randrange(1, 4)):
            fields.pop(name, None)
    elif damage == "lists":
        fields["Items"] = [_text(rng, 5) for _ in range(rng.randrange(0, 50))]
    elif damage == "huge_text":
        fields["Content"] = "字" * rng.randrange(10_000, 20_000)
    xml = message_xml(fields)
    if damage == "deep":
        depth = rng.choice((40, 500, 3000))
        xml = xml.replace("</xml>", "<a>" * depth + "</a>" * depth + "</xml>")
    elif damage == "junk":
        cut = rng.randrange(len(xml))
        xml = xml[:cut] + rng.choice(("<", "&", "]]>", "<!DOCTYPE x [", "\x00", "")) + xml[cut:]
    return damage, xml


def _signed(rng: random.Random, now: int, msg_id: int) -> Fuzzed:
    damage, plaintext = _plaintext(rng, now, msg_id)
    stamp = rng.choice((now, now, now, now - 3600, now + 3600))
    signed = sign_callback(_CRYPTO, plaintext, stamp, to_user_name=CORP)
    if stamp != now:
        damage = "stale"
    return Fuzzed(damage, signed.query, signed.body)


def _broken_outside(rng: random.Random, now: int, msg_id: int) -> Fuzzed:
    good = _signed(rng, now, msg_id)
    trouble = rng.choice(
        ("bad_signature", "bad_body", "huge_body", "odd_query", "wrong_method", "bad_base64")
    )
    query, body, method = dict(good.query), good.body, "POST"
    if trouble == "bad_signature":
        query["msg_signature"] = rng.choice(("0" * 40, "", query["msg_signature"].upper()[:-1]))
    elif trouble == "bad_body":
        body = rng.choice(
            (b"", b"<xml>", b"not xml", body[: rng.randrange(len(body))], b"\xff\xfe")
        )
    elif trouble == "huge_body":
        body = b"<xml><Encrypt>" + b"A" * rng.randrange(70_000, 300_000) + b"</Encrypt></xml>"
    elif trouble == "odd_query":
        query = {k: rng.choice(("", "x" * rng.randrange(1, 3000), "\u4e2d")) for k in query}
    elif trouble == "wrong_method":
        method = rng.choice(("PUT", "DELETE", "PATCH"))
    else:
        body = b"<xml><Encrypt><![CDATA[%%%not base64%%%]]></Encrypt></xml>"
    return Fuzzed(trouble, query, body, method)


def fuzzed_callbacks(count: int, seed: int, now: int) -> list[Fuzzed]:
    """``count`` requests: two in three signed over a damaged plaintext, the rest broken
    outside the signature; distinct MsgIds."""
    rng = random.Random(seed)  # noqa: S311 - reproducible fuzzing, not a secret
    makers: list[Callable[[random.Random, int, int], Fuzzed]] = [_signed, _signed, _broken_outside]
    return [rng.choice(makers)(rng, now, 7_400_000_000_000_000_000 + n) for n in range(count)]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text("utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def _send_all(
    base: str, requests: list[Fuzzed], concurrency: int, pid: int, tally: Tally
) -> None:
    pending = iter(enumerate(requests))
    timeout = aiohttp.ClientTimeout(total=30)
    every = max(len(requests) // 50, 1)

    async def client(session: aiohttp.ClientSession) -> None:
        for number, request in pending:
            url = f"{base}/wecom/callback?{urlencode(request.query)}"
            try:
                async with session.request(request.method, url, data=request.body) as answer:
                    await answer.read()
                    status = str(answer.status)
            except (aiohttp.ClientError, TimeoutError) as exc:
                status = type(exc).__name__
            tally.statuses[status] += 1
            tally.by_damage[(request.damage, status)] += 1
            if number % every == 0:
                tally.rss_kib.append((number, _rss_kib(pid)))

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(client(session) for _ in range(concurrency)))


def _verdict(tally: Tally, count: int) -> list[str]:
    """What went wrong (empty: nothing)."""
    problems = [
        f"{n} answers {status}"
        for status, n in sorted(tally.statuses.items())
        if not status.isdigit() or int(status) not in ACCEPTABLE
    ]
    warm = [kib for sent, kib in tally.rss_kib if sent >= count * WARMUP_SHARE]
    if warm and warm[-1] > warm[0] * (1 + RSS_GROWTH_LIMIT):
        problems.append(f"resident memory grew from {warm[0]} KiB to {warm[-1]} KiB")
    return problems


def run_fuzz_bench(count: int, concurrency: int, seed: int) -> int:
    """Send ``count`` fuzzed callbacks to a fresh gateway; 0 if every answer was acceptable
    and memory stayed flat."""
    if count < 100 or concurrency < 1:  # noqa: PLR2004 - a memory trend needs some samples
        print("siyu bench fuzz: --callbacks >= 100 and --concurrency >= 1", file=sys.stderr)
        return 2
    print(f"siyu bench fuzz: {count} fuzzed callbacks (seed {seed}) against a fresh gateway ...")
    requests = fuzzed_callbacks(count, seed, int(time.time()))
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="siyu-fuzz-") as tmp:
        redis_server = EmbeddedRedis(Path(tmp) / "redis")
        try:
            url = redis_server.start()
            port = free_port()
            with running_siyu(Path(tmp), CORP, port, url, "gateway") as server:
                started = time.perf_counter()
                base = f"http://127.0.0.1:{port}"
                asyncio.run(_send_all(base, requests, concurrency, server.process.pid, tally))
                elapsed = time.perf_counter() - started
                alive = server.process.poll() is None
        except (ServerStartError, EmbeddedRedisError) as exc:
            print(f"siyu bench: {exc}", file=sys.stderr)
            return 1
        finally:
            redis_server.stop()
    _report(tally, count, elapsed)
    problems = _verdict(tally, count) + ([] if alive else ["the gateway died"])
    for problem in problems:
        print(f"FAILED: {problem}")
    print("fuzz: " + ("ok" if not problems else "failed") + f" callbacks={count}")
    return 1 if problems else 0


def _report(tally: Tally, count: int, elapsed: float) -> None:
    print(f"\n{count} requests in {elapsed:.1f} s ({count / elapsed:.0f}/s)")
    print("answers: " + ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items())))
    damages = sorted({damage for damage, _ in tally.by_damage})
    for damage in damages:
        answers = {s: n for (d, s), n in tally.by_damage.items() if d == damage}
        print(f"  {damage:<14} " + ", ".join(f"{s}: {n}" for s, n in sorted(answers.items())))
    if tally.rss_kib:
        first, last = tally.rss_kib[0][1], tally.rss_kib[-1][1]
        peak = max(kib for _, kib in tally.rss_kib)
        print(
            f"gateway RSS: {first / 1024:.1f} MiB at the start, peak {peak / 1024:.1f} MiB, "
            f"{last / 1024:.1f} MiB at the end"
        )
        tenths = [kib for number, (_, kib) in enumerate(tally.rss_kib) if number % 5 == 0]
        print("RSS every tenth of the run (MiB): " + " ".join(f"{k / 1024:.1f}" for k in tenths))
