"""微信客服 sessions in the sandbox: states, their allowed changes, servicers on and off duty.

Session states (spec §3, doc 94669/94698): 0 未处理 (a customer wrote, nobody took it),
1 由智能助手接待, 2 待接入池排队中, 3 由人工接待 (with a servicer), 4 已结束/未开始. The API
replies (kf/send_msg) only in states 0 and 1. A customer's message in state 4 opens a new
session (state 0). A session lasts 48 h from the customer's first message.

The corp's KF log (``Corp.kf_log``) is append-only; sessions follow it lazily (``catch_up``)
so every writer of the log (actors, this module) stays as it is.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from bot.sandbox.records import Json, KfMessage
from bot.sandbox.state import Corp

NEW, BOT, POOL, HUMAN, ENDED = 0, 1, 2, 3, 4
FROM_CUSTOMER, SYSTEM, FROM_SERVICER = 3, 4, 5  # msg_list origin
SESSION_LIFETIME: Final = timedelta(hours=48)
# Which state may follow which through kf/service_state/trans. Spec §3: 0 → 2/3, 1 → 2/3,
# 2 → 3, 3 → 3 (another servicer) or 4, 4 → none. 0 → 1 (the assistant takes it) (unverified).
ALLOWED: Final[dict[int, frozenset[int]]] = {
    NEW: frozenset({BOT, POOL, HUMAN}),
    BOT: frozenset({POOL, HUMAN}),
    POOL: frozenset({HUMAN}),
    HUMAN: frozenset({HUMAN, ENDED}),
    ENDED: frozenset(),
}
ON_DUTY, OFF_DUTY = 0, 1  # kf/servicer/list status: 0 接待中, 1 停止接待
# session_status_change change_type (doc 94670): 1 taken from the pool, 2 transferred,
# 3 ended by the servicer, 4 taken again
TAKEN, TRANSFERRED, ENDED_BY_SERVICER = 1, 2, 3


class TransitionRefused(Exception):
    """A change of state the session does not allow now."""


@dataclass(slots=True)
class KfSession:
    """One customer's session with one account."""

    state: int = ENDED
    servicer: str = ""
    started: int = 0  # Unix seconds of the customer's first message of the session
    last_customer_seq: int = 0
    last_customer_time: int = 0  # 0: the customer never wrote
    replies: int = 0  # kf/send_msg replies since the customer's last message


@dataclass(frozen=True, slots=True)
class KfServicerMessage(KfMessage):
    """A message a servicer wrote from the WeCom client (origin 5): names its writer."""

    servicer_userid: str = ""

    def as_json(self) -> Json:
        """The msg_list item, with servicer_userid."""
        return {**KfMessage.as_json(self), "servicer_userid": self.servicer_userid}


@dataclass(slots=True)
class KfSessions:
    """Every session and the servicers of every account."""

    sessions: dict[tuple[str, str], KfSession] = field(default_factory=dict)
    servicers: dict[str, dict[str, int]] = field(default_factory=dict)  # open_kfid → status
    sent_msgids: set[str] = field(default_factory=set)  # kf/send_msg* msgids used
    _seen: int = 0  # how much of the corp's kf_log has been followed
    _horizon: int = 0  # sessions started before this (Unix s) have ended (48 h)

    def catch_up(self, log: list[KfMessage], now: datetime) -> None:
        """Follow the customers' messages logged since the last look (and expire sessions)."""
        self._horizon = int((now - SESSION_LIFETIME).timestamp())
        for message in log[self._seen :]:
            if message.origin == FROM_CUSTOMER:
                self._customer_wrote(message)
        self._seen = len(log)

    def _customer_wrote(self, message: KfMessage) -> None:
        session = self.of(message.open_kfid, message.external_userid)
        if session.state == ENDED:
            session.state, session.servicer, session.started = NEW, "", message.send_time
        session.last_customer_seq = message.seq
        session.last_customer_time = message.send_time
        session.replies = 0

    def of(self, open_kfid: str, external_userid: str) -> KfSession:
        """The customer's session (state 4 if they never wrote, or it is older than 48 h)."""
        session = self.sessions.setdefault((open_kfid, external_userid), KfSession())
        if session.state != ENDED and session.started and session.started < self._horizon:
            session.state, session.servicer = ENDED, ""
        return session

    def change(
        self, open_kfid: str, external_userid: str, state: int, servicer: str = ""
    ) -> KfSession:
        """Move the session to ``state`` if its current state allows it."""
        session = self.of(open_kfid, external_userid)
        if state not in ALLOWED[session.state]:
            raise TransitionRefused(f"service_state {session.state} cannot change to {state}")
        if state == HUMAN and servicer not in self.servicers.get(open_kfid, {}):
            raise TransitionRefused(f"{servicer or 'nobody'} is not a servicer of {open_kfid}")
        session.state = state
        session.servicer = servicer if state == HUMAN else ""
        return session

    def set_servicer(self, open_kfid: str, userid: str, status: int) -> None:
        """Add a servicer to the account, on (0) or off (1) duty."""
        self.servicers.setdefault(open_kfid, {})[userid] = status

    def servicer_list(self, open_kfid: str) -> list[Json]:
        """kf/servicer/list's servicer_list."""
        return [
            {"userid": userid, "status": status, "stop_type": 0}
            for userid, status in self.servicers.get(open_kfid, {}).items()
        ]


_BY_CORP: Final[weakref.WeakKeyDictionary[Corp, KfSessions]] = weakref.WeakKeyDictionary()


def sessions_of(corp: Corp, now: datetime) -> KfSessions:
    """The corp's sessions, up to date with its KF log."""
    sessions = _BY_CORP.get(corp)
    if sessions is None:
        sessions = _BY_CORP[corp] = KfSessions()
    sessions.catch_up(corp.kf_log, now)
    return sessions
