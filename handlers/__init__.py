"""The handlers of siyu, one module per concern; this is the one place that orders them."""

from bot.dispatch import Router
from handlers import (
    campaigns,
    channels,
    churn,
    group_chats,
    intents,
    journal,
    kf,
    moderation,
    profiles,
    reminders,
    staff_commands,
    tags,
    welcome,
)


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
    root.include(welcome.without_code, journal.router, profiles.router, tags.router)
    root.include(channels.router)
    root.include(churn.router)
    root.include(staff_commands.router, reminders.router)  # after profiles: reads relations
    root.include(campaigns.router, group_chats.router)
    root.include(kf.router)  # queues KF messages as chat messages for the concerns below
    root.include(moderation.router, intents.router)
    return root
