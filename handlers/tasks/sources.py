"""Where a task's customers come from: WeCom itself, or the profiles siyu has stored.

``wecom`` (the default) pages batch/get_by_user over every follow user (100 staff members a
call, 100 relations a page): WeCom's current relations, tags and states, including customers
siyu never saw an event of (added before siyu was deployed). ``store`` reads siyu's profiles
(handlers/customers/profiles.py): no API calls, but only customers siyu has seen, as of their last
event. Do-not-disturb marks and monthly send counts are siyu's either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from redis.asyncio import Redis

from bot.store import keys
from bot.wecom.api import WeComAPI
from handlers.customers.indexes import CustomerIndex, CustomerQuery
from handlers.customers.profiles import Relation
from handlers.tasks.model import CustomerFilter, GroupFilter, Source
from handlers.tasks.needs import GroupLabels
from handlers.tasks.targeting import Candidate, Reach

STAFF_PER_CALL: Final = 100  # batch/get_by_user userid_list (doc 92994)
PAGE: Final = 100  # its limit
MAX_PAGES: Final = 100_000  # a runaway cursor stops here (10 M relations)
SCAN_BATCH: Final = 500


async def customer_candidates(
    source: Source, rule: CustomerFilter, api: WeComAPI, redis: Redis, corp_id: str
) -> list[Candidate]:
    """Every customer the rule could reach, with their live relations."""
    if source is Source.STORE:
        return await from_index(redis, corp_id, rule)
    # Only the named staff's relations are needed, unless first-added dates are asked for:
    # a customer's first add may be to anyone.
    staff = () if rule.added_from or rule.added_until else rule.staff
    return await from_wecom(api, staff)


async def from_wecom(api: WeComAPI, staff: Sequence[str] = ()) -> list[Candidate]:
    """The customers of ``staff`` (default: every follow user), paged from WeCom."""
    userids = list(staff) or await api.contacts.follow_users()
    relations: dict[str, list[Reach]] = {}
    for start in range(0, len(userids), STAFF_PER_CALL):
        batch = userids[start : start + STAFF_PER_CALL]
        cursor = ""
        for _ in range(MAX_PAGES):
            page = await api.contacts.batch_get_by_user(batch, cursor, limit=PAGE)
            for item in page.get("external_contact_list", []):
                contact, info = item.get("external_contact", {}), item.get("follow_info", {})
                reach = Reach(
                    str(info.get("userid", "")),
                    int(info.get("createtime", 0) or 0),
                    frozenset(str(t) for t in info.get("tag_id", []) or []),
                    str(info.get("state", "") or ""),
                )
                relations.setdefault(str(contact.get("external_userid", "")), []).append(reach)
            cursor = str(page.get("next_cursor") or "")
            if not cursor:
                break
    return [Candidate(ext, tuple(found)) for ext, found in relations.items() if ext]


async def from_index(redis: Redis, corp_id: str, rule: CustomerFilter) -> list[Candidate]:
    """The customers the rule could reach, found through the customer indexes (no SCAN).

    The indexes hold what a customer has on any live relation, so they give a superset of
    the rule's relation-level matches (tags all/any, channels, staff); targeting then checks
    each relation. Exclusions (tags none of) and dates are left to targeting: a customer
    excluded by one relation may still be reached through another.
    """
    query = CustomerQuery(
        all_tags=rule.all_tags, any_tags=rule.any_tags, channels=rule.channels, staff=rule.staff
    )
    found: list[Candidate] = []
    for batch in await CustomerIndex(redis, corp_id).ids(query, SCAN_BATCH * 10):
        relation_keys = [keys.customer_relations(corp_id, ext) for ext in batch]
        found.extend(await _stored(redis, corp_id, relation_keys))
    return found


async def from_store(redis: Redis, corp_id: str) -> list[Candidate]:
    """Every customer siyu has a profile of, by a SCAN of the keyspace: what targeting did
    before the indexes (``from_index``); kept as the benchmark's baseline and for rebuilds."""
    pattern = keys.customer_relations(corp_id, "*")
    found: list[Candidate] = []
    batch: list[str] = []
    async for key in redis.scan_iter(match=pattern, count=SCAN_BATCH):
        batch.append(str(key))
        if len(batch) >= SCAN_BATCH:
            found.extend(await _stored(redis, corp_id, batch))
            batch = []
    found.extend(await _stored(redis, corp_id, batch))
    return found


def _external_userid(corp_id: str, relations_key: str) -> str:
    prefix, suffix = keys.customer_relations(corp_id, "\0").split("\0")
    return relations_key.removeprefix(prefix).removesuffix(suffix)


async def _stored(redis: Redis, corp_id: str, relation_keys: list[str]) -> list[Candidate]:
    if not relation_keys:
        return []
    ids = [_external_userid(corp_id, key) for key in relation_keys]
    async with redis.pipeline(transaction=False) as pipe:
        for key, external_userid in zip(relation_keys, ids, strict=True):
            pipe.hvals(key)
            pipe.hget(keys.customer(corp_id, external_userid), "first_added_at")
        replies = await pipe.execute()
    found = []
    for index, external_userid in enumerate(ids):
        raw_relations, first = replies[2 * index], replies[2 * index + 1]
        live = [Relation.from_json(raw) for raw in raw_relations]
        reaches = tuple(
            Reach(r.userid, r.createtime, frozenset(r.tag_ids), r.state)
            for r in live
            if r.deleted_at is None and r.userid
        )
        if reaches:
            found.append(Candidate(external_userid, reaches, int(float(first)) if first else None))
    return found


async def group_senders(rule: GroupFilter, api: WeComAPI, labels: GroupLabels) -> dict[str, str]:
    """The customer groups a rule targets, each with its owner (the only one who can send).

    Listed chat ids, else the groups of the named owners (or of every follow user), from
    WeCom's groupchat/list; labels (siyu's own, on its group registry) narrow either.
    """
    if rule.chat_ids:
        found = {chat_id: await _owner_of(api, chat_id) for chat_id in rule.chat_ids}
    else:
        owners = list(rule.owners) or await api.contacts.follow_users()
        found = {}
        for owner in owners:
            found |= dict.fromkeys(await _groups_of(api, owner), owner)
    if rule.owners:
        found = {chat: owner for chat, owner in found.items() if owner in rule.owners}
    if rule.labels:
        labelled = await labels.labelled(rule.labels)
        found = {chat: owner for chat, owner in found.items() if chat in labelled}
    return {chat: owner for chat, owner in found.items() if owner}


async def _owner_of(api: WeComAPI, chat_id: str) -> str:
    answer = await api.groups.get(chat_id, need_name=False)
    return str(answer.get("group_chat", {}).get("owner", ""))


async def _groups_of(api: WeComAPI, owner: str) -> list[str]:
    chats: list[str] = []
    cursor = ""
    for _ in range(MAX_PAGES):
        page = await api.groups.list_groups([owner], cursor=cursor, limit=1000)
        chats.extend(str(g["chat_id"]) for g in page.get("group_chat_list", []) if "chat_id" in g)
        cursor = str(page.get("next_cursor") or "")
        if not cursor:
            break
    return chats
