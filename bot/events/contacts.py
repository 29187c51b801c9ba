"""Customer-contact events: change_external_contact (docs 92130, 92277)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

from bot.events.base import Event, Fields, common, composite_key, optional_text, text, unix


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalContactEvent(Event):
    """A change in the relation between staff member ``user_id`` and a customer."""

    kind: ClassVar[str] = "external_contact"
    change_type: ClassVar[str] = ""
    user_id: str
    external_user_id: str

    @property
    def dedup_key(self) -> str:
        """Event, ChangeType and both ids with CreateTime: FromUserName is only ``sys`` here.

        WxJava keyed these on FromUserName+CreateTime alone, so two customers added to one
        staff member in the same second collided; the ids keep them apart (spec §1.5).
        """
        return composite_key(
            "change_external_contact",
            self.change_type,
            self.user_id,
            self.external_user_id,
            unix(self.create_time),
        )

    def __init_subclass__(cls, **kwargs: object) -> None:
        # no super(): slotted dataclasses are rebuilt, so its implicit cell would be stale
        del kwargs
        cls.wires = (("event", "change_external_contact", cls.change_type),)

    @classmethod
    def from_fields(cls, fields: Fields) -> Self:
        """From a change_external_contact message."""
        return cls(**_contact(fields))


def _contact(fields: Fields) -> dict[str, Any]:
    return {
        **common(fields),
        "user_id": text(fields, "UserID"),
        "external_user_id": text(fields, "ExternalUserID"),
    }


def _added(fields: Fields) -> dict[str, Any]:
    return {
        **_contact(fields),
        "state": optional_text(fields, "State"),
        "welcome_code": optional_text(fields, "WelcomeCode"),
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalContactAdded(ExternalContactEvent):
    """add_external_contact: a customer added a staff member (or was added)."""

    kind: ClassVar[str] = "external_contact_added"
    change_type: ClassVar[str] = "add_external_contact"
    state: str | None
    welcome_code: str | None  # absent: console welcome configured, or the pair already chatted

    @classmethod
    def from_fields(cls, fields: Fields) -> Self:
        """From a change_external_contact message."""
        return cls(**_added(fields))


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalContactHalfAdded(ExternalContactEvent):
    """add_half_external_contact: the customer added staff without verification yet."""

    kind: ClassVar[str] = "external_contact_half_added"
    change_type: ClassVar[str] = "add_half_external_contact"
    state: str | None
    welcome_code: str | None

    @classmethod
    def from_fields(cls, fields: Fields) -> Self:
        """From a change_external_contact message."""
        return cls(**_added(fields))


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalContactEdited(ExternalContactEvent):
    """edit_external_contact: remark or tags edited by the staff member."""

    kind: ClassVar[str] = "external_contact_edited"
    change_type: ClassVar[str] = "edit_external_contact"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalContactDeleted(ExternalContactEvent):
    """del_external_contact: the staff member deleted the customer."""

    kind: ClassVar[str] = "external_contact_deleted"
    change_type: ClassVar[str] = "del_external_contact"
    source: str | None  # DELETE_BY_TRANSFER when removed by an on-the-job transfer

    @classmethod
    def from_fields(cls, fields: Fields) -> Self:
        """From a change_external_contact message."""
        return cls(**_contact(fields), source=optional_text(fields, "Source"))


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowUserDeleted(ExternalContactEvent):
    """del_follow_user: the customer deleted the staff member."""

    kind: ClassVar[str] = "follow_user_deleted"
    change_type: ClassVar[str] = "del_follow_user"


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferFailed(ExternalContactEvent):
    """transfer_fail: a customer transfer to ``user_id`` (the takeover) failed."""

    kind: ClassVar[str] = "transfer_failed"
    change_type: ClassVar[str] = "transfer_fail"
    fail_reason: str | None  # customer_refused | customer_limit_exceed

    @classmethod
    def from_fields(cls, fields: Fields) -> Self:
        """From a change_external_contact message."""
        return cls(**_contact(fields), fail_reason=optional_text(fields, "FailReason"))
