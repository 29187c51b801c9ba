"""Lanes of the event queue: which stream an event is queued on.

Every event goes to the main lane, whose workers run every concern in order. An event whose
handling has a deadline is also copied to the express lane, whose workers run only the
deadline-bound handlers: a welcome code works once and only for 20 s, and must not wait
behind a batch held up by a slow concern (a WeCom API answering in seconds, a big campaign).
"""

from __future__ import annotations

from typing import Final

MAIN: Final = ""
EXPRESS: Final = "express"
LANES: Final = (MAIN, EXPRESS)


def is_express(event: object) -> bool:
    """An event carrying a welcome code (an add: 20 s to use it) is copied to the express lane.

    Any event: this module knows no event types, so the queue can import it (bot.events
    imports the queue).
    """
    return getattr(event, "welcome_code", None) is not None  # as intake's has_welcome_code
