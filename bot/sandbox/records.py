"""The sandbox corp's records: frozen values, replaced (never mutated) when they change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

Json = dict[str, object]
JsonMap = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Staff:
    """A member of the corp (a 成员 with customer-contact permission)."""

    userid: str
    name: str
    resigned: bool = False


@dataclass(frozen=True, slots=True)
class Customer:
    """An external contact; type 1 is a WeChat user, 2 a WeCom user of another corp."""

    external_userid: str
    name: str
    type: int = 1
    gender: int = 0
    avatar: str = ""
    unionid: str = ""
    position: str = ""
    corp_name: str = ""
    corp_full_name: str = ""

    def as_json(self) -> Json:
        """The ``external_contact`` object of externalcontact/get."""
        shown: Json = {
            "external_userid": self.external_userid,
            "name": self.name,
            "type": self.type,
            "avatar": self.avatar,
            "gender": self.gender,
        }
        if self.unionid:
            shown["unionid"] = self.unionid
        if self.type == 2:  # noqa: PLR2004 - WeCom users carry their corp
            shown |= {
                "position": self.position,
                "corp_name": self.corp_name,
                "corp_full_name": self.corp_full_name,
            }
        return shown


@dataclass(frozen=True, slots=True)
class Follow:
    """The relation between a staff member and a customer (follow_user / follow_info)."""

    userid: str
    external_userid: str
    createtime: int
    state: str = ""
    add_way: int = 1  # 1: scanned a QR code (a contact way)
    remark: str = ""
    description: str = ""
    tag_ids: tuple[str, ...] = ()
    oper_userid: str = ""
    remark_mobiles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TagGroup:
    """A corp tag group."""

    group_id: str
    group_name: str
    create_time: int
    order: int = 0


@dataclass(frozen=True, slots=True)
class Tag:
    """A corp tag, in one group."""

    id: str
    name: str
    group_id: str
    create_time: int
    order: int = 0


@dataclass(frozen=True, slots=True)
class ContactWay:
    """A 联系我 configuration (a live code)."""

    config_id: str
    type: int
    scene: int
    create_time: int
    users: tuple[str, ...]
    state: str = ""
    style: int = 1
    remark: str = ""
    skip_verify: bool = True
    parties: tuple[int, ...] = ()
    is_temp: bool = False
    expires_in: int = 7 * 86400
    chat_expires_in: int = 86400
    unionid: str = ""
    conclusions: JsonMap | None = None
    qr_code: str = ""


@dataclass(frozen=True, slots=True)
class GroupMember:
    """A member of a customer group: staff (type 1) or external (type 2)."""

    userid: str
    type: int
    join_time: int
    join_scene: int  # 1 direct invite, 2 invite link, 3 QR code (groupchat/get)
    invitor: str = ""
    group_nickname: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class GroupChat:
    """A customer group (客户群)."""

    chat_id: str
    name: str
    owner: str
    create_time: int
    members: tuple[GroupMember, ...] = ()
    admins: tuple[str, ...] = ()
    notice: str = ""
    member_version: int = 1


@dataclass(frozen=True, slots=True)
class WelcomeCode:
    """The one-shot code of an add_external_contact event: 20 s, once (doc 92599)."""

    code: str
    userid: str
    external_userid: str
    issued_at: datetime
    used: bool = False


@dataclass(frozen=True, slots=True)
class MediaFile:
    """An uploaded media: temporary (media/upload, ``expires_at`` 3 days on) or a permanent
    image (media/uploadimg, ``expires_at`` None)."""

    media_id: str
    kind: str  # image, voice, video, file
    filename: str
    content_type: str
    content: bytes
    created_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class KfAccount:
    """A 微信客服 account."""

    open_kfid: str
    name: str


@dataclass(frozen=True, slots=True)
class KfMessage:
    """One entry of the KF message log that kf/sync_msg pages through."""

    seq: int
    msgid: str
    open_kfid: str
    external_userid: str
    send_time: int
    origin: int  # 3 customer, 4 system event, 5 servicer
    msgtype: str
    payload: JsonMap  # the object under the ``msgtype`` key

    def as_json(self) -> Json:
        """The msg_list item of kf/sync_msg."""
        return {
            "msgid": self.msgid,
            "open_kfid": self.open_kfid,
            "external_userid": self.external_userid,
            "send_time": self.send_time,
            "origin": self.origin,
            "msgtype": self.msgtype,
            self.msgtype: dict(self.payload),
        }


@dataclass(frozen=True, slots=True)
class OneShotCode:
    """A single-use code with an issue time (KF event codes, sync tokens, response codes)."""

    code: str
    owner: str  # what the code is for: an open_kfid, a msgid...
    subject: str  # who it is about: an external_userid, a userid...
    issued_at: datetime
    used: bool = False


@dataclass(frozen=True, slots=True)
class GroupMsg:
    """A group-send task made by add_msg_template."""

    msgid: str
    chat_type: str  # single | group
    creator: str
    create_time: int
    text: JsonMap | None
    attachments: tuple[JsonMap, ...] = ()
    create_type: int = 0  # 0 corp (API), 1 personal
    cancelled: bool = False
    reminders: int = 0
    last_remind_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class GroupMsgTask:
    """One sender's task in a group-send: 0 not sent yet, 2 sent (confirmed in the client)."""

    msgid: str
    userid: str
    status: int = 0
    send_time: int = 0


@dataclass(frozen=True, slots=True)
class GroupMsgSend:
    """One target (customer or group) of one sender in a group-send, and its status."""

    msgid: str
    userid: str
    target: str  # external_userid (single) or chat_id (group)
    status: int = 0  # 0 unsent, 1 sent, 2 not a friend, 3 already got another mass message
    send_time: int = 0


@dataclass(frozen=True, slots=True)
class AppMessage:
    """An app message (message/send) delivered to one member."""

    msgid: str
    agentid: int
    touser: str
    msgtype: str
    payload: JsonMap
    at: datetime


@dataclass(frozen=True, slots=True)
class Transfer:
    """A pending customer transfer; it takes effect 24 h after it was asked for."""

    handover_userid: str
    takeover_userid: str
    external_userid: str
    due_at: datetime
