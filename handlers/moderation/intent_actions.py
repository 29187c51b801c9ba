"""A customer's intent: tag them, prompt their staff member, mark do-not-disturb, escalate.

What each intent does is in the rules (config/moderation.toml). Every effect is keyed by the
message so a redelivery repeats none: the tag and the do-not-disturb mark are idempotent and
claimed, and a prompt is claimed per recipient after it went out. Prompts also cool down:
a member hears about one customer's intent at most once per ``cooldown_minutes``.
"""

from __future__ import annotations

import logging

from bot.deps import Deps
from bot.events.conversation import ChatMessage
from bot.store.claims import claim
from handlers.customers.components import DO_NOT_DISTURB
from handlers.customers.tag_refs import TagRef
from handlers.moderation.components import COOLDOWNS
from handlers.moderation.excerpt import shortened
from handlers.moderation.needs import StaffDirectory
from handlers.moderation.people import CustomerInfo, customer_info, directory
from handlers.moderation.rules import IntentAction, ModerationRules
from handlers.moderation.tagging import EnsureTags, tag_customer

logger = logging.getLogger(__name__)


def staff_of(message: ChatMessage, customer: CustomerInfo, rules: ModerationRules) -> str:
    """Whom the customer is talking to: the conversation's staff member, else the KF
    account's configured staff, else a staff member who has them as a contact ("" if none)."""
    if message.staff:
        return message.staff
    listed = rules.kf.staff.get(message.conversation.open_kfid, ())
    return listed[0] if listed else customer.contact() or ""


def managers_of(people: StaffDirectory, staff: str, rules: ModerationRules) -> tuple[str, ...]:
    """Who hears of escalations: the member's manager in the staff directory, else the rules'."""
    manager = people.manager_of(staff) if staff else None
    return (manager,) if manager else rules.intents.managers


async def act(
    deps: Deps,
    message: ChatMessage,
    intent: str,
    score: float,
    *,
    rules: ModerationRules,
    ensure: EnsureTags,
) -> None:
    """Everything the rules say ``intent`` calls for."""
    action = rules.intents.actions.get(intent)
    if action is None or score < action.min_score or not message.customer:
        return
    if await claim(deps.redis, deps.corp_id, f"intent:{message.key}:counted"):
        deps.metrics.count_intent(intent)
    customer = await customer_info(deps, message.customer, message.key)
    staff = staff_of(message, customer, rules)
    if action.do_not_disturb:
        marked = await deps.get(DO_NOT_DISTURB).add(
            message.customer, f"intent:{intent}", message.sent_at
        )
        logger.info(
            "intent %s: %s do-not-disturb (%s)",
            intent,
            message.customer,
            "marked" if marked else "already",
        )
    if action.tag:
        tag = TagRef(group=rules.intents.tag_group, name=action.tag)
        await tag_customer(
            deps, customer, staff, [tag], ensure=ensure, once=f"intent:{message.key}:tag"
        )
    await _tell(deps, message, intent, action, rules, customer=customer, staff=staff)


async def _tell(
    deps: Deps,
    message: ChatMessage,
    intent: str,
    action: IntentAction,
    rules: ModerationRules,
    *,
    customer: CustomerInfo,
    staff: str,
) -> None:
    people = await directory(deps)
    fields = {
        "customer": customer.label,
        "staff": people.staff_name(staff) if staff else "-",
        "text": shortened(message.text),
        "intent": intent,
    }
    told: list[tuple[str, str]] = []
    if action.prompt and staff:
        told.append((staff, action.prompt.format(**fields)))
    elif action.prompt:
        logger.info("intent %s of %s: nobody to prompt", intent, message.key)
    if action.escalate:
        text = (action.escalation or action.prompt or "客户{customer}：{intent}").format(**fields)
        told.extend((manager, text) for manager in managers_of(people, staff, rules))
    cooldowns = deps.get(COOLDOWNS)
    seconds = rules.intents.cooldown_minutes * 60
    api = deps.api(deps.settings.moderation.app)
    for userid, text in dict(told).items():  # each recipient once (a manager may be the staff)
        sent = f"intent:{message.key}:told:{userid}"
        if await deps.ledger.is_done(sent):
            continue
        if not await cooldowns.take(
            userid, message.customer, intent, message.key, now=deps.clock.now(), seconds=seconds
        ):
            logger.info(
                "intent %s: %s was told about %s recently", intent, userid, message.customer
            )
            continue
        await api.messages.send_text([userid], text)
        await claim(deps.redis, deps.corp_id, sent)
        logger.info("intent %s of %s: told %s", intent, message.key, userid)
