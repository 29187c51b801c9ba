"""``siyu users create|passwd|list`` and ``siyu apikey create|list|revoke``: admin credentials."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from bot.admin.accounts import AccountError, Accounts
from bot.admin.apikeys import ApiKeys
from bot.admin.audit import Audit
from bot.admin.roles import Role
from bot.store.connection import open_redis
from config.settings import Settings

AddConfig = Callable[[argparse.ArgumentParser], None]
ROLES = [r.value for r in Role]


def add_credentials_arguments(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], add_config: AddConfig
) -> None:
    """The ``users`` and ``apikey`` subcommands."""
    users = commands.add_parser("users", help="operator accounts of the admin API")
    actions = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create an account")
    create.add_argument("name")
    create.add_argument("--role", choices=ROLES, required=True)
    passwd = actions.add_parser("passwd", help="change an account's password")
    passwd.add_argument("name")
    for parser in (create, passwd):
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )
    listing = actions.add_parser("list", help="list accounts")
    keys = commands.add_parser("apikey", help="API keys of the admin API (Bearer KEY)")
    key_actions = keys.add_subparsers(dest="apikey_command", required=True, metavar="ACTION")
    key_create = key_actions.add_parser("create", help="create a key (printed once)")
    key_create.add_argument("--role", choices=ROLES, required=True)
    key_create.add_argument("--name", default="", help="what the key is for")
    key_list = key_actions.add_parser("list", help="list keys (never the keys themselves)")
    revoke = key_actions.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("key_id")
    for parser in (create, passwd, listing, key_create, key_list, revoke):
        add_config(parser)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass(f"password for {args.name}: ")


async def run_users(settings: Settings, args: argparse.Namespace) -> tuple[int, list[str]]:
    """Run a ``users`` action → exit status and lines to print."""
    now = datetime.now(UTC)
    async with open_redis(settings.redis) as redis:
        accounts = Accounts(redis, settings.wecom.corp_id)
        audit = Audit(redis, settings.wecom.corp_id)
        try:
            if args.users_command == "create":
                made = await accounts.create(args.name, Role(args.role), _password(args), now)
                await audit.record(
                    now,
                    "cli",
                    "users create",
                    f"users/{made.name}",
                    {"role": [None, made.role.value]},
                )
                return 0, [f"created {made.name} ({made.role})"]
            if args.users_command == "passwd":
                await accounts.set_password(args.name, _password(args))
                await audit.record(now, "cli", "users passwd", f"users/{args.name}")
                return 0, [f"password of {args.name} changed"]
        except AccountError as exc:
            return 1, [f"siyu: {exc}"]
        return 0, [f"{a.name}\t{a.role}\t{a.created_at}" for a in await accounts.listing()]


async def run_apikeys(settings: Settings, args: argparse.Namespace) -> tuple[int, list[str]]:
    """Run an ``apikey`` action → exit status and lines to print."""
    now = datetime.now(UTC)
    async with open_redis(settings.redis) as redis:
        keys = ApiKeys(redis, settings.wecom.corp_id)
        audit = Audit(redis, settings.wecom.corp_id)
        if args.apikey_command == "create":
            record, key = await keys.create(Role(args.role), args.name, now)
            await audit.record(
                now,
                "cli",
                "apikey create",
                f"api-keys/{record.key_id}",
                {"role": [None, record.role.value]},
            )
            return 0, [key, f"(id {record.key_id}, role {record.role}; shown once, keep it)"]
        if args.apikey_command == "revoke":
            if not await keys.revoke(args.key_id):
                return 1, [f"siyu: no API key {args.key_id}"]
            await audit.record(now, "cli", "apikey revoke", f"api-keys/{args.key_id}", "revoked")
            return 0, [f"revoked {args.key_id}"]
        return 0, [f"{k.key_id}\t{k.role}\t{k.name}\t{k.created_at}" for k in await keys.listing()]
