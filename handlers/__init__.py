"""The handlers of siyu, one package per concern; this is the one place that wires them.

It orders the router tree and builds each concern's components once, at start-up.
"""

from __future__ import annotations

from aiohttp import web
from redis.asyncio import Redis

from bot.admin import plumbing_routes
from bot.clock import Clock
from bot.deps import Components
from bot.dispatch import Router
from bot.store.ledger import Ledger
from config.settings import Settings
from handlers import sidebar_services
from handlers.conversations import admin as archive_admin
from handlers.conversations import router as kf
from handlers.customers import components as customer_parts
from handlers.groups import admin as groups_admin
from handlers.groups import components as groups_parts
from handlers.groups import router as group_chats
from handlers.groups.components import GROUP_REGISTRY
from handlers.groups.services import OwnerAlerts, RegistryNames
from handlers.groups.sop import SOP_REMINDERS
from handlers.intake import admin as intake_admin
from handlers.intake import channels, churn, profiles, tags, welcome
from handlers.intake import components as intake_parts
from handlers.intake.directory import LiveDirectory
from handlers.moderation import components as moderation_parts
from handlers.moderation import intent_router as intents
from handlers.moderation import router as moderation
from handlers.moderation.analyzer import ANALYZER, load_analyzer
from handlers.moderation.needs import DIRECTORY, GROUP_ALERTS, GROUP_NAMES
from handlers.reminders import router as reminders
from handlers.reminders import staff_commands
from handlers.reminders.access import REMINDERS
from handlers.reminders.service import ReminderService
from handlers.sidebar import api as sidebar_api
from handlers.sidebar import components as sidebar_parts
from handlers.sidebar import identity as sidebar_identity
from handlers.tasks import admin as tasks_admin
from handlers.tasks import components as tasks_parts
from handlers.tasks import router as campaigns
from handlers.tasks.needs import GROUP_LABELS


def build_express_router() -> Router:
    """The express lane's handlers (bot/lanes.py): only what has a deadline.

    The welcome: its code works once and only for 20 s, so it does not wait behind the main
    lane's batches.
    """
    express = Router(name="express")
    express.include(welcome.router)
    return express


def build_root_router() -> Router:
    """The main lane's router tree: every concern sees every event, in this order.

    profiles precede tags, channels and churn, which read the relation it records.
    """
    root = Router(name="root")
    root.include(welcome.without_code, profiles.router, tags.router)
    root.include(channels.router)
    root.include(churn.router)
    root.include(staff_commands.router, reminders.router)  # after profiles: reads relations
    root.include(campaigns.router, group_chats.router)
    root.include(kf.router)  # queues KF messages as chat messages for the concerns below
    root.include(moderation.router, intents.router)
    return root


async def build_components(
    settings: Settings, redis: Redis, clock: Clock, ledger: Ledger, *, workers: bool
) -> Components:
    """Every concern's components, once per process (``workers``: also what only they use)."""
    components = Components()
    for concern in (customer_parts, intake_parts, moderation_parts, tasks_parts, groups_parts):
        concern.provide(components, redis, settings)
    components.provide(DIRECTORY, LiveDirectory())
    components.provide(GROUP_NAMES, RegistryNames(components.get(GROUP_REGISTRY)))
    components.provide(GROUP_ALERTS, OwnerAlerts())
    components.provide(GROUP_LABELS, components.get(GROUP_REGISTRY))
    reminders = ReminderService.build(redis, settings, clock, ledger)
    components.provide(REMINDERS, reminders)
    components.provide(SOP_REMINDERS, reminders)
    sidebar_parts.provide(components, redis, settings, clock)
    sidebar_services.provide(components, reminders)
    components.provide(ANALYZER, await load_analyzer(settings.moderation) if workers else None)
    return components


def admin_routes() -> list[web.AbstractRouteDef]:
    """Every /api/v1 route (the framework's, then each concern's) and the sidebar's."""
    tables = (tasks_admin.routes, groups_admin.routes, archive_admin.routes, intake_admin.routes,
              sidebar_identity.routes, sidebar_api.routes)  # fmt: skip
    return plumbing_routes() + [route for table in tables for route in table]
