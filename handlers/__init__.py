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


def build_root_router() -> Router:
    """The router tree: every concern sees every event, in this order.

    welcome comes first: its send must beat a 20 s deadline, everything else can wait.
    profiles precede tags, channels and churn, which read the relation it records.
    """
    root = Router(name="root")
    root.include(welcome.router, journal.router, profiles.router, tags.router, channels.router)
    root.include(churn.router)
    root.include(staff_commands.router, reminders.router)  # after profiles: reads relations
    root.include(campaigns.router, group_chats.router)
    root.include(kf.router)  # queues KF messages as chat messages for the concerns below
    root.include(moderation.router, intents.router)
    return root
