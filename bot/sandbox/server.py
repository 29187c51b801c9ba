"""create_sandbox_app: the one factory of the sandbox, used by ``siyu sandbox`` and the tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from bot.clock import Clock, SystemClock
from bot.sandbox import actor_routes, client_routes, control_routes, kf_routes
from bot.sandbox.api import media
from bot.sandbox.api.catalog import all_endpoints
from bot.sandbox.api.dispatch import Pipeline
from bot.sandbox.config import AppCredentials, Limits, SandboxConfig
from bot.sandbox.httpjson import control_errors
from bot.sandbox.seed import SEEDS
from bot.sandbox.world import WORLD, World

__all__ = ["AppCredentials", "Limits", "SandboxConfig", "create_sandbox_app"]


def create_sandbox_app(config: SandboxConfig, clock: Clock | None = None) -> web.Application:
    """The sandbox: WeCom's API under /cgi-bin/, actors and controls under /sandbox/."""
    world = World.create(config, clock or SystemClock())
    if config.seed is not None:
        seed = SEEDS.get(config.seed)
        if seed is None:
            raise ValueError(f"unknown seed {config.seed!r}; known: {', '.join(SEEDS)}")
        seed(world)
    # media/upload takes files up to 20 MB (doc 90253): bodies up to that and the form's parts
    app = web.Application(middlewares=[control_errors], client_max_size=media.MAX_BODY_BYTES)
    app[WORLD] = world

    async def emitter(app: web.Application) -> AsyncIterator[None]:
        async with app[WORLD].emitter.running():
            yield

    app.cleanup_ctx.append(emitter)
    app.add_routes(Pipeline(all_endpoints()).routes())
    app.add_routes(control_routes.routes)
    app.add_routes(actor_routes.routes)
    app.add_routes(kf_routes.routes)  # KF sessions: servicers, taps, take, end
    app.add_routes(media.routes)
    app.add_routes(client_routes.routes)
    return app
