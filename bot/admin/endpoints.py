"""Declared endpoints: every /api/v1 route with its role, its inputs and its answers as
pydantic models. The same models validate requests and generate the OpenAPI document.

A concern's ``admin`` module builds an ``Endpoints`` table (a drop-in for aiohttp's
``RouteTableDef``)::

    routes = Endpoints()

    @routes.get("/api/v1/tasks", query=TaskListQuery, answer=list[TaskBrief])
    async def list_tasks(request: web.Request) -> web.Response:
        limit = query(request, TaskListQuery).limit

Before the handler runs, the endpoint authenticates the caller (bot/admin/auth.py), checks the
role (GET: viewer, other methods: operator, unless declared), and validates path, query and
body (422 in the error shape; a path that does not validate names nothing: 404). After a
successful write it appends an audit entry (bot/admin/audit.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar, overload

from aiohttp import web
from pydantic import BaseModel, TypeAdapter, ValidationError
from redis.exceptions import RedisError

from bot.admin.audit import Audit
from bot.admin.auth import authenticate
from bot.admin.errors import ApiError, invalid, not_found
from bot.admin.roles import Principal, Role
from bot.live import RUNTIME

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
M = TypeVar("M", bound=BaseModel)
READS: Final = frozenset({"GET", "HEAD"})


@dataclass(frozen=True, slots=True)
class Inputs:
    """A request's validated path, query and body."""

    path: BaseModel | None
    query: BaseModel | None
    body: Any


@dataclass(slots=True)
class Change:
    """What a write changed, for its audit entry (set by the handler if it knows more)."""

    document: str | None = None
    diff: Any = None


INPUTS: Final = web.RequestKey("admin_inputs", Inputs)
PRINCIPAL: Final = web.RequestKey("admin_principal", Principal)
CHANGE: Final = web.RequestKey("admin_change", Change)


@dataclass(frozen=True, slots=True)
class Spec:
    """What an endpoint declares: role, inputs, answers (status → type), summary."""

    role: Role | None  # None: public (no credentials)
    path: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    body: Any = None  # a type pydantic's TypeAdapter takes
    answer: Any = None
    status: int = 200
    errors: tuple[int, ...] = ()  # error answers beyond those every endpoint may give
    tags: tuple[str, ...] = ()
    audited: bool = True  # writes only


class Endpoint(web.AbstractRouteDef):
    """One declared /api/v1 route."""

    def __init__(self, method: str, path: str, handler: Handler, spec: Spec) -> None:
        self.method = method
        self.path = path
        self.handler = handler
        self.spec = spec
        self._body = TypeAdapter(spec.body) if spec.body is not None else None

    @property
    def name(self) -> str:
        """The operationId: the handler's name."""
        return self.handler.__name__

    @property
    def summary(self) -> str:
        """The handler's docstring, first line."""
        return (self.handler.__doc__ or self.name).strip().splitlines()[0]

    def register(self, router: web.UrlDispatcher) -> list[web.AbstractRoute]:
        """Add the route to an app's router."""
        return [router.add_route(self.method, self.path, self.serve, name=self.name)]

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """Authenticate, authorize, validate, run the handler, audit a write."""
        principal = await self._authorize(request)
        request[INPUTS] = Inputs(
            self._path(request), self._query(request), await self._read(request)
        )
        change = request[CHANGE] = Change()
        response = await self.handler(request)
        if principal is not None and self._audits() and response.status < 400:  # noqa: PLR2004
            await _audit(request, principal, f"{self.method} {self.path}", change)
        return response

    def _audits(self) -> bool:
        return self.spec.audited and self.method not in READS

    async def _authorize(self, request: web.Request) -> Principal | None:
        if self.spec.role is None:
            return None
        principal = await authenticate(request)
        if not principal.role.allows(self.spec.role):
            raise ApiError(403, f"this needs the {self.spec.role} role; you are {principal.role}")
        request[PRINCIPAL] = principal
        return principal

    def _path(self, request: web.Request) -> BaseModel | None:
        if self.spec.path is None:
            return None
        try:
            return self.spec.path.model_validate(dict(request.match_info))
        except ValidationError as exc:
            raise not_found(_resource(self.path)) from exc

    def _query(self, request: web.Request) -> BaseModel | None:
        if self.spec.query is None:
            return None
        try:
            return self.spec.query.model_validate(dict(request.query))
        except ValidationError as exc:
            raise invalid(exc, "query") from exc

    async def _read(self, request: web.Request) -> Any:
        if self._body is None:
            return None
        raw = await request.read()
        try:
            value = json.loads(raw) if raw else None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ApiError(400, "the body must be JSON") from exc
        try:
            return self._body.validate_python(value)
        except ValidationError as exc:
            raise invalid(exc, "body") from exc


def _resource(path: str) -> str:
    parts = [p for p in path.removeprefix("/api/v1/").split("/") if p and not p.startswith("{")]
    return " ".join(parts) or "resource"


async def _audit(request: web.Request, principal: Principal, action: str, change: Change) -> None:
    runtime = request.app[RUNTIME]
    try:
        await Audit(runtime.redis, runtime.settings.wecom.corp_id).record(
            runtime.deps.clock.now(),
            principal.actor,
            action,
            change.document or request.path,
            change.diff,
        )
    except (RedisError, OSError):
        logger.exception("audit: could not record %s by %s", action, principal.actor)


class Endpoints(Sequence[web.AbstractRouteDef]):
    """A table of declared endpoints, added to an app like aiohttp's RouteTableDef."""

    def __init__(self) -> None:
        self._items: list[Endpoint] = []

    def __iter__(self) -> Iterator[web.AbstractRouteDef]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> web.AbstractRouteDef: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[web.AbstractRouteDef]: ...
    def __getitem__(self, index: int | slice) -> Any:
        return self._items[index]

    def route(
        self,
        method: str,
        path: str,
        *,
        role: Role | Literal["default"] | None = "default",
        path_model: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        body: Any = None,
        answer: Any = None,
        status: int = 200,
        errors: tuple[int, ...] = (),
        tags: tuple[str, ...] = (),
        audited: bool = True,
    ) -> Callable[[Handler], Handler]:
        """Declare ``handler`` as ``method path``; role: GET viewer, else operator; None: public."""
        if role == "default":
            role = Role.VIEWER if method in READS else Role.OPERATOR
        spec = Spec(role, path_model, query, body, answer, status, errors, tags, audited)

        def add(handler: Handler) -> Handler:
            self._items.append(Endpoint(method, path, handler, spec))
            return handler

        return add

    def get(self, path: str, **spec: Any) -> Callable[[Handler], Handler]:
        """Declare a GET endpoint (viewer unless ``role=``)."""
        return self.route("GET", path, **spec)

    def post(self, path: str, **spec: Any) -> Callable[[Handler], Handler]:
        """Declare a POST endpoint (operator unless ``role=``)."""
        return self.route("POST", path, **spec)

    def put(self, path: str, **spec: Any) -> Callable[[Handler], Handler]:
        """Declare a PUT endpoint (operator unless ``role=``)."""
        return self.route("PUT", path, **spec)

    def delete(self, path: str, **spec: Any) -> Callable[[Handler], Handler]:
        """Declare a DELETE endpoint (operator unless ``role=``)."""
        return self.route("DELETE", path, **spec)


def _inputs(request: web.Request) -> Inputs:
    return request[INPUTS]


def path_params(request: web.Request, model: type[M]) -> M:
    """The request's path parameters as validated by its endpoint."""
    return _typed(_inputs(request).path, model)


def query(request: web.Request, model: type[M]) -> M:
    """The request's query as validated by its endpoint."""
    return _typed(_inputs(request).query, model)


def body(request: web.Request, model: type[M]) -> M:
    """The request's body as validated by its endpoint."""
    return _typed(_inputs(request).body, model)


def body_value(request: web.Request) -> Any:
    """The request's body as validated by its endpoint, when it is not one model."""
    return _inputs(request).body


def principal(request: web.Request) -> Principal:
    """Who is calling (endpoints that need a role)."""
    return request[PRINCIPAL]


def record_change(request: web.Request, document: str, diff: Any = None) -> None:
    """Name the document a write changed, and its diff, for the audit entry."""
    change = request[CHANGE]
    change.document, change.diff = document, diff


def _typed(value: Any, model: type[M]) -> M:
    if not isinstance(value, model):
        raise TypeError(f"the endpoint does not declare {model.__name__}")  # a wiring bug
    return value
