"""A task as stored: the task, each add_msg_template call, each sender's progress."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Final, Self

from handlers.tasks.model import Exclusions, TaskSpec, TaskState

UNSENT, SENT, NOT_FRIEND, CAPPED = 0, 1, 2, 3  # get_groupmsg_send_result (doc 93338)
STATUS_NAMES: Final = {UNSENT: "unsent", SENT: "sent", NOT_FRIEND: "not_friend", CAPPED: "capped"}


class CallState(StrEnum):
    """One add_msg_template call's state."""

    PENDING = "pending"  # not tried yet, or WeCom refused with 45009 (so nothing was made)
    CALLING = "calling"  # a call went out; its answer is unknown (timeout, crash)
    CREATED = "created"  # WeCom answered a msgid
    FAILED = "failed"  # WeCom refused it for good (e.g. no valid customer left)
    SKIPPED = "skipped"  # the task was cancelled before this call


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One add_msg_template call of a task: one sender, ≤10,000 customers or ≤2,000 groups."""

    index: int
    sender: str
    size: int
    state: str = CallState.PENDING.value
    msgid: str = ""
    started_at: int = 0  # when the call in flight began (Unix s): where to look for it
    attempts: int = 0
    rejected: int = 0  # the answer's fail_list: not (any more) the sender's contacts
    error: str = ""
    sent: bool = False  # the sender confirmed it (get_groupmsg_task status 2)
    send_time: int = 0
    results_final: bool = False  # send_result fetched after sending, nothing left unsent
    wecom_reminders: int = 0  # remind_groupmsg_send calls (≤3, ≥24 h apart)
    wecom_reminded_at: int = 0
    cancelled: bool = False  # cancel_groupmsg_send done

    def to_json(self) -> str:
        """As stored."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Self:
        """From the stored JSON."""
        return cls(**json.loads(raw))


@dataclass(frozen=True, slots=True)
class StaffRecord:
    """A sender's part of a task: their targets, the prompt card, reminders."""

    userid: str
    targets: int
    calls: int = 1
    sent_calls: int = 0
    sent_at: int = 0  # when their last call was confirmed
    prompted_at: int = 0
    reminders: int = 0  # siyu's reminder cards
    reminded_at: int = 0

    def to_json(self) -> str:
        """As stored."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Self:
        """From the stored JSON."""
        return cls(**json.loads(raw))

    @property
    def status(self) -> str:
        """unsent, partial (some of their calls) or sent."""
        if self.sent_calls >= self.calls:
            return "sent"
        return "partial" if self.sent_calls else "unsent"


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """A task: what was asked, where it is, what the plan left out, what the polls found."""

    id: int
    spec: TaskSpec
    state: TaskState
    created_at: int
    created_by: str = ""
    updated_at: int = 0
    matched: int = 0  # targets matching the criteria
    planned: int = 0  # targets in the calls (matched minus exclusions)
    exclusions: Exclusions = field(default_factory=Exclusions)
    polled_at: int = 0
    summary_at: int = 0
    ended_at: int = 0
    error: str = ""
    counts: Mapping[str, int] = field(default_factory=dict)  # status name → targets

    @property
    def is_open(self) -> bool:
        """Still planning, creating or being tracked."""
        return self.state in {TaskState.PLANNING, TaskState.CREATING, TaskState.ACTIVE}


def exclusions_json(exclusions: Exclusions) -> str:
    """As stored."""
    return json.dumps(asdict(exclusions), separators=(",", ":"))


def exclusions_from(raw: Any) -> Exclusions:
    """From the stored JSON (absent: none)."""
    return Exclusions(**json.loads(raw)) if raw else Exclusions()
