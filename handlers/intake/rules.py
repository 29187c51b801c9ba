"""The intake rules as data: welcome messages, the staff directory, channels, churn prompts.

Operators write them in TOML (defaults: config/intake.toml); siyu keeps the live copy in
Redis as JSON (handlers/intake/rule_store.py). Everything WeCom would refuse later is refused
here, when the rules are loaded: a state over 30 characters, more than 9 attachments, a
link title over 128 bytes (doc 92599, doc 92228).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from bot.wecom.bounds import MAX_ATTACHMENTS, MAX_STATE_CHARS, TEXT_BYTES
from bot.wecom.hosts import hosted_problem
from handlers.customers.tag_refs import TagRef
from handlers.intake.hours import HoursError, Shift, parse_shifts, time_of_day

WELCOME_TEXT_BYTES: Final = TEXT_BYTES
DEFAULT_RULES_FILE: Final = Path(__file__).resolve().parents[2] / "config" / "intake.toml"
_CHANNEL_ID: Final = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _bytes_at_most(limit: int) -> AfterValidator:
    def check(value: str) -> str:
        if len(value.encode("utf-8")) > limit:
            raise ValueError(f"at most {limit} bytes (UTF-8)")
        return value

    return AfterValidator(check)


def _valid_shifts(value: tuple[str, ...]) -> tuple[str, ...]:
    try:
        parse_shifts(value)
    except HoursError as exc:
        raise ValueError(str(exc)) from exc
    return value


Shifts = Annotated[tuple[str, ...], AfterValidator(_valid_shifts)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _no_local_path(data: Any) -> Any:
    """A local file is refused with the way to do it (instead of pydantic's extra-field error)."""
    if isinstance(data, Mapping) and "path" in data:
        raise ValueError(
            f"path {data['path']!r}: WeCom cannot read siyu's files; upload it to the media "
            'library (siyu media upload FILE, or POST /api/v1/media) and give {"library": "<id>"}'
        )
    return data


def _wecom_hosted(url: str | None) -> str | None:
    problem = None if url is None else hosted_problem(url)
    if problem is not None:
        raise ValueError(problem)
    return url


class Image(_Model):
    """An image by media_id (temporary media, 3 days), by a WeCom-hosted pic_url, or by a
    media-library item (``library``: its id; resolved when the welcome is sent)."""

    media_id: str | None = None
    pic_url: Annotated[str | None, AfterValidator(_wecom_hosted)] = None
    library: Annotated[str, Field(min_length=1, max_length=64)] | None = None

    _local = model_validator(mode="before")(_no_local_path)

    @model_validator(mode="after")
    def _one_source(self) -> Image:
        if not (self.media_id or self.pic_url or self.library):
            raise ValueError("an image needs library, media_id or pic_url")
        return self


class Link(_Model):
    """A link card: title ≤128 bytes, desc ≤512 bytes."""

    title: Annotated[str, Field(min_length=1), _bytes_at_most(128)]
    url: Annotated[str, Field(pattern=r"^https?://")]
    picurl: str | None = None
    desc: Annotated[str, _bytes_at_most(512)] | None = None


class MiniProgram(_Model):
    """A mini program card; the appid must be linked to the corp."""

    title: Annotated[str, Field(min_length=1), _bytes_at_most(64)]
    pic_media_id: Annotated[str, Field(min_length=1)]
    appid: Annotated[str, Field(min_length=1)]
    page: Annotated[str, Field(min_length=1)]


class Media(_Model):
    """A file or a video, by media_id (3 days) or by a media-library item (``library``)."""

    media_id: Annotated[str, Field(min_length=1)] | None = None
    library: Annotated[str, Field(min_length=1, max_length=64)] | None = None

    _local = model_validator(mode="before")(_no_local_path)

    @model_validator(mode="after")
    def _one_source(self) -> Media:
        if not (self.media_id or self.library):
            raise ValueError("a file or video needs library or media_id")
        return self


class Attachment(_Model):
    """One welcome attachment as WeCom takes it: ``{msgtype, <msgtype>: {...}}``."""

    msgtype: Literal["image", "link", "miniprogram", "video", "file"]
    image: Image | None = None
    link: Link | None = None
    miniprogram: MiniProgram | None = None
    video: Media | None = None
    file: Media | None = None

    @model_validator(mode="after")
    def _matching_part(self) -> Attachment:
        given = [
            name
            for name in ("image", "link", "miniprogram", "video", "file")
            if getattr(self, name) is not None
        ]
        if given != [self.msgtype]:
            raise ValueError(f"a {self.msgtype} attachment needs exactly its {self.msgtype} part")
        return self

    def as_wecom(self) -> dict[str, Any]:
        """The JSON send_welcome_msg takes."""
        part = getattr(self, self.msgtype)
        return {"msgtype": self.msgtype, self.msgtype: part.model_dump(exclude_none=True)}


class WelcomeMessage(_Model):
    """A welcome text with {customer_name}, {staff_name}, {channel}, and attachments (≤9).

    ``text_without_name`` is used when the name could not be looked up in time; without
    it, {customer_name} is left out and the punctuation around it tidied.
    """

    text: Annotated[str, _bytes_at_most(WELCOME_TEXT_BYTES)] = ""
    text_without_name: Annotated[str, _bytes_at_most(WELCOME_TEXT_BYTES)] | None = None
    attachments: Annotated[tuple[Attachment, ...], Field(max_length=MAX_ATTACHMENTS)] = ()

    @model_validator(mode="after")
    def _not_empty(self) -> WelcomeMessage:
        if not self.text and not self.attachments:
            raise ValueError("a welcome message needs a text or attachments")
        return self


class StaffMember(_Model):
    """A staff member as intake knows them: display name, manager, hours, own welcome."""

    name: str | None = None
    manager: str | None = None  # userid of whoever gets this member's churn digest
    hours: Shifts = ()  # shifts; none: always on duty
    welcome: WelcomeMessage | None = None


class ChannelMember(_Model):
    """A staff member of a channel's rotation."""

    userid: Annotated[str, Field(min_length=1)]
    weight: Annotated[int, Field(ge=1, le=1000)] = 1
    daily_cap: Annotated[int | None, Field(ge=1)] = None  # adds through this channel per day
    hours: Shifts | None = None  # overrides the staff directory's hours


class Channel(_Model):
    """A live code (渠道活码): its state, rotation, backup, welcome and tags."""

    name: Annotated[str, Field(min_length=1)]
    state: Annotated[str, Field(min_length=1, max_length=MAX_STATE_CHARS)]
    staff: Annotated[tuple[ChannelMember, ...], Field(min_length=1, max_length=100)]
    backup: tuple[str, ...] = ()  # take every add when the whole rotation is capped or off duty
    welcome: WelcomeMessage | None = None
    tags: tuple[TagRef, ...] = ()
    config_id: str | None = None  # adopt a code made earlier through the API instead

    @model_validator(mode="after")
    def _distinct_staff(self) -> Channel:
        userids = [member.userid for member in self.staff]
        if len(set(userids)) != len(userids):
            raise ValueError(f"channel {self.name}: a staff member is listed twice")
        return self


class AllocationRules(_Model):
    """How closely the rotation follows the weights (in adds) before the code is changed."""

    tolerance: Annotated[float, Field(ge=0.5, le=100)] = 2.0


class ChurnRules(_Model):
    """Who hears about customers leaving, and when managers get their digest."""

    notify_staff: bool = True
    digest: bool = True
    digest_time: str = "08:00"  # wall clock in the corp's time zone (settings.timezone)

    @field_validator("digest_time")
    @classmethod
    def _clock(cls, value: str) -> str:
        try:
            time_of_day(value)
        except HoursError as exc:
            raise ValueError(str(exc)) from exc
        return value


class IntakeRules(_Model):
    """Everything intake decides by: one document, swapped as a whole."""

    welcome: WelcomeMessage
    staff: Mapping[str, StaffMember] = Field(default_factory=dict)
    channels: Mapping[str, Channel] = Field(default_factory=dict)
    allocation: AllocationRules = AllocationRules()
    churn: ChurnRules = ChurnRules()
    _by_state: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _index(self) -> IntakeRules:
        for channel_id, channel in self.channels.items():
            if not _CHANNEL_ID.match(channel_id):
                raise ValueError(f"channel id {channel_id!r}: 1-32 of [A-Za-z0-9_-]")
            if channel.state in self._by_state:
                raise ValueError(
                    f"channels {self._by_state[channel.state]} and {channel_id} "
                    f"share the state {channel.state!r}"
                )
            self._by_state[channel.state] = channel_id
        return self

    def channel_for(self, state: str | None) -> tuple[str, Channel] | None:
        """The channel whose live code carries ``state``."""
        channel_id = self._by_state.get(state or "")
        return None if channel_id is None else (channel_id, self.channels[channel_id])

    def staff_name(self, userid: str) -> str:
        """The member's display name (their userid if the directory has none)."""
        member = self.staff.get(userid)
        return member.name if member is not None and member.name else userid

    def shifts_of(self, member: ChannelMember) -> tuple[Shift, ...]:
        """A channel member's shifts: their own, else the directory's, else always on."""
        if member.hours is not None:
            return parse_shifts(member.hours)
        listed = self.staff.get(member.userid)
        return parse_shifts(listed.hours) if listed is not None else ()


def load_rules_file(path: Path | None = None) -> IntakeRules:
    """Read and validate a rules TOML file (default: config/intake.toml)."""
    with (path or DEFAULT_RULES_FILE).open("rb") as handle:
        return IntakeRules.model_validate(tomllib.load(handle))
