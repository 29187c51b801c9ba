"""The OpenAPI 3.1 document of /api/v1, generated from the declared endpoints' models."""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Final

from aiohttp import web
from pydantic import BaseModel, TypeAdapter

from bot.admin.endpoints import Endpoint, Endpoints
from bot.admin.errors import CODES, ErrorBody

REF: Final = "#/components/schemas/{model}"
routes = Endpoints()


def endpoints_of(app: web.Application) -> list[Endpoint]:
    """The declared endpoints registered on ``app``."""
    found = []
    for route in app.router.routes():
        owner = getattr(route.handler, "__self__", None)
        if isinstance(owner, Endpoint) and route.method == owner.method:
            found.append(owner)
    return found


def document(endpoints: Iterable[Endpoint]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``endpoints``."""
    schemas: dict[str, Any] = {}
    error = _schema(ErrorBody, schemas)
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(
            endpoint, schemas, error
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "siyu admin API",
            "version": _version(),
            "description": 'Errors: {"error": {"code", "message", "details"}}.',
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "an API key or a session token",
                }
            },
        },
    }


def _version() -> str:
    try:
        return version("siyu")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "0"


def _schema(kind: Any, schemas: dict[str, Any]) -> dict[str, Any]:
    """``kind``'s JSON schema; models, and the models in it, go to the components."""
    found = TypeAdapter(kind).json_schema(ref_template=REF)
    schemas.update(found.pop("$defs", {}))
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        schemas[kind.__name__] = found
        return {"$ref": REF.format(model=kind.__name__)}
    return found


def _operation(endpoint: Endpoint, schemas: dict[str, Any], error: dict[str, Any]) -> Any:
    spec = endpoint.spec
    operation: dict[str, Any] = {
        "operationId": endpoint.name,
        "summary": endpoint.summary,
        "tags": list(spec.tags) or [_tag(endpoint.path)],
        "parameters": [
            *_parameters(spec.path, "path", schemas),
            *_parameters(spec.query, "query", schemas),
        ],
        "responses": {str(spec.status): _answer(spec.answer, schemas)},
    }
    if spec.role is not None:
        operation["security"] = [{"bearer": []}]
        operation["x-role"] = spec.role.value
    if spec.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema(spec.body, schemas)}},
        }
    for status in _errors(endpoint):
        operation["responses"][str(status)] = {
            "description": CODES[status],
            "content": {"application/json": {"schema": error}},
        }
    return operation


def _tag(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/")[0]


def _answer(kind: Any, schemas: dict[str, Any]) -> dict[str, Any]:
    if kind is None:
        return {"description": "done"}
    return {
        "description": "done",
        "content": {"application/json": {"schema": _schema(kind, schemas)}},
    }


def _errors(endpoint: Endpoint) -> list[int]:
    spec = endpoint.spec
    statuses = set(spec.errors)
    if spec.role is not None:
        statuses |= {401, 403}
    if spec.query is not None or spec.body is not None:
        statuses.add(422)
    if spec.body is not None:
        statuses |= {400, 413}
    if spec.path is not None:
        statuses.add(404)
    return sorted(statuses)


def _parameters(
    model: type[BaseModel] | None, where: str, schemas: dict[str, Any]
) -> list[dict[str, Any]]:
    if model is None:
        return []
    found = model.model_json_schema(ref_template=REF)
    schemas.update(found.pop("$defs", {}))
    required = set(found.get("required", ()))
    return [
        {
            "name": name,
            "in": where,
            "required": where == "path" or name in required,
            "schema": schema,
            **({"description": schema["description"]} if "description" in schema else {}),
        }
        for name, schema in found.get("properties", {}).items()
    ]


@routes.get("/api/v1/openapi.json", role=None, answer=dict[str, Any], tags=("meta",))
async def openapi_document(request: web.Request) -> web.Response:
    """This API's OpenAPI 3.1 document."""
    return web.json_response(document(endpoints_of(request.app)))
