"""/api/v1/session, /api/v1/users, /api/v1/api-keys and /api/v1/audit: who may do what, and
what they did. Accounts and keys are the admin role's; anyone logged in reads the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from aiohttp import web
from pydantic import BaseModel, Field

from bot.admin.accounts import NAME_PATTERN, AccountError, Accounts, LoginThrottle, Sessions
from bot.admin.apikeys import ApiKeys
from bot.admin.audit import Audit
from bot.admin.auth import bearer
from bot.admin.endpoints import Endpoints, body, path_params, principal, query, record_change
from bot.admin.errors import ApiError, not_found
from bot.admin.passwords import MIN_LENGTH
from bot.admin.queue import STREAM_ID
from bot.admin.roles import Role
from bot.live import RUNTIME, Runtime

routes = Endpoints()
NAME: Final = NAME_PATTERN.pattern


class Login(BaseModel):
    """An operator's name and password."""

    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class SessionOut(BaseModel):
    """A session token (send it as ``Authorization: Bearer``) and when it ends."""

    token: str
    expires_at: datetime
    user: str
    role: Role


class Whoami(BaseModel):
    """The caller: actor (``user:NAME``, ``key:ID``, ``token``) and role."""

    actor: str
    role: Role


class NewUser(BaseModel):
    """A new operator account."""

    name: str = Field(pattern=NAME)
    role: Role
    password: str = Field(min_length=MIN_LENGTH, max_length=1024)


class UserOut(BaseModel):
    """An operator account."""

    name: str
    role: Role
    created_at: str


class NewKey(BaseModel):
    """A new API key: its role and a name saying what it is for."""

    role: Role
    name: str = Field(default="", max_length=100)


class KeyOut(BaseModel):
    """An API key's record (never the key)."""

    key_id: str
    role: Role
    name: str
    created_at: str


class CreatedKey(KeyOut):
    """A new API key: ``key`` is shown this once."""

    key: str


class KeyPath(BaseModel):
    """An API key's id."""

    key_id: str = Field(pattern=r"^[0-9a-f]{12}$")


class AuditQuery(BaseModel):
    """A page of the audit log, newest first, older than ``cursor`` (an entry id)."""

    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, pattern=STREAM_ID)


class AuditItem(BaseModel):
    """One audit entry."""

    id: str
    at: str
    actor: str
    action: str
    document: str
    diff: object = None


class AuditPage(BaseModel):
    """Audit entries, newest first; ``next_cursor`` is null on the last page."""

    items: list[AuditItem]
    next_cursor: str | None


def _runtime(request: web.Request) -> Runtime:
    return request.app[RUNTIME]


def _corp(request: web.Request) -> str:
    return _runtime(request).settings.wecom.corp_id


@routes.post(
    "/api/v1/session", role=None, body=Login, answer=SessionOut, errors=(401, 429), tags=("access",)
)
async def login(request: web.Request) -> web.Response:
    """Log in with an operator account → a session token (throttled per account and address)."""
    runtime, asked = _runtime(request), body(request, Login)
    settings, corp = runtime.settings.admin, _corp(request)
    throttle = LoginThrottle(runtime.redis, corp, settings)
    address = request.remote or "unknown"
    wait = await throttle.wait_seconds(asked.name, address)
    if wait:
        raise ApiError(
            429,
            f"too many failed logins; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    account = await Accounts(runtime.redis, corp).verify(asked.name, asked.password)
    if account is None:
        await throttle.failed(asked.name, address)
        raise ApiError(401, "wrong name or password")
    await throttle.succeeded(asked.name)
    session = await Sessions(runtime.redis, corp, settings).open(account, runtime.deps.clock.now())
    return web.json_response(
        SessionOut(
            token=session.token, expires_at=session.expires_at, user=account.name, role=account.role
        ).model_dump(mode="json")
    )


@routes.delete("/api/v1/session", role=Role.VIEWER, audited=False, tags=("access",))
async def logout(request: web.Request) -> web.Response:
    """End the session whose token authenticates this request."""
    runtime = _runtime(request)
    await Sessions(runtime.redis, _corp(request), runtime.settings.admin).close(bearer(request))
    return web.json_response({})


@routes.get("/api/v1/whoami", answer=Whoami, tags=("access",))
async def whoami(request: web.Request) -> web.Response:
    """Who the credentials are and their role."""
    caller = principal(request)
    return web.json_response({"actor": caller.actor, "role": caller.role.value})


@routes.get("/api/v1/users", role=Role.ADMIN, answer=list[UserOut], tags=("access",))
async def list_users(request: web.Request) -> web.Response:
    """Every operator account."""
    accounts = await Accounts(_runtime(request).redis, _corp(request)).listing()
    return web.json_response(
        [{"name": a.name, "role": a.role.value, "created_at": a.created_at} for a in accounts]
    )


@routes.post(
    "/api/v1/users",
    role=Role.ADMIN,
    body=NewUser,
    answer=UserOut,
    status=201,
    errors=(409,),
    tags=("access",),
)
async def create_user(request: web.Request) -> web.Response:
    """Create an operator account."""
    runtime, asked = _runtime(request), body(request, NewUser)
    try:
        account = await Accounts(runtime.redis, _corp(request)).create(
            asked.name, asked.role, asked.password, runtime.deps.clock.now()
        )
    except AccountError as exc:
        raise ApiError(409, str(exc)) from exc
    record_change(request, f"users/{account.name}", {"role": [None, account.role.value]})
    return web.json_response(
        {"name": account.name, "role": account.role.value, "created_at": account.created_at},
        status=201,
    )


@routes.get("/api/v1/api-keys", role=Role.ADMIN, answer=list[KeyOut], tags=("access",))
async def list_keys(request: web.Request) -> web.Response:
    """Every live API key (ids, roles, names; never the keys)."""
    found = await ApiKeys(_runtime(request).redis, _corp(request)).listing()
    return web.json_response(
        [
            KeyOut(key_id=k.key_id, role=k.role, name=k.name, created_at=k.created_at).model_dump(
                mode="json"
            )
            for k in found
        ]
    )


@routes.post(
    "/api/v1/api-keys",
    role=Role.ADMIN,
    body=NewKey,
    answer=CreatedKey,
    status=201,
    tags=("access",),
)
async def create_key(request: web.Request) -> web.Response:
    """Create an API key; the answer is the only time the key is shown."""
    runtime, asked = _runtime(request), body(request, NewKey)
    record, key = await ApiKeys(runtime.redis, _corp(request)).create(
        asked.role, asked.name, runtime.deps.clock.now()
    )
    record_change(request, f"api-keys/{record.key_id}", {"role": [None, record.role.value]})
    shown = CreatedKey(
        key_id=record.key_id,
        role=record.role,
        name=record.name,
        created_at=record.created_at,
        key=key,
    )
    return web.json_response(shown.model_dump(mode="json"), status=201)


@routes.delete("/api/v1/api-keys/{key_id}", role=Role.ADMIN, path_model=KeyPath, tags=("access",))
async def revoke_key(request: web.Request) -> web.Response:
    """Revoke an API key at once."""
    key_id = path_params(request, KeyPath).key_id
    if not await ApiKeys(_runtime(request).redis, _corp(request)).revoke(key_id):
        raise not_found("API key")
    record_change(request, f"api-keys/{key_id}", "revoked")
    return web.json_response({})


@routes.get("/api/v1/audit", query=AuditQuery, answer=AuditPage, tags=("access",))
async def audit_log(request: web.Request) -> web.Response:
    """Who changed what, newest first, a page at a time (``cursor``)."""
    asked = query(request, AuditQuery)
    audit = Audit(_runtime(request).redis, _corp(request))
    rows = await audit.page(asked.limit + 1, asked.cursor)
    page = rows[: asked.limit]
    items = [
        {
            "id": entry_id,
            "at": e.at,
            "actor": e.actor,
            "action": e.action,
            "document": e.document,
            "diff": e.diff,
        }
        for entry_id, e in page
    ]
    more = len(rows) > asked.limit
    return web.json_response({"items": items, "next_cursor": page[-1][0] if more else None})
