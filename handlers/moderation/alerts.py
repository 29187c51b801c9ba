"""A message with sensitive hits: count it, alert its reviewers once, tag the customer.

Each step is idempotent under redelivery, keyed by the message (``ChatMessage.key``):
- the counters move in one ledger transaction (``moderation:<key>:count``);
- the card is recorded the first time it is built and the same card is sent until the
  send is marked (``…:sent``), so a resend after a crash is identical and WeCom's
  duplicate check drops it;
- the customer tag is marked once (``…:tag``).
Message content is never logged; cards carry only the excerpt.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from redis.asyncio.client import Pipeline

from bot.deps import Deps
from bot.events.conversation import ChatMessage
from bot.metrics import AlertOutcome
from bot.store.claims import claim
from bot.wecom.errors import AllRecipientsInvalid, RateLimited, WeComAPIError
from handlers.customers.tag_refs import TagRef
from handlers.moderation.cards import (
    FALSE_POSITIVE,
    RESOLVED_LABELS,
    AlertView,
    alert_card,
    task_id_for,
    violations_text,
)
from handlers.moderation.components import ALERT_RECORDS, VIOLATIONS
from handlers.moderation.excerpt import excerpt
from handlers.moderation.people import (
    SOURCE_LABELS,
    CustomerInfo,
    channel_label,
    customer_info,
    directory,
    place_label,
    sender_label,
)
from handlers.moderation.rules import ModerationRules
from handlers.moderation.tagging import EnsureTags, tag_customer
from handlers.moderation.violations import TOTAL, AlertRecord
from nlp import Hit

logger = logging.getLogger(__name__)


def categories_of(hits: tuple[Hit, ...]) -> tuple[str, ...]:
    """The categories hit, in the order of their first hit."""
    return tuple(dict.fromkeys(hit.category for hit in hits))


async def alert(
    deps: Deps,
    message: ChatMessage,
    hits: tuple[Hit, ...],
    rules: ModerationRules,
    ensure: EnsureTags,
) -> None:
    """Everything one message's sensitive hits call for."""
    categories = categories_of(hits)
    role = str(message.role)
    violations = deps.get(VIOLATIONS)

    def count(pipe: Pipeline) -> None:
        violations.count(pipe, role, message.sender, categories)

    if await deps.ledger.apply_once(f"moderation:{message.key}:count", count):
        for category in categories:
            deps.metrics.count_sensitive(category, role)
    counts = await violations.of(role, message.sender)
    customer = await customer_info(deps, message.customer, message.key)
    record = await _record(deps, message, hits, rules=rules, customer=customer, counts=counts)
    await _send(deps, message, record)
    if message.from_customer:
        refs = _customer_tags(rules, categories, counts)
        await tag_customer(
            deps, customer, message.staff, refs, ensure=ensure, once=f"moderation:{message.key}:tag"
        )


async def _record(
    deps: Deps,
    message: ChatMessage,
    hits: tuple[Hit, ...],
    *,
    rules: ModerationRules,
    customer: CustomerInfo,
    counts: dict[str, int],
) -> AlertRecord:
    records = deps.get(ALERT_RECORDS)
    task_id = task_id_for(message.key)
    found = await records.get(task_id)
    if found is not None:
        return found
    categories = categories_of(hits)
    people = await directory(deps)
    labels = {c: rules.alerts.label(c) for c in categories}
    spans = [(h.start, h.end) for h in hits]
    local = message.sent_at.astimezone(ZoneInfo(deps.settings.timezone))
    group = "（群聊）" if message.conversation.is_group else ""
    by_category = {c: counts.get(c, 0) for c in categories}
    view = AlertView(
        categories=tuple(labels.values()),
        excerpt=excerpt(message.text, spans, rules.alerts.excerpt_context),
        sender=sender_label(people, message, customer),
        recipient=await place_label(deps, people, message, customer),
        source=SOURCE_LABELS[message.source] + group,
        channel=channel_label(people, customer, message.staff) if customer.external_userid else "",
        violations=violations_text(counts.get(TOTAL, 0), by_category, labels),
        when=local.strftime("%m-%d %H:%M"),
    )
    reviewers = rules.alerts.reviewers_of(categories, staff_side=not message.from_customer)
    about = {
        "message": message.key,
        "role": str(message.role),
        "sender": message.sender,
        "categories": list(categories),
        "reviewers": list(reviewers),
    }
    return await records.keep(task_id, alert_card(view, task_id), about)


async def _send(deps: Deps, message: ChatMessage, record: AlertRecord) -> None:
    sent = f"moderation:{message.key}:sent"
    if await deps.ledger.is_done(sent):
        return
    reviewers = [str(userid) for userid in record.about.get("reviewers", [])]
    categories = record.about.get("categories", [])
    if not reviewers:
        logger.warning(
            "moderation: %s hit %s but the rules name no reviewers", message.key, categories
        )
        deps.metrics.count_alert("no_reviewers")
    else:
        api = deps.api(deps.settings.moderation.app)
        try:
            await api.messages.send_card(reviewers, record.card)
        except AllRecipientsInvalid:
            logger.error(
                "moderation: no reviewer of %s is a valid member: %s", categories, reviewers
            )
            deps.metrics.count_alert("invalid_reviewers")
        else:
            logger.info(
                "moderation: %s (%s, %s) alerted to %s",
                message.key,
                categories,
                message.role,
                reviewers,
            )
            deps.metrics.count_alert("sent")
    await claim(deps.redis, deps.corp_id, sent)


def _customer_tags(
    rules: ModerationRules, categories: tuple[str, ...], counts: dict[str, int]
) -> list[TagRef]:
    """The tags of this message's categories whose threshold the customer has reached."""
    alerts = rules.alerts
    return [
        TagRef(group=alerts.tag_group, name=category.customer_tag)
        for name in categories
        if (category := alerts.category(name)).customer_tag
        and counts.get(name, 0) >= category.tag_after
    ]


async def resolve(
    deps: Deps, task_id: str, userid: str, action: str, response_code: str | None
) -> str:
    """A reviewer pressed 已处理 or 误报: record it (the first press stands) and update
    their card; a false positive takes the writer's counts back (once). The action that
    stands is returned."""
    records = deps.get(ALERT_RECORDS)
    record = await records.get(task_id)
    standing = action
    if record is not None:
        resolution = {"action": action, "by": userid, "at": int(deps.clock.now().timestamp())}
        first, standing = await records.resolve(task_id, resolution)
        if first:
            outcome: AlertOutcome = "false_positive" if action == FALSE_POSITIVE else "resolved"
            deps.metrics.count_alert(outcome)
            logger.info("moderation: alert %s resolved by %s: %s", task_id, userid, action)
        if standing == FALSE_POSITIVE:
            await _take_back(deps, task_id, record)
    if response_code:
        api = deps.api(deps.settings.moderation.app)
        try:
            await api.messages.update_card([userid], response_code, RESOLVED_LABELS[standing])
        except RateLimited:
            raise
        except WeComAPIError as exc:  # the code was used (a redelivered press) or expired
            logger.info("alert %s: card not updated (errcode %s)", task_id, exc.errcode)
    return standing


async def _take_back(deps: Deps, task_id: str, record: AlertRecord) -> None:
    about = record.about
    categories = [str(c) for c in about.get("categories", [])]
    violations = deps.get(VIOLATIONS)

    def uncount(pipe: Pipeline) -> None:
        violations.count(pipe, str(about.get("role")), str(about.get("sender")), categories, -1)

    await deps.ledger.apply_once(f"moderation:{task_id}:false_positive", uncount)
