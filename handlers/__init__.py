"""The handlers of siyu, one module per concern; this is the one place that orders them."""

from bot.dispatch import Router
from handlers import journal


def build_root_router() -> Router:
    """The router tree: every concern sees every event, in this order."""
    root = Router(name="root")
    root.include(journal.router)
    return root
