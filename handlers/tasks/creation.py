"""Planning a task and making its add_msg_template calls, once each, whatever happens.

Every call has an index, a state and a start time in Redis. Before a call goes out it is
marked ``calling``; WeCom's msgid marks it ``created``. So:

- 45009/45033 (or siyu's own limiter): WeCom made nothing. The call goes back to ``pending``
  and RateLimited propagates: the worker defers the event, calls already made stay made.
- A refusal for good (no valid customer left, no permission): ``failed``, the rest go on.
- No answer (timeout, -1, a crash between the call and the write): the call stays
  ``calling``. WeCom may or may not have made the template. Before calling again, siyu looks
  for it: get_groupmsg_list_v2 for the sender's templates created since the call started
  with the same text, and get_groupmsg_send_result for one with exactly this call's targets.
  Found: adopted. Not found: called again. The trade-off: if WeCom made the template but
  does not list it yet when siyu looks, the sender sees the task twice in 群发助手, and
  customers get it twice if they confirm both (each send counting against WeCom's monthly
  cap). siyu prefers that, which a sender can see and skip, to silently dropping a call
  whose customers would then never get the message.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Final

from bot.wecom.errors import (
    AccessTokenInvalid,
    RateLimited,
    SystemBusy,
    WeComAPIError,
    WeComUnavailable,
)
from handlers.customers.components import DO_NOT_DISTURB
from handlers.tasks import cards
from handlers.tasks.context import Campaigns
from handlers.tasks.model import Exclusions, TaskSpec, TaskState
from handlers.tasks.needs import GROUP_LABELS, MEDIA, names_library
from handlers.tasks.records import NOT_FRIEND, CallRecord, CallState, TaskRecord
from handlers.tasks.recovery import find_lost
from handlers.tasks.sources import customer_candidates, group_senders
from handlers.tasks.splitting import limit_for, split
from handlers.tasks.targeting import select

logger = logging.getLogger(__name__)

_DONE: Final = frozenset({CallState.CREATED.value, CallState.FAILED.value, CallState.SKIPPED.value})


@dataclasses.dataclass(frozen=True, slots=True)
class Targets:
    """Who a task reaches and from whom, before anything is stored."""

    senders: dict[str, str]  # target (customer or group) → the staff member who sends
    matched: int
    exclusions: Exclusions


async def targets(campaigns: Campaigns, spec: TaskSpec) -> Targets:
    """The task's targets: do-not-disturb and monthly-capped ones left out."""
    if spec.customers is not None:
        candidates = await customer_candidates(
            spec.source, spec.customers, campaigns.api, campaigns.deps.redis, campaigns.deps.corp_id
        )
        ids = [c.external_userid for c in candidates]
        dnd = await _do_not_disturb(campaigns, ids)
        capped = await _over_cap(campaigns, ids)
        chosen = select(spec.customers, candidates, dnd, capped)
        return Targets(dict(chosen.senders), chosen.matched, chosen.exclusions)
    assert spec.groups is not None  # noqa: S101 - a spec targets one or the other
    found = await group_senders(spec.groups, campaigns.api, campaigns.deps.get(GROUP_LABELS))
    capped = await _over_cap(campaigns, list(found))
    senders = {chat: owner for chat, owner in found.items() if chat not in capped}
    return Targets(senders, len(found), Exclusions(over_cap=len(found) - len(senders)))


async def plan(campaigns: Campaigns, task: TaskRecord) -> TaskRecord:
    """Compute the targets, leave out do-not-disturb and capped ones, split, store the calls."""
    spec, now = task.spec, campaigns.unix()
    found = await targets(campaigns, spec)
    senders, matched, exclusions = found.senders, found.matched, found.exclusions
    chunks = split(senders, limit_for(spec.chat_type))
    if not chunks:
        await campaigns.end(
            task.id,
            TaskState.FAILED,
            matched=matched,
            error="no customer or group left to send to",
        )
        return dataclasses.replace(task, state=TaskState.FAILED)
    if not await campaigns.store.save_plan(task.id, chunks, matched, exclusions, now):
        current = await campaigns.store.get(task.id)
        return current or task  # cancelled while it was being planned
    logger.info(
        "task %s planned: %d targets in %d calls (%d matched)",
        task.id,
        len(senders),
        len(chunks),
        matched,
    )
    return dataclasses.replace(
        task, state=TaskState.CREATING, matched=matched, planned=len(senders), exclusions=exclusions
    )


async def _do_not_disturb(campaigns: Campaigns, ids: list[str]) -> set[str]:
    marks = campaigns.deps.get(DO_NOT_DISTURB)
    found: set[str] = set()
    for start in range(0, len(ids), 5000):
        found |= await marks.which(ids[start : start + 5000])
    return found


async def _over_cap(campaigns: Campaigns, ids: list[str]) -> set[str]:
    counts = await campaigns.months.counts(campaigns.month(), ids)
    cap = campaigns.cap()
    return {target for target, sends in counts.items() if sends >= cap}


async def create_calls(campaigns: Campaigns, task: TaskRecord) -> str:
    """Make every call not made yet; prompt the senders. The task's state afterwards."""
    taken = {c.msgid for c in await campaigns.store.calls(task.id) if c.msgid}
    for call in await campaigns.store.calls(task.id):
        if call.state in _DONE:
            continue
        current = await campaigns.store.get(task.id)
        if current is None or current.state is not TaskState.CREATING:
            return "stopped"  # cancelled meanwhile
        if campaigns.now() >= task.spec.deadline:  # too late to ask anyone to send it
            late = dataclasses.replace(call, state=CallState.SKIPPED.value, error="deadline passed")
            await campaigns.store.put_call(task.id, late)
            continue
        made = await _make(campaigns, task, call, taken)
        if made.msgid:
            taken.add(made.msgid)
    calls = await campaigns.store.calls(task.id)
    if not any(c.state == CallState.CREATED.value for c in calls):
        errors = "; ".join(sorted({c.error for c in calls if c.error}))
        await campaigns.end(task.id, TaskState.FAILED, error=errors or "WeCom made no group send")
        return TaskState.FAILED.value
    moved = await campaigns.store.move(
        task.id, campaigns.unix(), TaskState.ACTIVE, only_from=[TaskState.CREATING]
    )
    if not moved:
        return "stopped"
    await prompt_senders(campaigns, task.id)
    return TaskState.ACTIVE.value


async def _make(
    campaigns: Campaigns, task: TaskRecord, call: CallRecord, taken: set[str]
) -> CallRecord:
    """Make one call (or adopt the template a lost answer made)."""
    store, targets = campaigns.store, await campaigns.store.targets(task.id, call.index)
    if call.state == CallState.CALLING.value:
        found = await find_lost(campaigns, task, call, targets, taken)
        if found:
            adopted = dataclasses.replace(call, state=CallState.CREATED.value, msgid=found)
            await store.put_call(task.id, adopted)
            campaigns.deps.metrics.count_task_call("adopted")
            logger.info(
                "task %s call %d: adopted %s after a lost answer", task.id, call.index, found
            )
            return adopted
    body = template_body(task, call, targets)
    if names_library(body.get("attachments", ())):  # media-library items: their media now
        body["attachments"] = list(
            await campaigns.deps.get(MEDIA).resolve(
                campaigns.deps, body["attachments"], f"task:{task.id}"
            )
        )
    calling = dataclasses.replace(
        call, state=CallState.CALLING.value, started_at=campaigns.unix(), attempts=call.attempts + 1
    )
    await store.put_call(task.id, calling)
    try:
        answer = await campaigns.api.campaigns.add_msg_template(body)
    except (RateLimited, AccessTokenInvalid):  # refused before anything was made
        await store.put_call(task.id, dataclasses.replace(calling, state=CallState.PENDING.value))
        campaigns.deps.metrics.count_task_call("rate_limited")
        raise
    except (SystemBusy, WeComUnavailable):  # unknown: stays "calling", looked for next time
        campaigns.deps.metrics.count_task_call("unknown")
        raise
    except WeComAPIError as exc:
        failed = dataclasses.replace(calling, state=CallState.FAILED.value, error=str(exc))
        await store.put_call(task.id, failed)
        campaigns.deps.metrics.count_task_call("failed")
        return failed
    rejected = [str(t) for t in answer.get("fail_list", [])]
    made = dataclasses.replace(
        calling, state=CallState.CREATED.value, msgid=str(answer["msgid"]), rejected=len(rejected)
    )
    await store.record_results(
        task.id,
        dict.fromkeys(rejected, NOT_FRIEND),
        campaigns.month(),
        campaigns.cap(),
        campaigns.month_ttl(),
    )
    await store.put_call(task.id, made)
    campaigns.deps.metrics.count_task_call("created")
    return made


def template_body(task: TaskRecord, call: CallRecord, targets: tuple[str, ...]) -> dict[str, Any]:
    """The add_msg_template body of one call."""
    listed = "chat_id_list" if task.spec.chat_type == "group" else "external_userid"
    return {
        "chat_type": task.spec.chat_type,
        "sender": call.sender,
        listed: list(targets),
        "allow_select": False,
        **task.spec.content.template(),
    }


async def prompt_senders(campaigns: Campaigns, task_id: int) -> int:
    """Send each sender whose calls exist their prompt card, once. How many were prompted."""
    task = await campaigns.store.get(task_id)
    if task is None:
        return 0
    made = {
        c.sender for c in await campaigns.store.calls(task_id) if c.state == CallState.CREATED.value
    }
    prompted = 0
    for staff in (await campaigns.store.staff(task_id)).values():
        if staff.prompted_at or staff.userid not in made:
            continue
        effect = f"task-prompt:{task_id}:{staff.userid}"
        if not await campaigns.deps.ledger.is_done(effect):
            card = cards.prompt_card(task, staff, campaigns.tz, campaigns.settings.card_url)
            if await campaigns.deliver([staff.userid], "template_card", card):
                campaigns.deps.metrics.count_task_message("prompt")
            await campaigns.deps.ledger.apply_once(effect, lambda pipe: None)
        await campaigns.store.put_staff(
            task_id, dataclasses.replace(staff, prompted_at=campaigns.unix())
        )
        prompted += 1
    return prompted
