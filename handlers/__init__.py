"""The handlers of siyu, one package per concern; this is the one place that wires them.

It orders the router tree and builds each concern's components once, at start-up.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from redis.asyncio import Redis

from bot.admin import plumbing_routes
from bot.admin.rules import LIBRARY_ITEMS, RULE_SETS
from bot.clock import Clock
from bot.deps import Components
from bot.dispatch import Router
from bot.store.ledger import Ledger
from bot.store.rules import RulesStore
from bot.store.rules_live import LiveRules, RuleSet
from bot.web import members, plumbing_pages
from bot.web.pages import Pages
from config.settings import Settings
from handlers import sidebar_services
from handlers.conversations import admin as archive_admin
from handlers.conversations import router as kf
from handlers.conversations.faq_rules import faq_rule_set
from handlers.conversations.needs import FAQ_ANSWERS, MESSAGE_VERDICTS
from handlers.conversations.needs import MEDIA as KF_MEDIA
from handlers.conversations.transcripts import Transcripts
from handlers.customers import admin as customers_admin
from handlers.customers import components as customer_parts
from handlers.customers import pages as customers_pages
from handlers.customers.pages import KF_TRANSCRIPTS
from handlers.groups import admin as groups_admin
from handlers.groups import components as groups_parts
from handlers.groups import pages as groups_pages
from handlers.groups import router as group_chats
from handlers.groups import sop_pages as groups_sop_pages
from handlers.groups.components import GROUP_REGISTRY
from handlers.groups.rules import GROUP_RULES, group_rule_set
from handlers.groups.services import OwnerAlerts, RegistryNames
from handlers.groups.sop import SOP_REMINDERS
from handlers.intake import admin as intake_admin
from handlers.intake import channels, churn, day_counts, profiles, tags, welcome
from handlers.intake import components as intake_parts
from handlers.intake import pages as intake_pages
from handlers.intake import welcome_pages as intake_welcome_pages
from handlers.intake.directory import LiveDirectory
from handlers.intake.needs import MEDIA as INTAKE_MEDIA
from handlers.intake.rule_store import INTAKE_RULES, intake_rule_set, migrate_old_key
from handlers.media import admin as media_admin
from handlers.media import components as media_parts
from handlers.media import pages as media_pages
from handlers.media import router as media
from handlers.media.components import MEDIA_LIBRARY
from handlers.media.resolver import LibraryResolver
from handlers.moderation import components as moderation_parts
from handlers.moderation import intent_router as intents
from handlers.moderation import pages as moderation_pages
from handlers.moderation import router as moderation
from handlers.moderation.analyzer import (
    ANALYZER,
    MODERATION_RULES,
    Analyzers,
    keywords_rule_set,
    moderation_rule_set,
)
from handlers.moderation.hits import HIT_LOG, HitLog
from handlers.moderation.needs import DIRECTORY, GROUP_ALERTS, GROUP_NAMES
from handlers.moderation.services import AnalyzerVerdicts
from handlers.reminders import admin as reminders_admin
from handlers.reminders import pages as reminders_pages
from handlers.reminders import router as reminders
from handlers.reminders import staff_commands
from handlers.reminders.access import REMINDERS
from handlers.reminders.rules import REMINDER_RULES, reminder_rule_set
from handlers.reminders.service import ReminderService
from handlers.replies import pages as replies_pages
from handlers.replies.rules import QUICK_REPLIES, quick_reply_rule_set
from handlers.sidebar import api as sidebar_api
from handlers.sidebar import components as sidebar_parts
from handlers.sidebar import flags as sidebar_flags
from handlers.sidebar import identity as sidebar_identity
from handlers.sidebar import pages as sidebar_pages
from handlers.sidebar import sending as sidebar_sending
from handlers.tasks import admin as tasks_admin
from handlers.tasks import components as tasks_parts
from handlers.tasks import pages as tasks_pages
from handlers.tasks import router as campaigns
from handlers.tasks.needs import GROUP_LABELS
from handlers.tasks.needs import MEDIA as TASKS_MEDIA


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
    root.include(channels.router, day_counts.router)
    root.include(churn.router)
    root.include(staff_commands.router, reminders.router)  # after profiles: reads relations
    root.include(campaigns.router, group_chats.router)
    root.include(media.router)  # the minute tick: re-uploads temporary media before they expire
    root.include(kf.router)  # queues KF messages as chat messages for the concerns below
    root.include(moderation.router, intents.router)
    root.include(sidebar_flags.router)  # after moderation: copies its flags per customer
    return root


def rule_sets(settings: Settings, analyzers: Analyzers | None = None) -> tuple[RuleSet[Any], ...]:
    """Every operator rule set, seeded from the files the settings name (or config/'s)."""
    return (
        intake_rule_set(settings.intake.rules_file),
        keywords_rule_set(settings.moderation, analyzers or Analyzers()),
        moderation_rule_set(settings.moderation),
        reminder_rule_set(settings.reminders.rules_file),
        group_rule_set(settings.groups.rules_file),
        quick_reply_rule_set(),
        faq_rule_set(settings.kf.faq_file),  # the 微信客服 bot's answers
    )


async def build_components(
    settings: Settings, redis: Redis, clock: Clock, ledger: Ledger, *, workers: bool
) -> Components:
    """Every concern's components, once per process (``workers``: also what only they use).

    Each rule set is a ``LiveRules`` following the rules store (seeded from the defaults when
    empty); the word lists compile on first use (jieba's dictionary and 0.2 s of lists).
    """
    components = Components()
    store = RulesStore(redis, settings.wecom.corp_id, clock)
    await migrate_old_key(redis, settings.wecom.corp_id, store)
    intake, keywords, moderation_rules, reminder_rules, group_rules, replies, faq = (
        LiveRules(store, rule_set) for rule_set in rule_sets(settings)
    )
    for live in (intake, moderation_rules, reminder_rules, group_rules, replies, faq):
        await live.start()
    await keywords.seed()  # compiled on first use
    components.provide(INTAKE_RULES, intake)
    components.provide(MODERATION_RULES, moderation_rules)
    components.provide(REMINDER_RULES, reminder_rules)
    components.provide(GROUP_RULES, group_rules)
    components.provide(QUICK_REPLIES, replies)
    components.provide(FAQ_ANSWERS, faq)  # the KF bot reads its answers live
    every_set = (intake, keywords, moderation_rules, reminder_rules, group_rules, replies, faq)
    components.provide(RULE_SETS, {live.name: live for live in every_set})
    for concern in (
        customer_parts,
        intake_parts,
        moderation_parts,
        tasks_parts,
        groups_parts,
        media_parts,
    ):
        concern.provide(components, redis, settings)
    components.provide(LIBRARY_ITEMS, components.get(MEDIA_LIBRARY))
    resolver = LibraryResolver()
    components.provide(INTAKE_MEDIA, resolver)
    components.provide(TASKS_MEDIA, resolver)
    components.provide(KF_MEDIA, LibraryResolver(media_ids_only=settings.kf.app))
    components.provide(DIRECTORY, LiveDirectory())
    components.provide(GROUP_NAMES, RegistryNames(components.get(GROUP_REGISTRY)))
    components.provide(GROUP_ALERTS, OwnerAlerts())
    components.provide(GROUP_LABELS, components.get(GROUP_REGISTRY))
    reminders = ReminderService.build(redis, settings, clock, ledger, reminder_rules)
    components.provide(REMINDERS, reminders)
    components.provide(SOP_REMINDERS, reminders)
    moderating = workers and settings.moderation.enabled
    components.provide(ANALYZER, keywords if moderating else None)
    components.provide(MESSAGE_VERDICTS, AnalyzerVerdicts(keywords if moderating else None))
    kf_settings = settings.kf  # the customer profile page shows the 微信客服 transcript
    transcripts = Transcripts(
        redis, settings.wecom.corp_id, kf_settings.transcript_max, kf_settings.transcript_days
    )
    components.provide(KF_TRANSCRIPTS, transcripts)
    sidebar_parts.provide(components, redis, settings, clock)
    sidebar_services.provide(components, reminders)
    components.provide(HIT_LOG, HitLog(redis, settings.wecom.corp_id))
    return components


def admin_routes() -> list[web.AbstractRouteDef]:
    """Every /api/v1 route (the framework's, then each concern's) and the sidebar's."""
    tables = (
        tasks_admin.routes,
        groups_admin.routes,
        archive_admin.routes,
        intake_admin.routes,
        customers_admin.routes,
        media_admin.routes,
        sidebar_identity.routes,
        sidebar_api.routes,
        reminders_admin.routes,
        sidebar_sending.routes,
        sidebar_pages.routes,
    )
    return plumbing_routes() + [route for table in tables for route in table]


def console_pages() -> list[Pages]:
    """Every /console/ page table: the framework's (login, dashboard), then each concern's."""
    return [
        *plumbing_pages(),
        intake_pages.pages,
        media_pages.pages,
        customers_pages.pages,
        tasks_pages.pages,
        reminders_pages.pages,
        groups_sop_pages.pages,
        groups_pages.pages,
        members.pages,
        sidebar_pages.templates,
        moderation_pages.pages,
        intake_welcome_pages.pages,
        replies_pages.pages,
    ]
