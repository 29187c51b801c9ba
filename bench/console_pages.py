"""Every console page's answer time on a filled store (part of ``siyu bench customers``).

An admin process (``create_app(role=admin)``) is served over real HTTP on the benchmark's
Redis; a session is opened for an admin account; every GET page without a path parameter
(all of ``handlers.console_pages()``, so new pages are timed without being listed here) and
a few searches of the customer list are fetched ``rounds`` times. The time is the client's,
on the same machine: an upper bound of the server time.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import aiohttp
from aiohttp import web

from bench.servers import AES_KEY, TOKEN, free_port
from bot.admin.accounts import Accounts, Sessions
from bot.admin.auth import SESSION_COOKIE
from bot.admin.roles import Role
from bot.app import Role as AppRole
from bot.app import create_app
from bot.store.connection import connect
from bot.web.pages import Page
from config.settings import Settings, load_settings
from handlers import console_pages

SEARCHES: Final = (  # the customer list's form: name prefix, any of the tags, staff
    "/console/customers?tags=et001,et002",
    "/console/customers?name=王",
    "/console/customers?tags=et003&staff=staff00007",
)
_BENCH_PASSWORD: Final = "bench-console-1"  # noqa: S105 - a throwaway account of the bench


def page_paths() -> list[str]:
    """Every console GET page without a path parameter, and a few searches."""
    found = {
        route.path
        for table in console_pages()
        for route in table
        if isinstance(route, Page) and route.method == "GET" and "{" not in route.path
    }
    skipped = {"/console/login", "/console/logout", "/console/"}
    return sorted(found - skipped) + list(SEARCHES)


def _settings(corp_id: str, redis_url: str, port: int, workdir: Path) -> Settings:
    config = workdir / "siyu-admin.toml"
    config.write_text(
        f"""log_level = "WARNING"
[wecom]
corp_id = "{corp_id}"
[apps.default]
agent_id = 1000002
token = "{TOKEN}"
encoding_aes_key = "{AES_KEY}"
[server]
host = "127.0.0.1"
port = {port}
[redis]
url = "{redis_url}"
""",
        encoding="utf-8",
    )
    return load_settings(str(config))


async def time_pages(redis_url: str, corp_id: str, rounds: int) -> dict[str, list[float]]:
    """Each page's answer times in ms (a page answering other than 200 raises)."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="siyu-bench-console-") as tmp:
        settings = _settings(corp_id, redis_url, port, Path(tmp))
        redis = connect(redis_url, 30.0)
        runner = web.AppRunner(create_app(settings, role=AppRole.ADMIN), access_log=None)
        try:
            now = datetime.now(UTC)
            account = await Accounts(redis, corp_id).create(
                "bench", Role.ADMIN, _BENCH_PASSWORD, now
            )
            session = await Sessions(redis, corp_id, settings.admin).open(account, now)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            times: dict[str, list[float]] = {}
            cookies = {SESSION_COOKIE: session.token}
            async with aiohttp.ClientSession(cookies=cookies) as client:
                for path in page_paths():
                    for _ in range(rounds):
                        started = time.perf_counter()
                        async with client.get(f"http://127.0.0.1:{port}{path}") as answer:
                            await answer.read()
                            if answer.status != 200:  # noqa: PLR2004 - every page must render
                                raise RuntimeError(f"{path} answered {answer.status}")
                        elapsed = (time.perf_counter() - started) * 1000
                        times.setdefault(path, []).append(elapsed)
            return times
        finally:
            await runner.cleanup()
            await redis.aclose()
