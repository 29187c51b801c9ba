"""``siyu serve`` with the journal on the main lane, so a test can count what was handled.

Run as ``python -m tests.support.journaled_serve CONFIG [ROLE]``: the production serve path
(signals, graceful drain), with siyu's routers plus the journal's ledger-guarded count.
"""

from __future__ import annotations

import sys

from bot.app import Role
from bot.cli.serve import serve
from config.settings import load_settings
from handlers import build_root_router
from tests.support import journal


def main(config: str, role: Role) -> None:
    """Serve ``role`` until SIGTERM."""
    root = build_root_router()
    root.include(journal.router)
    serve(load_settings(config), role, router=root)


if __name__ == "__main__":
    main(sys.argv[1], Role(sys.argv[2]) if len(sys.argv) > 2 else Role.ALL)
