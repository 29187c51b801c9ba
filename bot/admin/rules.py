"""/api/v1/rules: every operator rule set as a versioned document.

``GET /api/v1/rules`` lists the sets and their versions; ``GET /api/v1/rules/{name}`` answers
the document with its version in ``ETag``; ``PUT`` replaces it and must carry the version it
read in ``If-Match``: a stale one is 412 (never a silent overwrite), a document that does not
validate is 422 with the reasons. The store writes the audit entry (actor, diff) in the same
Lua call as the document, so these writes are not audited twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final, Protocol

from aiohttp import web
from pydantic import BaseModel, Field

from bot.admin.endpoints import Endpoints, body_value, path_params, principal
from bot.admin.errors import ApiError, ErrorDetail, not_found
from bot.deps import ComponentKey, Deps, MissingComponent
from bot.live import RUNTIME
from bot.store.rules import StaleVersion
from bot.store.rules_live import LiveRules, RulesInvalid

# Every rule set by name, provided by the wiring (handlers/__init__.py).
RULE_SETS: Final = ComponentKey[Mapping[str, LiveRules[Any]]]("rule_sets")


class LibraryItems(Protocol):
    """The media library, as the rules see it: which item ids it does not have."""

    async def missing(self, item_ids: Iterable[str]) -> set[str]:
        """The ids of ``item_ids`` that name no library item."""
        ...


# The media library (handlers/media), provided by the wiring: a document may only reference
# items that exist ({"library": "<id>"} anywhere in it).
LIBRARY_ITEMS: Final = ComponentKey[LibraryItems]("library_items")
_ETAG: Final = re.compile(r'^\s*(?:W/)?"v?(\d{1,18})"\s*$')

routes = Endpoints()


class RuleSetName(BaseModel):
    """The path of one rule set."""

    name: str = Field(pattern=r"^[a-z_]{1,32}$")


class RuleSetVersion(BaseModel):
    """A rule set and its current version."""

    name: str
    version: int


class RuleDocument(BaseModel):
    """A rule set's document and its version."""

    name: str
    version: int
    document: Any


def _live(request: web.Request, name: str) -> LiveRules[Any]:
    deps: Deps = request.app[RUNTIME].deps
    found = deps.get(RULE_SETS).get(name)
    if found is None:
        raise not_found("rule set")
    return found


def etag(version: int) -> str:
    """The ETag of a version."""
    return f'"v{version}"'


def expected_version(request: web.Request) -> int:
    """The version ``If-Match`` names (412 when it is missing or not one of ours)."""
    header = request.headers.get("If-Match")
    if header is None:
        raise ApiError(412, "send the version you read in If-Match (the ETag of the GET)")
    matched = _ETAG.match(header)
    if matched is None:
        raise ApiError(412, 'If-Match must be the ETag of the GET, like "v3"')
    return int(matched.group(1))


@routes.get("/api/v1/rules", answer=list[RuleSetVersion], tags=("rules",))
async def list_rule_sets(request: web.Request) -> web.Response:
    """Every rule set and its current version."""
    deps: Deps = request.app[RUNTIME].deps
    sets = deps.get(RULE_SETS)
    versions = [
        {"name": name, "version": await live.store.version(name)}
        for name, live in sorted(sets.items())
    ]
    return web.json_response(versions)


@routes.get("/api/v1/rules/{name}", path_model=RuleSetName, answer=RuleDocument, tags=("rules",))
async def get_rule_set(request: web.Request) -> web.Response:
    """A rule set's document; its version is the ETag."""
    name = path_params(request, RuleSetName).name
    live = _live(request, name)
    document, version = await live.store.get(name)
    if document is None:
        await live.seed()
        document, version = await live.store.get(name)
    answer = {"name": name, "version": version, "document": document}
    return web.json_response(answer, headers={"ETag": etag(version)})


@routes.put(
    "/api/v1/rules/{name}",
    path_model=RuleSetName,
    body=Any,
    answer=RuleSetVersion,
    errors=(412,),
    audited=False,
    tags=("rules",),
)
async def put_rule_set(request: web.Request) -> web.Response:
    """Replace a rule set's document (If-Match: the version it is based on)."""
    name = path_params(request, RuleSetName).name
    live = _live(request, name)
    expected = expected_version(request)
    document = body_value(request)
    await check_library_items(request.app[RUNTIME].deps, document)
    try:
        version = await live.replace(document, expected, principal(request).actor)
    except StaleVersion as exc:
        raise ApiError(412, str(exc)) from exc
    except RulesInvalid as exc:
        raise ApiError(422, str(exc)) from exc
    return web.json_response({"name": name, "version": version}, headers={"ETag": etag(version)})


def library_references(document: Any, where: str = "body") -> Iterator[tuple[str, str]]:
    """Every media-library reference in ``document``: (its field, the item id)."""
    if isinstance(document, Mapping):
        for key, value in document.items():
            field = f"{where}.{key}"
            if key == "library" and isinstance(value, str):
                yield field, value
            else:
                yield from library_references(value, field)
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from library_references(value, f"{where}.{index}")


async def check_library_items(deps: Deps, document: Any) -> None:
    """422 when the document names media-library items that do not exist."""
    references = list(library_references(document))
    if not references:
        return
    try:
        library = deps.get(LIBRARY_ITEMS)
    except MissingComponent:  # a deployment without the media concern: nothing to check
        return
    missing = await library.missing(item for _, item in references)
    if not missing:
        return
    details = [
        ErrorDetail(
            field=field,
            message=f"no media-library item {item!r}: upload it first (POST /api/v1/media)",
            type="library_item_missing",
        )
        for field, item in references
        if item in missing
    ]
    more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
    raise ApiError(422, f"{details[0].field}: {details[0].message}{more}", details)
