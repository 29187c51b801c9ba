"""Group welcome templates as data: WeCom's templates follow config/groups.toml (doc 92366).

siyu remembers, per template name, WeCom's template_id and a digest of what it sent. A sync
adds templates it has not made, edits those whose content changed, and deletes those it made
that the file no longer lists. Templates made by hand in the admin console are left alone.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.store import keys
from handlers.groups.context import Groups


def _digest(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


async def known_templates(groups: Groups) -> dict[str, dict[str, str]]:
    """Template name → {template_id, digest} of the templates siyu made."""
    raw = await groups.deps.redis.hgetall(keys.group_welcome_templates(groups.deps.corp_id))
    return {str(name): json.loads(value) for name, value in raw.items()}


async def sync(groups: Groups) -> dict[str, str]:
    """Make WeCom's templates match the rules; what happened to each name."""
    key = keys.group_welcome_templates(groups.deps.corp_id)
    known = await known_templates(groups)
    api = groups.api.groups
    outcome: dict[str, str] = {}
    for template in groups.rules.welcome_templates:
        body = template.body()
        digest = _digest(body)
        stored = known.get(template.name)
        if stored is None:
            answer = await api.add_welcome_template(body)
            stored, outcome[template.name] = {"template_id": str(answer["template_id"])}, "added"
        elif stored.get("digest") != digest:
            await api.edit_welcome_template(stored["template_id"], body)
            outcome[template.name] = "edited"
        else:
            outcome[template.name] = "unchanged"
        record = {"template_id": stored["template_id"], "digest": digest}
        await groups.deps.redis.hset(key, template.name, json.dumps(record))
    wanted = {t.name for t in groups.rules.welcome_templates}
    for name, stored in known.items():
        if name not in wanted:
            await api.delete_welcome_template(stored["template_id"])
            await groups.deps.redis.hdel(key, name)
            outcome[name] = "deleted"
    return outcome
