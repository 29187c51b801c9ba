"""Allocation: which staff a channel's live code should list right now. Pure.

Why a user list: WeCom, not siyu, picks which member of a multi-person live code a scanning
customer adds (doc 92228 gives the code a ``user`` list and nothing else). The only lever
siyu has is that list, changed with update_contact_way. So the rules are applied by
deciding, after every add and at every shift change, who should be on the list:

- off-duty members and members at their daily cap are off the list;
- among the rest, weights are followed with credits (a smooth weighted round-robin): each
  add through the channel gives every eligible member ``weight / total weight`` of credit
  and takes 1 from the member who got the customer. A member whose credit falls to
  ``-tolerance`` leaves the list; they come back when it is ≥ 0 again. WeCom spreads adds
  about evenly over the list, so with equal weights nobody ever leaves it, and with unequal
  ones the list changes every few adds, not at every add (update_contact_way is limited
  like any API: 10 000 a minute per corp);
- when nobody is eligible, the backup staff take the code (or, with no backup configured,
  the whole rotation: a code must list someone, and a customer turned away is worse).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from handlers.intake.hours import on_duty
from handlers.intake.rules import Channel, ChannelMember, IntakeRules


@dataclass(frozen=True, slots=True)
class Plan:
    """The user list a channel's code should have, and why."""

    users: tuple[str, ...]
    reason: str  # "rotation" | "backup" | "fallback"


def eligible(
    rules: IntakeRules, channel: Channel, adds_today: Mapping[str, int], local_now: datetime
) -> tuple[ChannelMember, ...]:
    """The channel's members on duty at ``local_now`` and under today's cap."""
    return tuple(
        member
        for member in channel.staff
        if on_duty(rules.shifts_of(member), local_now)
        and (member.daily_cap is None or adds_today.get(member.userid, 0) < member.daily_cap)
    )


def plan(
    rules: IntakeRules,
    channel: Channel,
    *,
    adds_today: Mapping[str, int],
    credits: Mapping[str, float],
    listed: tuple[str, ...],
    local_now: datetime,
) -> Plan:
    """The list the code should carry now; ``listed`` is what it carries (for hysteresis)."""
    members = eligible(rules, channel, adds_today, local_now)
    if not members:
        if channel.backup:
            return Plan(channel.backup, "backup")
        return Plan(tuple(member.userid for member in channel.staff), "fallback")
    tolerance = rules.allocation.tolerance
    kept = [
        member.userid
        for member in members
        if (member.userid in listed and credits.get(member.userid, 0.0) > -tolerance)
        or credits.get(member.userid, 0.0) >= 0
    ]
    if not kept:  # cannot happen while credits sum to about 0; never list nobody
        kept = [max(members, key=lambda member: credits.get(member.userid, 0.0)).userid]
    return Plan(tuple(kept), "rotation")


def credit_changes(members: tuple[ChannelMember, ...], receiver: str) -> dict[str, float]:
    """What one add to ``receiver`` does to the credits of the eligible ``members``.

    An add to someone outside the rotation (a backup, or a member just capped whose code
    change raced the scan) is not part of the rotation and changes nothing.
    """
    if receiver not in {member.userid for member in members}:
        return {}
    total = sum(member.weight for member in members)
    changes = {member.userid: member.weight / total for member in members}
    changes[receiver] -= 1.0
    return changes


def credit_bounds(tolerance: float) -> tuple[float, float]:
    """Credits are kept within these, so an old imbalance cannot hog the code later."""
    return -(2 * tolerance + 1), tolerance + 1
