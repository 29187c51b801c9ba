"""The library's worker: on the minute tick, re-upload temporary media that are due."""

from __future__ import annotations

import logging

from bot.deps import Deps
from bot.dispatch import Router
from bot.events.ticks import MinuteTick
from handlers.media.service import renew_due

logger = logging.getLogger(__name__)

router = Router(name="media")


@router.on(MinuteTick)
async def renew_temporary_media(event: MinuteTick, deps: Deps) -> None:
    """Re-upload every library item whose 3-day media_id has run 2 days."""
    renewed = await renew_due(deps)
    if renewed:
        logger.info("minute tick %s: %d library item(s) re-uploaded", event.slot, renewed)
