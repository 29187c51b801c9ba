"""Server-side permission checks: a staff member sees only the customers they follow and the
groups they own, administer or belong to, unless ``[sidebar] all_customers`` names them."""

from __future__ import annotations

from collections.abc import Sequence

from config.settings import SidebarSettings
from handlers.customers.profiles import Profile
from handlers.sidebar.needs import GroupView, MemberView


def sees_all(settings: SidebarSettings, userid: str) -> bool:
    """Whether a role grants this staff member every customer and group."""
    return userid in settings.all_customers


def follows(profile: Profile | None, userid: str) -> bool:
    """Whether ``userid`` has the customer as a contact now (a deleted relation does not count)."""
    if profile is None:
        return False
    relation = profile.relations.get(userid)
    return relation is not None and relation.deleted_at is None


def may_see_customer(settings: SidebarSettings, profile: Profile | None, userid: str) -> bool:
    """The customer card's check."""
    return follows(profile, userid) or (profile is not None and sees_all(settings, userid))


def may_see_group(
    settings: SidebarSettings, group: GroupView, members: Sequence[MemberView], userid: str
) -> bool:
    """The group card's check: owner, admin, a staff member in it, or a role."""
    if sees_all(settings, userid) or userid == group.owner or userid in group.admins:
        return True
    return any(m.userid == userid and m.type == 1 for m in members)
