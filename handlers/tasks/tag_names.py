"""Tags as operators name them (高意向, 意向/高意向, or an id) → WeCom tag ids.

siyu's tag catalogue (kept from change_external_tag events) answers first; a name it does
not know is looked up in WeCom's get_corp_tag_list, so a corp whose tags siyu has not seen
change yet still works. A name in two groups must be given as group/name.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.wecom.api import WeComAPI
from handlers.customers.tags import CorpTag, TagCatalogue, tags_of
from handlers.tasks.model import TaskSpecError


def _pick(name: str, tags: Sequence[CorpTag]) -> list[CorpTag]:
    group, _, tag = name.rpartition("/")
    return [t for t in tags if t.id == name or (t.name == tag and group in {"", t.group_name})]


async def resolve_tags(
    names: Sequence[str], catalogue: TagCatalogue, api: WeComAPI
) -> tuple[str, ...]:
    """The tag ids of ``names``; TaskSpecError naming the unknown and ambiguous ones."""
    if not names:
        return ()
    known = await catalogue.all()
    if any(not _pick(name, known) for name in names):
        answer = await api.contacts.corp_tags()
        known = [*known, *tags_of(answer.get("tag_group", []))]
    ids, problems = [], []
    for name in names:
        found = {t.id: t for t in _pick(name, known)}
        if len(found) == 1:
            ids.append(next(iter(found)))
        elif not found:
            problems.append(f"no tag named {name}")
        else:
            groups = "、".join(sorted(f"{t.group_name}/{t.name}" for t in found.values()))
            problems.append(f"{name} is ambiguous: say {groups}")
    if problems:
        raise TaskSpecError("; ".join(problems))
    return tuple(dict.fromkeys(ids))
