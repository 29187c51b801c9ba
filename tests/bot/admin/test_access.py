"""Credentials and roles on every kind of route, API keys, accounts, sessions, throttling."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from bot.admin.accounts import Accounts
from bot.admin.roles import Role
from bot.clock import ManualClock
from tests.bot.admin.conftest import LEGACY_TOKEN, Api


def _error(body: dict[str, Any], code: str) -> dict[str, Any]:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    return dict(body["error"])


@pytest.mark.parametrize(
    ("method", "path", "needed"),
    [
        ("GET", "/api/v1/queue", Role.VIEWER),
        ("GET", "/api/v1/dead-letters", Role.VIEWER),
        ("POST", "/api/v1/dead-letters/1-1/replay", Role.OPERATOR),
        ("POST", "/api/v1/tasks/1/cancel", Role.OPERATOR),
        ("PUT", "/api/v1/intake/rules", Role.OPERATOR),
        ("GET", "/api/v1/api-keys", Role.ADMIN),
        ("POST", "/api/v1/users", Role.ADMIN),
    ],
)
async def test_roles_are_enforced_per_route(api: Api, method: str, path: str, needed: Role) -> None:
    missing = await api.client.request(method, path)
    assert missing.status == 401
    _error(await missing.json(), "unauthorized")
    wrong = await api.client.request(method, path, headers={"Authorization": "Bearer siyu_x_y"})
    assert wrong.status == 401
    for role in Role:
        answer = await api.client.request(method, path, headers=api.auth(role), json=None)
        if role.allows(needed):
            assert answer.status != 403, role
        else:
            assert answer.status == 403, role
            assert needed.value in _error(await answer.json(), "forbidden")["message"]


async def test_the_legacy_token_is_an_admin_key(api: Api) -> None:
    answer = await api.client.get(
        "/api/v1/whoami", headers={"Authorization": f"Bearer {LEGACY_TOKEN}"}
    )
    assert await answer.json() == {"actor": "token", "role": "admin"}


async def test_api_keys_are_shown_once_listed_without_secrets_and_revoked(api: Api) -> None:
    admin = api.auth(Role.ADMIN)
    made = await api.client.post(
        "/api/v1/api-keys", json={"role": "viewer", "name": "grafana"}, headers=admin
    )
    assert made.status == 201
    created = await made.json()
    key = {"Authorization": f"Bearer {created['key']}"}
    assert (await (await api.client.get("/api/v1/whoami", headers=key)).json())["role"] == "viewer"

    listed = await (await api.client.get("/api/v1/api-keys", headers=admin)).json()
    assert created["key_id"] in {k["key_id"] for k in listed}
    assert created["key"] not in str(listed) and all("key" not in k for k in listed)

    revoked = await api.client.delete(f"/api/v1/api-keys/{created['key_id']}", headers=admin)
    assert revoked.status == 200
    assert (await api.client.get("/api/v1/whoami", headers=key)).status == 401
    again = await api.client.delete(f"/api/v1/api-keys/{created['key_id']}", headers=admin)
    _error(await again.json(), "not_found")


async def test_accounts_log_in_to_sessions_and_are_throttled(api: Api, clock: ManualClock) -> None:
    admin = api.auth(Role.ADMIN)
    made = await api.client.post(
        "/api/v1/users",
        json={"name": "lina", "role": "operator", "password": "correct horse"},
        headers=admin,
    )
    assert made.status == 201
    taken = await api.client.post(
        "/api/v1/users",
        json={"name": "lina", "role": "viewer", "password": "another one"},
        headers=admin,
    )
    _error(await taken.json(), "conflict")

    login = await api.client.post(
        "/api/v1/session", json={"name": "lina", "password": "correct horse"}
    )
    session = await login.json()
    assert (session["user"], session["role"]) == ("lina", "operator")
    bearer = {"Authorization": f"Bearer {session['token']}"}
    who = await (await api.client.get("/api/v1/whoami", headers=bearer)).json()
    assert who == {"actor": "user:lina", "role": "operator"}
    assert (await api.client.delete("/api/v1/session", headers=bearer)).status == 200
    assert (await api.client.get("/api/v1/whoami", headers=bearer)).status == 401

    for _ in range(3):  # admin.login_max_failures
        wrong = await api.client.post("/api/v1/session", json={"name": "lina", "password": "no"})
        _error(await wrong.json(), "unauthorized")
    right = {"name": "lina", "password": "correct horse"}
    throttled = await api.client.post("/api/v1/session", json=right)
    assert throttled.status == 429
    assert int(throttled.headers["Retry-After"]) > 0
    _error(await throttled.json(), "too_many_requests")


async def test_passwords_are_stored_as_scrypt_hashes(
    api: Api, redis: Redis, clock: ManualClock
) -> None:
    accounts = Accounts(redis, api.settings.wecom.corp_id)
    await accounts.create("wang", Role.VIEWER, "s3cret-words", clock.now())
    stored = str(await accounts.redis.hget(accounts.key, "wang"))
    assert "s3cret-words" not in stored and '"scrypt$' in stored
    assert await accounts.verify("wang", "s3cret-words") is not None
    assert await accounts.verify("wang", "s3cret-word") is None
    assert await accounts.verify("nobody", "s3cret-words") is None
