"""What a command asks to be reminded of, and the customer it names."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping
from typing import Final

from nlp.timeparse.text import normalize

_MARKER: Final = re.compile(
    r"(?:请|麻烦你?|帮忙)?(?:帮我|给我)?(?:记得|别忘了|别忘记|不要忘了|不要忘记|记住)?"
    r"(?:提醒一下我|提醒我一下|提醒下我|提醒我|提醒一下|提醒|叫我|通知我)(?:一下)?"
)
_MEMO: Final = re.compile(r"^(?:请|麻烦你?|记得|别忘了|别忘记|不要忘了|不要忘记|记住|之前|以前)+")
_EDGES: Final = "，,。.！!？?：:;；、~ 的在到去要于"
_REPEATED_PUNCTUATION: Final = re.compile(r"([，,。;；、])[，,。;；、 ]+")
_VERB_NAME: Final = re.compile(
    r"(?:回访|跟进|联系|拜访|致电|打电话给|打给|给|约|问问|问|催|找)"
    r"(?P<name>[\u4e00-\u9fff]{2,4}?)(?=发|打|送|寄|的|说|聊|确认|沟通|报价|电话|签|续|一下|见|吃|$)"
)
_PRIVATE_USE: Final = "\ue000"  # hides a known name from the time patterns (周一鸣 is no Monday)
_SHORTEST_NAME: Final = 2  # one character is noise (customers.py says so too)


def task_of(rest: str) -> str:
    """``rest`` (the command less its time expressions) less 提醒我, 记得 and loose ends."""
    task = _MARKER.sub("", rest, count=1).strip(_EDGES)
    task = _MEMO.sub("", task).strip(_EDGES)
    return _REPEATED_PUNCTUATION.sub(r"\1", task)


def customer_hint(task: str) -> str | None:
    """A name after a verb of contact (回访张三, 给李四发): resolved against WeCom later."""
    match = _VERB_NAME.search(task)
    return match["name"] if match else None


def known_names(customers: Collection[str]) -> Mapping[str, str]:
    """Each customer's name as the patterns read it (simplified, half-width) → the name given."""
    return _read_names(tuple(customers))


@functools.lru_cache(maxsize=16)  # the CLI's list, a few staff members' lists in chat
def _read_names(customers: tuple[str, ...]) -> Mapping[str, str]:
    names = {normalize(name): name for name in customers}
    return {read: name for read, name in names.items() if len(read) >= _SHORTEST_NAME}


def mask(text: str, names: Mapping[str, str]) -> str:
    """``text`` with every known name blanked out, longest first, lengths kept."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, _PRIVATE_USE * len(name))
    return text


def known_customer(task: str, names: Mapping[str, str]) -> str | None:
    """The known customer whose name the task holds: the longest, then the first written."""
    present = [(len(read), -task.index(read), name) for read, name in names.items() if read in task]
    return max(present)[2] if present else None
