"""Welcome messages: greet a new customer while the one-shot welcome code is valid.

A welcome code works once, within 20 s of the add event (doc 92599). Nothing may eat that
window: the customer's name is looked up with a short deadline and the text goes without
it when WeCom is slow, and an event that reaches a worker after the window is not sent at
all (counted as missed). The code is claimed in the ledger before the send, so a
redelivered event never calls send_welcome_msg twice; a crash between the claim and the
send cannot be repaired anyway, since a redelivery comes after the code expired.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any, Final

from bot.deps import Deps
from bot.dispatch import Router, either
from bot.events import ExternalContactAdded, ExternalContactHalfAdded
from bot.store.claims import claim
from bot.wecom.api import WeComAPI
from bot.wecom.errors import (
    HeldBack,
    RateLimited,
    SystemBusy,
    WeComAPIError,
    WeComUnavailable,
    WelcomeCodeUsed,
)
from handlers.customers.components import CUSTOMERS
from handlers.intake.filters import Added, has_no_welcome_code, has_welcome_code
from handlers.intake.live import rules_of
from handlers.intake.lookup import mark_lookups_slow, shared_lookup, welcome_claim
from handlers.intake.needs import MEDIA, names_library
from handlers.intake.welcome_text import Welcome, compose

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS: Final = 0.5  # then 1, 2, 4 s: while the code's window leaves time
MAX_SEND_ATTEMPTS: Final = 5

router = Router(name="welcome")  # the express lane: adds with a welcome code
without_code = Router(name="welcome-without-code")  # the main lane: adds without one


@router.on(either(ExternalContactAdded, ExternalContactHalfAdded), has_welcome_code)
async def greet_new_customer(event: Added, deps: Deps) -> None:
    """Send the channel's welcome message while the one-shot welcome code is valid (20 s)."""
    await _greet(event, deps)


@without_code.on(ExternalContactAdded, has_no_welcome_code)
async def note_no_welcome_code(event: ExternalContactAdded, deps: Deps) -> None:
    """No WelcomeCode: WeCom sends the console's welcome, or the pair already chatted."""
    deps.metrics.count_welcome("no_code")


async def _greet(event: Added, deps: Deps) -> None:
    settings = deps.settings.intake
    code = str(event.welcome_code)
    age = (deps.clock.now() - event.create_time).total_seconds()
    if age >= settings.welcome_window_seconds:
        if await deps.ledger.is_done(welcome_claim(code)):  # a redelivery after a failure
            deps.metrics.count_welcome("duplicate")
            return
        logger.warning(
            "welcome for %s (staff %s) missed: the event is %.1f s old",
            event.external_user_id,
            event.user_id,
            age,
        )
        deps.metrics.count_welcome("missed")
        return
    if not await claim(deps.redis, deps.corp_id, welcome_claim(code)):
        deps.metrics.count_welcome("duplicate")
        return
    await _send(event, deps, code, age)


async def _send(event: Added, deps: Deps, code: str, age: float) -> None:
    """Look the name up within what is left of the window, compose, send, remember."""
    settings = deps.settings.intake
    api = deps.api(settings.app)
    rules = await rules_of(deps)
    budget = min(
        settings.name_lookup_seconds,
        settings.welcome_window_seconds - age - settings.welcome_send_reserve_seconds,
    )
    # One lookup per add: the profile handler (main lane) shares it, whichever starts first.
    _, snapshot = await shared_lookup(
        deps,
        event,
        lambda: _look_up(deps, api, event.external_user_id, budget),
        max(budget, 0.0),
        unless_slow=True,
    )
    name = _name_of(snapshot)
    welcome = compose(rules, state=event.state, userid=event.user_id, customer_name=name)
    if names_library(welcome.attachments):  # media-library items: their current media now
        resolved = await deps.get(MEDIA).resolve(deps, welcome.attachments, welcome.source)
        welcome = dataclasses.replace(welcome, attachments=resolved)
    sent = await _deliver(event, deps, code, welcome)
    if sent:
        logger.info(
            "welcomed %s for %s (%s, name %s)",
            event.external_user_id,
            event.user_id,
            welcome.source,
            "known" if name else "unknown",
        )
        await _count_sent(deps, event)


async def _deliver(event: Added, deps: Deps, code: str, welcome: Welcome) -> bool:
    """send_welcome_msg; True if it went out.

    WeCom busy (-1 past the transport's own retries), its 45009/45033 limits and transport
    failures are retried while the code's window leaves time (the code itself makes a retry
    safe: a second use is 41051, never a second message); 41051 and other refusals are
    counted, not retried.
    """
    api = deps.api(deps.settings.intake.app)
    backoff = FIRST_RETRY_SECONDS
    for attempt in range(1, MAX_SEND_ATTEMPTS + 1):
        try:
            await api.contacts.send_welcome(code, welcome.text or None, welcome.attachments)
            break
        except WelcomeCodeUsed:
            logger.info(
                "welcome for %s: code already used or expired (41051)", event.external_user_id
            )
            deps.metrics.count_welcome("code_used")
            return False
        except (SystemBusy, RateLimited, WeComUnavailable) as exc:
            wait = max(backoff, _local_wait(exc))
            if attempt == MAX_SEND_ATTEMPTS or wait > _time_left(event, deps):
                logger.warning("welcome for %s failed: %s", event.external_user_id, exc)
                deps.metrics.count_welcome("failed")
                return False
            logger.info(
                "welcome for %s: %s; retry %d in %.1f s", event.external_user_id, exc, attempt, wait
            )
            await asyncio.sleep(wait)
            backoff *= 2
        except WeComAPIError as exc:  # refused for good (bad attachment, no relation, ...)
            logger.warning("welcome for %s failed: %s", event.external_user_id, exc)
            deps.metrics.count_welcome("failed")
            return False
    sent_age = (deps.clock.now() - event.create_time).total_seconds()
    deps.metrics.count_welcome("sent", sent_age)
    return True


def _local_wait(exc: Exception) -> float:
    """How long siyu's own limiter said to wait (WeCom's 45009/45033 say nothing: backoff)."""
    return exc.retry_after if isinstance(exc, HeldBack) else 0.0


def _time_left(event: Added, deps: Deps) -> float:
    """Seconds of the code's window left for another send (the reserve kept for the call)."""
    settings = deps.settings.intake
    age = (deps.clock.now() - event.create_time).total_seconds()
    return settings.welcome_window_seconds - age - settings.welcome_send_reserve_seconds


async def _look_up(
    deps: Deps, api: WeComAPI, external_userid: str, budget: float
) -> dict[str, Any] | None:
    """externalcontact/get within ``budget`` seconds, or None (slow, refused, no time left).

    A timeout marks lookups slow: the next welcomes skip the name for a while.
    """
    if budget <= 0:
        return None
    try:
        return await asyncio.wait_for(api.contacts.get(external_userid), timeout=budget)
    except TimeoutError:
        logger.info(
            "name of %s not known within %.1f s: welcoming without it, and without "
            "looking names up for %.0f s",
            external_userid,
            budget,
            deps.settings.intake.name_lookup_cooldown_seconds,
        )
        await mark_lookups_slow(deps)
    except (WeComAPIError, WeComUnavailable) as exc:
        logger.info("name of %s not available (%s): welcoming without it", external_userid, exc)
    return None


def _name_of(snapshot: dict[str, Any] | None) -> str | None:
    contact = (snapshot or {}).get("external_contact")
    name = contact.get("name") if isinstance(contact, dict) else None
    return name if isinstance(name, str) and name else None


async def _count_sent(deps: Deps, event: Added) -> None:
    """A welcome counts as a message to the customer (once: the code was claimed above)."""
    customers = deps.get(CUSTOMERS)
    async with deps.redis.pipeline(transaction=False) as pipe:
        customers.count_message(
            pipe, event.external_user_id, "out", int(deps.clock.now().timestamp())
        )
        await pipe.execute()
