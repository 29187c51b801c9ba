"""Who gets a task, and from whom: pure functions over customers and their relations.

Tags, channel (state) and the add time belong to a relation (one staff member's customer),
as in WeCom. A customer matches through a relation that passes every criterion; the
customer's first-added time is the earliest add to any staff member. A customer is sent the
task once, by the staff member who added them first among the matching relations: WeCom's
monthly cap counts per customer, so two senders would spend two of the customer's sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from handlers.tasks.model import CustomerFilter, Exclusions


@dataclass(frozen=True, slots=True)
class Reach:
    """One staff member's relation to a customer, as targeting needs it."""

    userid: str
    createtime: int  # when this staff member added the customer (Unix seconds)
    tag_ids: frozenset[str] = frozenset()
    state: str = ""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A customer and their live relations."""

    external_userid: str
    relations: tuple[Reach, ...]
    first_added: int | None = None  # known first add (the store keeps it past deletions)

    @property
    def first_added_at(self) -> int:
        """The earliest add to the corp (Unix seconds)."""
        times = [r.createtime for r in self.relations if r.createtime]
        if self.first_added:
            times.append(self.first_added)
        return min(times, default=0)


@dataclass(frozen=True, slots=True)
class Selection:
    """The chosen sender of every targeted customer, and what was left out."""

    senders: Mapping[str, str]  # external_userid → userid
    exclusions: Exclusions
    matched: int  # customers matching the criteria, before exclusions


def relation_matches(rule: CustomerFilter, reach: Reach) -> bool:
    """Whether one relation passes the tag expression, channel and staff criteria."""
    tags = reach.tag_ids
    return (
        (not rule.all_tags or tags.issuperset(rule.all_tags))
        and (not rule.any_tags or not tags.isdisjoint(rule.any_tags))
        and (not rule.no_tags or tags.isdisjoint(rule.no_tags))
        and (not rule.channels or reach.state in rule.channels)
        and (not rule.staff or reach.userid in rule.staff)
    )


def _in_range(rule: CustomerFilter, first_added: int) -> bool:
    if rule.added_from is not None and first_added < _unix(rule.added_from):
        return False
    return rule.added_until is None or first_added < _unix(rule.added_until)


def _unix(moment: datetime) -> int:
    return int(moment.timestamp())


def sender_for(rule: CustomerFilter, candidate: Candidate) -> str | None:
    """The staff member who sends to this customer, or None if the customer does not match."""
    if not _in_range(rule, candidate.first_added_at):
        return None
    matching = [r for r in candidate.relations if relation_matches(rule, r)]
    if not matching:
        return None
    return min(matching, key=lambda r: (r.createtime, r.userid)).userid


def select(
    rule: CustomerFilter,
    candidates: Iterable[Candidate],
    do_not_disturb: frozenset[str] | set[str],
    over_cap: frozenset[str] | set[str],
) -> Selection:
    """Pick each matching customer's sender, leaving out do-not-disturb and capped ones."""
    senders: dict[str, str] = {}
    matched = dnd = capped = 0
    for candidate in candidates:
        sender = sender_for(rule, candidate)
        if sender is None:
            continue
        matched += 1
        if candidate.external_userid in do_not_disturb:
            dnd += 1
        elif candidate.external_userid in over_cap:
            capped += 1
        else:
            senders[candidate.external_userid] = sender
    return Selection(senders, Exclusions(do_not_disturb=dnd, over_cap=capped), matched)
