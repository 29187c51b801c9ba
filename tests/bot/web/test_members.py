"""成员与API密钥 through a real admin listener: admins create accounts and keys (a key is
shown once), disable accounts (their login and sessions stop), reset passwords, revoke keys;
every change audited without secrets; other roles refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from bot.admin.accounts import Accounts
from bot.admin.apikeys import ApiKeys
from bot.admin.audit import Audit
from bot.admin.roles import Role
from bot.app import Role as AppRole
from bot.app import create_app
from bot.clock import ManualClock
from config.settings import Settings
from tests.conftest import make_settings
from tests.support.console import PASSWORD, USERS, Client, add_accounts, csrf_of, log_in
from tests.support.stack import ClientFactory

NEW_PASSWORD = "a-new-secret-2"


async def log_in_as(client: Client, name: str) -> None:
    """Log in as ``name`` (PASSWORD) through the form."""
    form = await (await client.get("/console/login")).text()
    answer = await client.post(
        "/console/login",
        data={"csrf": csrf_of(form), "name": name, "password": PASSWORD},
        allow_redirects=False,
    )
    assert answer.status == 303


@pytest.fixture
def console_settings(redis_url: str) -> Settings:
    return make_settings(redis_url)


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory, console_settings: Settings, clock: ManualClock, redis: Redis
) -> Client:
    app = create_app(console_settings, role=AppRole.ADMIN, clock=clock)
    await add_accounts(redis, console_settings.wecom.corp_id, clock.now())
    return await aiohttp_client(app)


async def audit_text(redis: Redis, settings: Settings) -> str:
    entries = await Audit(redis, settings.wecom.corp_id).page(50)
    return " ".join(f"{e.actor} {e.document} {e.diff}" for _, e in entries)


async def test_an_admin_creates_a_key_and_sees_it_once(
    client: Client, redis: Redis, console_settings: Settings
) -> None:
    csrf = await log_in(client, Role.ADMIN)
    made = await client.post(
        "/console/members/keys", data={"csrf": csrf, "role": "operator"}, allow_redirects=False
    )
    assert made.status == 303
    shown_at = made.headers["Location"]
    page = await (await client.get(shown_at)).text()
    key = re.search(r'data-testid="new-key">(siyu_[0-9a-f]{12}_[^<]+)<', page)
    assert key is not None and "只显示这一次" in page
    key_id = key.group(1).split("_")[1]
    again = await (await client.get(shown_at)).text()  # a reload: not shown again
    assert key.group(1) not in again and f"siyu_{key_id}_…" in again and "从未使用" in again
    answer = await client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {key.group(1)}"})
    assert (await answer.json())["role"] == "operator"
    used = await (await client.get("/console/members")).text()
    assert "从未使用" not in used
    assert key.group(1) not in await audit_text(redis, console_settings)
    assert len(await ApiKeys(redis, console_settings.wecom.corp_id).listing()) == 1

    revoked = await client.post(f"/console/members/keys/{key_id}/revoke", data={"csrf": csrf})
    assert "密钥已吊销" in await revoked.text()
    refused = await client.get(
        "/api/v1/whoami", headers={"Authorization": f"Bearer {key.group(1)}"}
    )
    assert refused.status == 401
    assert await ApiKeys(redis, console_settings.wecom.corp_id).listing() == []
    gone = await client.post(f"/console/members/keys/{key_id}/revoke", data={"csrf": csrf})
    assert gone.status == 404


async def test_accounts_are_created_disabled_enabled_and_reset(
    client: Client, redis: Redis, console_settings: Settings, aiohttp_client: ClientFactory
) -> None:
    csrf = await log_in(client, Role.ADMIN)
    created = await client.post(
        "/console/members/users",
        data={"csrf": csrf, "name": "wendy", "role": "operator", "password": PASSWORD},
    )
    page = await created.text()
    assert "账号已创建" in page and 'data-account="wendy"' in page
    other = await aiohttp_client(client.server)  # olga, logged in elsewhere
    await log_in(other, Role.OPERATOR)
    disabled = await client.post(
        f"/console/members/users/{USERS[Role.OPERATOR]}/disable", data={"csrf": csrf}
    )
    assert "账号已停用" in await disabled.text()
    gone = await other.get("/console/dashboard", allow_redirects=False)
    assert gone.status == 303 and "/console/login" in gone.headers["Location"]
    refused = await other.post(
        "/api/v1/session", json={"name": USERS[Role.OPERATOR], "password": PASSWORD}
    )
    assert refused.status == 401
    await client.post(
        f"/console/members/users/{USERS[Role.OPERATOR]}/disable",
        data={"csrf": csrf, "enable": "1"},
    )
    reset = await client.post(
        f"/console/members/users/{USERS[Role.OPERATOR]}/password",
        data={"csrf": csrf, "password": NEW_PASSWORD},
    )
    assert "密码已重置" in await reset.text()
    back = await other.post(
        "/api/v1/session", json={"name": USERS[Role.OPERATOR], "password": NEW_PASSWORD}
    )
    assert back.status == 200
    logged = await audit_text(redis, console_settings)
    assert "users/wendy" in logged and "'disabled': True" in logged
    assert PASSWORD not in logged and NEW_PASSWORD not in logged


@pytest.mark.parametrize(
    ("name", "role", "password", "field", "message"),
    [
        ("bad name", "viewer", PASSWORD, "name", "账号只能包含"),
        ("zoe", "boss", PASSWORD, "role", "请选择角色"),
        ("zoe", "viewer", "short", "password", "密码至少"),
        ("ada", "viewer", PASSWORD, "name", "已有同名账号"),
    ],
)
async def test_bad_accounts_are_refused_next_to_their_field(
    client: Client, name: str, role: str, password: str, field: str, message: str
) -> None:
    csrf = await log_in(client, Role.ADMIN)
    answer = await client.post(
        "/console/members/users",
        data={"csrf": csrf, "name": name, "role": role, "password": password},
    )
    assert answer.status in {409, 422}
    page = await answer.text()
    assert f'data-testid="error-{field}"' in page and message in page
    assert 'data-account="zoe"' not in page


async def test_admins_cannot_disable_themselves_and_short_passwords_are_refused(
    client: Client,
) -> None:
    csrf = await log_in(client, Role.ADMIN)
    own = await client.post(
        f"/console/members/users/{USERS[Role.ADMIN]}/disable", data={"csrf": csrf}
    )
    assert own.status == 409 and "不能停用自己的账号" in await own.text()
    short = await client.post(
        f"/console/members/users/{USERS[Role.VIEWER]}/password",
        data={"csrf": csrf, "password": "x"},
    )
    assert short.status == 422 and 'data-testid="row-error"' in await short.text()
    unknown = await client.post("/console/members/users/nobody/disable", data={"csrf": csrf})
    assert unknown.status == 404


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.VIEWER])
async def test_only_admins_see_or_use_the_page(client: Client, role: Role) -> None:
    csrf = await log_in(client, role)
    dashboard = await (await client.get("/console/dashboard")).text()
    assert "/console/members" not in dashboard
    assert (await client.get("/console/members")).status == 403
    for path in (
        "/console/members/keys",
        "/console/members/users",
        "/console/members/users/ada/disable",
    ):
        answer = await client.post(path, data={"csrf": csrf, "role": "admin", "name": "x"})
        assert answer.status == 403 and "需要“管理员”角色" in await answer.text(), path


async def test_a_new_key_is_shown_only_to_the_admin_who_made_it(
    client: Client, redis: Redis, console_settings: Settings, aiohttp_client: ClientFactory
) -> None:
    await Accounts(redis, console_settings.wecom.corp_id).create(
        "adam", Role.ADMIN, PASSWORD, datetime.now(UTC)
    )
    csrf = await log_in(client, Role.ADMIN)
    made = await client.post(
        "/console/members/keys", data={"csrf": csrf, "role": "viewer"}, allow_redirects=False
    )
    other = await aiohttp_client(client.server)
    await log_in_as(other, "adam")
    page = await (await other.get(made.headers["Location"])).text()
    assert 'data-testid="new-key"' not in page and 'data-key="' in page


async def test_forms_without_the_csrf_token_are_refused(client: Client) -> None:
    await log_in(client, Role.ADMIN)
    forged = await client.post("/console/members/keys", data={"role": "admin"})
    assert forged.status == 403 and "表单已过期" in await forged.text()
    assert "/console/members" in await (await client.get("/console/dashboard")).text()
