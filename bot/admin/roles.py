"""Roles of the admin API and who is calling: viewer (reads), operator (edits), admin (all)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Role(StrEnum):
    """What a caller may do; each role may do what the roles before it may."""

    VIEWER = "viewer"  # GET only
    OPERATOR = "operator"  # also edits rules and data, runs tasks
    ADMIN = "admin"  # also manages accounts and API keys

    def allows(self, needed: Role) -> bool:
        """Whether this role may call a route that needs ``needed``."""
        return _RANK[self] >= _RANK[needed]


_RANK: Final = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: ``actor`` names it in the audit log (``user:NAME``,
    ``key:ID``, ``token``)."""

    actor: str
    role: Role
