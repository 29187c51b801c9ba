"""成员与API密钥 (admins only): operator accounts (create with a role, disable or enable,
reset the password) and API keys (create, shown once; listed by prefix, role and last use;
revoke), over bot/admin's accounts and keys. Every change goes to the audit log, never a
password or a key."""

from __future__ import annotations

import json
import secrets
from typing import Any, Final
from urllib.parse import quote

from aiohttp import web
from pydantic import ValidationError

from bot.admin.access import NewKey, NewUser
from bot.admin.accounts import NAME_PATTERN, AccountError, Accounts
from bot.admin.apikeys import KEY_PREFIX, ApiKeys
from bot.admin.audit import Audit
from bot.admin.passwords import MIN_LENGTH
from bot.admin.roles import Role
from bot.live import RUNTIME, Runtime
from bot.store import keys
from bot.web.catalog import zh_cn
from bot.web.pages import PREFIX, Pages, refusal, render, viewer

pages = Pages("web")
ROOT: Final = f"{PREFIX}/members"
NEW_KEY_SECONDS: Final = 60  # a new key waits this long for its one showing
_NOTICES: Final = {
    "created": "members.user_created",
    "disabled": "members.user_disabled",
    "enabled": "members.user_enabled",
    "password": "members.password_reset",
    "revoked": "members.revoked",
}
_USER_ERRORS: Final = {
    "name": "members.bad_name",
    "password": "members.bad_password",
    "role": "members.bad_role",
}


def _runtime(request: web.Request) -> Runtime:
    return request.app[RUNTIME]


def _accounts(request: web.Request) -> Accounts:
    runtime = _runtime(request)
    return Accounts(runtime.redis, runtime.settings.wecom.corp_id)


def _keys(request: web.Request) -> ApiKeys:
    runtime = _runtime(request)
    return ApiKeys(runtime.redis, runtime.settings.wecom.corp_id)


async def _audit(request: web.Request, action: str, document: str, diff: Any) -> None:
    runtime = _runtime(request)
    await Audit(runtime.redis, runtime.settings.wecom.corp_id).record(
        runtime.deps.clock.now(), viewer(request).actor, f"POST {ROOT}/{action}", document, diff
    )


async def _page(
    request: web.Request,
    *,
    status: int = 200,
    notice: str | None = None,
    new_key: str | None = None,
    user_values: dict[str, str] | None = None,
    user_errors: dict[str, str] | None = None,
    key_errors: dict[str, str] | None = None,
    row_error: tuple[str, str] | None = None,
) -> web.Response:
    used = await _keys(request).last_used()
    listed = [
        {
            "key_id": k.key_id,
            "prefix": f"{KEY_PREFIX}{k.key_id}_…",
            "role": k.role.value,
            "name": k.name,
            "created_at": k.created_at[:16].replace("T", " "),
            "last_used": used.get(k.key_id, "")[:16].replace("T", " "),
        }
        for k in await _keys(request).listing()
    ]
    context = {
        "nav": "members",
        "accounts": await _accounts(request).listing(),
        "keys": listed,
        "roles": [role.value for role in Role],
        "notice": notice,
        "new_key": new_key,
        "user_values": user_values or {"name": "", "role": Role.VIEWER.value},
        "user_errors": user_errors or {},
        "key_errors": key_errors or {},
        "row_error": row_error,
        "min_length": MIN_LENGTH,
    }
    return render(request, "members.html", context, status=status)


async def _hold_new_key(request: web.Request, key: str) -> str:
    """Keep a new key for the page the redirect lands on; the handle for its URL."""
    runtime, handle = _runtime(request), secrets.token_urlsafe(16)
    shown = json.dumps({"actor": viewer(request).actor, "key": key})
    stored = keys.admin_new_key(runtime.settings.wecom.corp_id, handle)
    await runtime.redis.set(stored, shown, ex=NEW_KEY_SECONDS)
    return handle


async def _take_new_key(request: web.Request, handle: str) -> str | None:
    """The new key held under ``handle``, once, and only for the admin who made it."""
    runtime = _runtime(request)
    stored = keys.admin_new_key(runtime.settings.wecom.corp_id, handle)
    async with runtime.redis.pipeline(transaction=True) as pipe:
        pipe.get(stored)
        pipe.delete(stored)
        raw, _ = await pipe.execute()
    found = json.loads(raw) if raw else None
    return found["key"] if found and found["actor"] == viewer(request).actor else None


@pages.get(ROOT, role=Role.ADMIN)
async def members(request: web.Request) -> web.StreamResponse:
    """Accounts and API keys (``key``: the handle of a new key to show, once)."""
    handle = request.query.get("key", "")
    new_key = await _take_new_key(request, handle) if 0 < len(handle) <= 64 else None  # noqa: PLR2004
    return await _page(request, notice=_NOTICES.get(request.query.get("done", "")), new_key=new_key)


@pages.post(f"{ROOT}/users", role=Role.ADMIN)
async def create_user(request: web.Request) -> web.StreamResponse:
    """Create an account with a role (validated by the API's NewUser)."""
    form = await request.post()
    values = {name: str(form.get(name, "")) for name in ("name", "role", "password")}
    shown = {"name": values["name"].strip(), "role": values["role"]}
    try:
        asked = NewUser.model_validate({**values, "name": shown["name"]})
        runtime = _runtime(request)
        await _accounts(request).create(
            asked.name, asked.role, asked.password, runtime.deps.clock.now()
        )
    except ValidationError as exc:
        errors = {
            str(e["loc"][0]): _USER_ERRORS.get(str(e["loc"][0]), "members.bad_name")
            for e in exc.errors()
        }
        return await _page(request, status=422, user_values=shown, user_errors=errors)
    except AccountError:
        errors = {"name": "members.exists"}
        return await _page(request, status=409, user_values=shown, user_errors=errors)
    await _audit(request, "users", f"users/{asked.name}", {"role": [None, asked.role.value]})
    raise web.HTTPSeeOther(f"{ROOT}?done=created")


def _name(request: web.Request) -> str | None:
    name = request.match_info["name"]
    return name if NAME_PATTERN.fullmatch(name) else None


def _not_found(request: web.Request) -> web.Response:
    t = zh_cn()
    return refusal(request, t("errors.not_found_title"), t("errors.not_found"), 404)


@pages.post(ROOT + "/users/{name}/disable", role=Role.ADMIN)
async def disable_user(request: web.Request) -> web.StreamResponse:
    """Disable an account (``enable=1``: enable it again); not one's own."""
    name, form = _name(request), await request.post()
    enable = form.get("enable") == "1"
    if name is None:
        return _not_found(request)
    if not enable and viewer(request).actor == f"user:{name}":
        return await _page(request, status=409, row_error=(name, "members.self_disable"))
    try:
        await _accounts(request).set_disabled(name, not enable)
    except AccountError:
        return _not_found(request)
    await _audit(request, "users/disable", f"users/{name}", {"disabled": not enable})
    raise web.HTTPSeeOther(f"{ROOT}?done={'enabled' if enable else 'disabled'}")


@pages.post(ROOT + "/users/{name}/password", role=Role.ADMIN)
async def reset_password(request: web.Request) -> web.StreamResponse:
    """Set a new password for an account."""
    name, form = _name(request), await request.post()
    if name is None:
        return _not_found(request)
    password = str(form.get("password", ""))
    if len(password) < MIN_LENGTH:
        return await _page(request, status=422, row_error=(name, "members.bad_password"))
    try:
        await _accounts(request).set_password(name, password)
    except AccountError:
        return _not_found(request)
    await _audit(request, "users/password", f"users/{name}", "password reset")
    raise web.HTTPSeeOther(f"{ROOT}?done=password#user-{quote(name)}")


@pages.post(f"{ROOT}/keys", role=Role.ADMIN)
async def create_key(request: web.Request) -> web.StreamResponse:
    """Create an API key; the page the redirect lands on is the only time it is shown."""
    form = await request.post()
    try:
        asked = NewKey.model_validate(
            {"role": str(form.get("role", "")), "name": str(form.get("name", "")).strip()}
        )
    except ValidationError as exc:
        fields = {str(e["loc"][0]) for e in exc.errors()}
        errors = {
            field: "members.bad_role" if field == "role" else "members.bad_key_name"
            for field in fields
        }
        return await _page(request, status=422, key_errors=errors)
    record, key = await _keys(request).create(
        asked.role, asked.name, _runtime(request).deps.clock.now()
    )
    await _audit(request, "keys", f"api-keys/{record.key_id}", {"role": [None, record.role.value]})
    # Post/redirect/get: reloading the page that shows the key makes no second key.
    raise web.HTTPSeeOther(f"{ROOT}?key={await _hold_new_key(request, key)}")


@pages.post(ROOT + "/keys/{key_id}/revoke", role=Role.ADMIN)
async def revoke_key(request: web.Request) -> web.StreamResponse:
    """Revoke an API key at once."""
    key_id = request.match_info["key_id"]
    if len(key_id) != 12 or not await _keys(request).revoke(key_id):  # noqa: PLR2004
        return _not_found(request)
    await _audit(request, "keys/revoke", f"api-keys/{key_id}", "revoked")
    raise web.HTTPSeeOther(f"{ROOT}?done=revoked")
