"""What a group task is: content, target, deadline; validated against WeCom's limits.

A task targets customers (by tag expression, channel, first-added range, staff) or customer
groups (by owner, siyu's group labels, ids). Specs are plain values, stored as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from bot.wecom.bounds import MAX_ATTACHMENTS, TEXT_BYTES
from bot.wecom.hosts import hosted_problem

ATTACHMENT_TYPES: Final = frozenset({"image", "link", "miniprogram", "video", "file"})
TITLE_CHARS: Final = 60


class TaskSpecError(ValueError):
    """A task that WeCom would refuse, or that makes no sense (no target, past deadline)."""


class TaskState(StrEnum):
    """Where a task is in its life."""

    PLANNING = "planning"  # targets being computed
    CREATING = "creating"  # add_msg_template calls under way
    ACTIVE = "active"  # every call made; staff are sending
    COMPLETED = "completed"  # every sender sent before the deadline
    CLOSED = "closed"  # the deadline passed
    CANCELLED = "cancelled"
    FAILED = "failed"  # nothing could be created (no target left, WeCom refused)


OPEN_STATES: Final = frozenset({TaskState.PLANNING, TaskState.CREATING, TaskState.ACTIVE})


class Source(StrEnum):
    """Where the customers and their relations come from."""

    WECOM = "wecom"  # batch/get_by_user over every follow user: WeCom's truth, paged
    STORE = (
        "store"  # siyu's profiles (handlers/customers/profiles.py): only customers siyu has seen
    )


@dataclass(frozen=True, slots=True)
class Content:
    """Text (≤4000 bytes) and up to 9 attachments, as add_msg_template takes them."""

    text: str = ""
    attachments: tuple[Mapping[str, Any], ...] = ()

    def problems(self) -> list[str]:
        """Why WeCom would refuse this content (empty if it would not)."""
        found = []
        if not self.text.strip() and not self.attachments:
            found.append("the task needs text or attachments")
        if len(self.text.encode("utf-8")) > TEXT_BYTES:
            found.append(f"text is {len(self.text.encode('utf-8'))} bytes; WeCom takes 4000")
        if len(self.attachments) > MAX_ATTACHMENTS:
            found.append(f"{len(self.attachments)} attachments; WeCom takes 9")
        for index, attachment in enumerate(self.attachments):
            kind = attachment.get("msgtype")
            if kind not in ATTACHMENT_TYPES or not isinstance(attachment.get(kind), Mapping):
                found.append(
                    f"attachment {index + 1} needs msgtype image|link|miniprogram|"
                    "video|file and its object"
                )
            elif kind == "image" and (url := attachment["image"].get("pic_url")) is not None:
                problem = hosted_problem(str(url))  # WeCom shows only images it hosts
                found.extend([f"attachment {index + 1}: {problem}"] if problem else [])
        return found

    def template(self) -> dict[str, Any]:
        """The content part of an add_msg_template body."""
        body: dict[str, Any] = {}
        if self.text:
            body["text"] = {"content": self.text}
        if self.attachments:
            body["attachments"] = [dict(a) for a in self.attachments]
        return body

    def preview(self, chars: int = 40) -> str:
        """The text shortened for a card or a list."""
        text = " ".join(self.text.split()) or f"[{len(self.attachments)} 个附件]"
        return text if len(text) <= chars else text[: chars - 1] + "…"


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    """Which customers: a tag expression, channels, first-added range, sending staff."""

    everyone: bool = False  # explicitly every customer (no other criterion needed)
    all_tags: tuple[str, ...] = ()  # tag ids the relation must all carry
    any_tags: tuple[str, ...] = ()  # at least one of these
    no_tags: tuple[str, ...] = ()  # none of these
    channels: tuple[str, ...] = ()  # the relation's state (the live code it came through)
    added_from: datetime | None = None  # the customer's first add to the corp, inclusive
    added_until: datetime | None = None  # exclusive
    staff: tuple[str, ...] = ()  # only these staff members send

    def narrows(self) -> bool:
        """Whether any criterion is set (else ``everyone`` must be)."""
        return bool(
            self.all_tags
            or self.any_tags
            or self.no_tags
            or self.channels
            or self.added_from
            or self.added_until
            or self.staff
        )


@dataclass(frozen=True, slots=True)
class GroupFilter:
    """Which customer groups: by owner, by siyu's group labels, or listed."""

    owners: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()  # labels given to groups in siyu (config/groups.toml, admin)
    chat_ids: tuple[str, ...] = ()
    everyone: bool = False


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """What the operator asked for."""

    title: str
    content: Content
    deadline: datetime
    customers: CustomerFilter | None = None
    groups: GroupFilter | None = None
    operator: str = ""  # the staff member who gets the summary ("" → [tasks] summary_to)
    source: Source = Source.WECOM

    @property
    def chat_type(self) -> str:
        """add_msg_template's chat_type."""
        return "group" if self.groups is not None else "single"

    def problems(self, now: datetime) -> list[str]:
        """Why this spec cannot become a task (empty if it can)."""
        found = self.content.problems()
        if self.deadline.tzinfo is None:
            found.append("the deadline needs a time zone")
        elif self.deadline <= now:
            found.append("the deadline is in the past")
        if (self.customers is None) == (self.groups is None):
            found.append("target either customers or customer groups")
        elif self.customers is not None and not (
            self.customers.everyone or self.customers.narrows()
        ):
            found.append("no criterion given: name tags, channels, staff or say all customers")
        elif self.groups is not None and not (
            self.groups.everyone or self.groups.owners or self.groups.labels or self.groups.chat_ids
        ):
            found.append("no group criterion given: owners, labels, chat ids or all groups")
        if len(self.title) > TITLE_CHARS:
            found.append(f"the title has more than {TITLE_CHARS} characters")
        return found

    def checked(self, now: datetime) -> TaskSpec:
        """This spec, or TaskSpecError listing every problem."""
        found = self.problems(now)
        if found:
            raise TaskSpecError("; ".join(found))
        return self


@dataclass(frozen=True, slots=True)
class Exclusions:
    """Customers a plan left out, and why."""

    do_not_disturb: int = 0
    over_cap: int = 0


@dataclass(frozen=True, slots=True)
class Chunk:
    """One add_msg_template call: a sender and ≤10,000 customers (or ≤2,000 groups)."""

    index: int
    sender: str
    targets: tuple[str, ...] = field(repr=False)

    @property
    def size(self) -> int:
        """How many customers or groups."""
        return len(self.targets)
