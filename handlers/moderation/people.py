"""Who is who in a message: names, the customer's contacts and channel, the staff's manager.

Read from what intake keeps (customer profiles, the staff directory and channels of the
intake rules) and, for a customer intake has not seen, from externalcontact/get (one call
per message, shared by its handlers through intake's snapshot cache).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.deps import Deps
from bot.events.conversation import ChatMessage, Source
from bot.wecom.errors import NoExternalContactRelation, WeComAPIError
from handlers.customers.components import CUSTOMERS
from handlers.customers.profiles import Relation
from handlers.moderation.needs import DIRECTORY, GROUP_NAMES, StaffDirectory

logger = logging.getLogger(__name__)

SOURCE_LABELS = {Source.APP: "应用消息", Source.KF: "微信客服", Source.ARCHIVE: "会话存档"}


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    """A customer's name and current contacts (staff who have them), most recent first."""

    external_userid: str
    name: str = ""
    relations: tuple[Relation, ...] = ()

    @property
    def label(self) -> str:
        """The name, else the id."""
        return self.name or self.external_userid

    def contact(self, preferred: str = "") -> str | None:
        """A staff member who has the customer as a contact: ``preferred`` if they do."""
        userids = [r.userid for r in self.relations]
        if preferred in userids:
            return preferred
        return userids[0] if userids else None

    def relation(self, userid: str) -> Relation | None:
        """The relation with ``userid``, if current."""
        return next((r for r in self.relations if r.userid == userid), None)


def _current(relations: list[Relation]) -> tuple[Relation, ...]:
    alive = [r for r in relations if r.deleted_at is None and r.userid]
    return tuple(sorted(alive, key=lambda r: r.createtime, reverse=True))


async def customer_info(deps: Deps, external_userid: str, message_key: str) -> CustomerInfo:
    """The customer as intake knows them, else as WeCom says (cached for this message)."""
    if not external_userid:
        return CustomerInfo("")
    customers = deps.get(CUSTOMERS)
    profile = await customers.get(external_userid)
    if profile is not None and profile.relations:
        return CustomerInfo(
            external_userid, profile.name, _current(list(profile.relations.values()))
        )
    snapshot = await customers.cached_snapshot(external_userid, message_key)
    if snapshot is None:
        nobody = CustomerInfo(external_userid, profile.name if profile else "")
        if await customers.known_not_a_contact(external_userid):
            return nobody  # a 微信客服-only customer: WeCom said so a moment ago
        try:
            snapshot = dict(
                await deps.api(deps.settings.moderation.app).contacts.get(external_userid)
            )
        except NoExternalContactRelation:  # not a contact of anyone (a KF-only customer)
            await customers.remember_not_a_contact(external_userid)
            return nobody
        except WeComAPIError as exc:  # gone, or refused
            logger.info("no contact details for %s: errcode %s", external_userid, exc.errcode)
            return nobody
        async with deps.redis.pipeline(transaction=False) as pipe:
            customers.cache_snapshot(pipe, external_userid, message_key, snapshot)
            await pipe.execute()
    contact = snapshot.get("external_contact", {})
    relations = [Relation.from_follow_user(item) for item in snapshot.get("follow_user", [])]
    return CustomerInfo(external_userid, str(contact.get("name", "")), _current(relations))


async def directory(deps: Deps) -> StaffDirectory:
    """The staff directory now: names and managers, channels by state."""
    return await deps.get(DIRECTORY).current(deps)


def staff_label(rules: StaffDirectory, userid: str) -> str:
    """员工 and the member's name."""
    return f"员工 {rules.staff_name(userid)}"


def channel_label(rules: StaffDirectory, customer: CustomerInfo, staff: str) -> str:
    """The channel that brought the customer (to ``staff`` if they have them), or ""."""
    relation = customer.relation(staff) or (customer.relations[0] if customer.relations else None)
    if relation is None or not relation.state:
        return ""
    name = rules.channel_name(relation.state)
    return f"{name}（{relation.state}）" if name else relation.state


async def place_label(
    deps: Deps, rules: StaffDirectory, message: ChatMessage, customer: CustomerInfo
) -> str:
    """Where the message went: the group, the app, or the other side of the chat."""
    talk = message.conversation
    if talk.is_group:
        name = await deps.get(GROUP_NAMES).name_of(talk.chat_id)
        return f"群 {name or talk.chat_id}"
    if message.source is Source.APP:
        return "siyu 应用"
    if not message.from_customer:
        return f"客户 {customer.label}" if talk.customer else "-"
    if talk.staff:
        return staff_label(rules, talk.staff)
    return f"微信客服 {talk.open_kfid}" if talk.open_kfid else "-"


def sender_label(rules: StaffDirectory, message: ChatMessage, customer: CustomerInfo) -> str:
    """Who wrote the message."""
    if message.from_customer:
        return f"客户 {customer.label if customer.external_userid else message.sender}"
    return staff_label(rules, message.sender)
