"""The console in tests: one operator account per role, logging in through the form."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from bot.admin.accounts import Accounts
from bot.admin.roles import Role

Client = TestClient[web.Request, web.Application]
PASSWORD: Final = "console-secret-1"
USERS: Final = {Role.ADMIN: "ada", Role.OPERATOR: "olga", Role.VIEWER: "vic"}
_CSRF: Final = re.compile(r'name="csrf" value="([^"]+)"')


async def add_accounts(redis: Redis, corp_id: str, now: datetime) -> None:
    """An account per role (USERS), each with PASSWORD."""
    accounts = Accounts(redis, corp_id)
    for role, name in USERS.items():
        await accounts.create(name, role, PASSWORD, now)


def csrf_of(html: str) -> str:
    """The CSRF token of the page's first form."""
    found = _CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


async def log_in(client: Client, role: Role) -> str:
    """Log in as ``role``'s account through the form; the CSRF token for the next forms."""
    page = await client.get("/console/login")
    answer = await client.post(
        "/console/login",
        allow_redirects=False,
        data={
            "csrf": csrf_of(await page.text()),
            "name": USERS[role],
            "password": PASSWORD,
        },
    )
    assert answer.status == 303, await answer.text()
    return csrf_of(await (await client.get("/console/dashboard")).text())
