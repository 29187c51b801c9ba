"""Corp: the sandbox's corp in memory. Records are frozen values; Corp holds and indexes them."""

from __future__ import annotations

import dataclasses
import itertools
import secrets
from collections import defaultdict
from datetime import datetime

from bot.sandbox.records import (
    AppMessage,
    ContactWay,
    Customer,
    Follow,
    GroupChat,
    GroupMsg,
    GroupMsgSend,
    GroupMsgTask,
    JsonMap,
    KfAccount,
    KfMessage,
    MediaFile,
    OneShotCode,
    Staff,
    Tag,
    TagGroup,
    Transfer,
    WelcomeCode,
)


def new_id(prefix: str, length: int = 24) -> str:
    """A fresh WeCom-looking id: ``prefix`` then random hex (``wm…`` customers, ``wr…`` chats)."""
    return prefix + secrets.token_hex(length // 2)


class Corp:
    """Everything the sandbox corp knows: people, relations, tags, groups, codes, logs."""

    def __init__(self, corp_id: str) -> None:
        self.corp_id = corp_id
        self.staff: dict[str, Staff] = {}
        self.customers: dict[str, Customer] = {}
        self.follows: dict[tuple[str, str], Follow] = {}  # (userid, external_userid)
        # external_userid → its followers' userids: externalcontact/get stays O(1) with
        # thousands of relations (benchmarks); kept by put_follow and drop_follow.
        self._followers: defaultdict[str, set[str]] = defaultdict(set)
        self.tag_groups: dict[str, TagGroup] = {}
        self.tags: dict[str, Tag] = {}
        self.contact_ways: dict[str, ContactWay] = {}
        self.contact_way_turns: defaultdict[str, int] = defaultdict(int)
        self.groups: dict[str, GroupChat] = {}
        self.welcome_codes: dict[str, WelcomeCode] = {}
        self.welcome_messages: list[JsonMap] = []
        self.console_welcome: str | None = None  # set: add events carry no WelcomeCode
        self.group_welcome_templates: dict[str, JsonMap] = {}
        self.kf_accounts: dict[str, KfAccount] = {}
        self.kf_log: list[KfMessage] = []
        self.kf_sent: list[KfMessage] = []
        self.kf_codes: dict[str, OneShotCode] = {}  # send_msg_on_event codes
        self.kf_tokens: dict[str, OneShotCode] = {}  # kf_msg_or_event Tokens
        self.group_msgs: dict[str, GroupMsg] = {}
        self.group_msg_tasks: dict[tuple[str, str], GroupMsgTask] = {}  # (msgid, userid)
        self.group_msg_sends: dict[tuple[str, str, str], GroupMsgSend] = {}
        self.monthly_sends: defaultdict[tuple[str, str], int] = defaultdict(
            int
        )  # (target, YYYY-MM)
        self.app_messages: list[AppMessage] = []
        self.response_codes: dict[str, OneShotCode] = {}  # owner: msgid, subject: userid
        self.recent_sends: dict[str, tuple[str, datetime]] = {}  # duplicate check → (msgid, at)
        self.transfers: list[Transfer] = []
        self.media: dict[str, MediaFile] = {}  # media_id → a temporary upload (3 days)
        self.images: dict[str, MediaFile] = {}  # name under /sandbox/media/ → permanent image
        self._seq = itertools.count(1)
        self._msg_ids = itertools.count(7_000_000_000_000_000_000 + secrets.randbits(48))

    def next_seq(self) -> int:
        """A corp-wide increasing sequence number (KF log cursors)."""
        return next(self._seq)

    def next_msg_id(self) -> int:
        """A fresh 64-bit MsgId for app-message callbacks."""
        return next(self._msg_ids)

    def relation(self, userid: str, external_userid: str) -> Follow | None:
        """The follow relation of a pair, if they are contacts."""
        return self.follows.get((userid, external_userid))

    def followers_of(self, external_userid: str) -> list[Follow]:
        """The staff members who have ``external_userid`` as a contact, oldest first."""
        found = [
            follow
            for userid in self._followers.get(external_userid, ())
            if (follow := self.follows.get((userid, external_userid))) is not None
        ]
        return sorted(found, key=lambda f: (f.createtime, f.userid))

    def customers_of(self, userid: str) -> list[Follow]:
        """The relations of staff member ``userid``, oldest first."""
        found = [f for (uid, _), f in self.follows.items() if uid == userid]
        return sorted(found, key=lambda f: (f.createtime, f.external_userid))

    def put_follow(self, follow: Follow) -> None:
        """Add or replace a relation."""
        self.follows[(follow.userid, follow.external_userid)] = follow
        self._followers[follow.external_userid].add(follow.userid)

    def drop_follow(self, userid: str, external_userid: str) -> Follow | None:
        """Remove a relation; return it if there was one."""
        self._followers[external_userid].discard(userid)
        return self.follows.pop((userid, external_userid), None)

    def drop_tags(self, tag_ids: set[str]) -> None:
        """Delete tags and take them off every customer."""
        for tag_id in tag_ids:
            self.tags.pop(tag_id, None)
        for key, follow in list(self.follows.items()):
            if tag_ids.intersection(follow.tag_ids):
                kept = tuple(t for t in follow.tag_ids if t not in tag_ids)
                self.follows[key] = dataclasses.replace(follow, tag_ids=kept)

    def tags_in(self, group_id: str) -> list[Tag]:
        """The tags of a group, by order then creation."""
        found = [t for t in self.tags.values() if t.group_id == group_id]
        return sorted(found, key=lambda t: (t.order, t.create_time, t.id))

    def settle(self, now: datetime) -> None:
        """Apply what time has made due: transfers 24 h after they were asked for."""
        due = [t for t in self.transfers if t.due_at <= now]
        self.transfers = [t for t in self.transfers if t.due_at > now]
        for transfer in due:
            old = self.drop_follow(transfer.handover_userid, transfer.external_userid)
            if old is not None and transfer.takeover_userid in self.staff:
                self.put_follow(
                    dataclasses.replace(
                        old,
                        userid=transfer.takeover_userid,
                        createtime=int(transfer.due_at.timestamp()),
                    )
                )
