"""The options of ``siyu tasks``; light to import (the actions load lazily)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def add_tasks_arguments(
    parser: argparse.ArgumentParser, add_config: Callable[[argparse.ArgumentParser], None]
) -> None:
    """The actions of ``siyu tasks`` (``add_config`` adds --config to a parser)."""
    actions = parser.add_subparsers(dest="tasks_command", required=True, metavar="ACTION")
    create = actions.add_parser(
        "create", help="a group send staff confirm; prints the new task's id on its last line"
    )
    create.add_argument("--text", required=True, help="what customers get (≤4000 bytes)")
    create.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="TAG",
        help="customers with this tag (repeat: all of them); a name, group/name or a tag id",
    )
    create.add_argument(
        "--any-tag",
        action="append",
        default=[],
        metavar="TAG",
        help="customers with at least one of these tags",
    )
    create.add_argument(
        "--exclude-tag",
        action="append",
        default=[],
        metavar="TAG",
        help="leave out customers with this tag",
    )
    create.add_argument(
        "--all-customers",
        action="store_true",
        help="every customer (needed when no other criterion is given)",
    )
    create.add_argument(
        "--channel",
        action="append",
        default=[],
        metavar="STATE",
        help="customers who came through this live code state",
    )
    create.add_argument(
        "--staff",
        action="append",
        default=[],
        metavar="USERID",
        help="only these staff members send (to their own customers)",
    )
    create.add_argument("--added-after", metavar="ISO8601", help="first added on or after")
    create.add_argument("--added-before", metavar="ISO8601", help="first added before")
    create.add_argument(
        "--groups-of",
        action="append",
        default=[],
        metavar="OWNER",
        help="send to the customer groups of this owner instead",
    )
    create.add_argument(
        "--group-label",
        action="append",
        default=[],
        metavar="LABEL",
        help="send to customer groups with this label (config/groups.toml)",
    )
    create.add_argument(
        "--deadline",
        required=True,
        metavar="ISO8601",
        help="send by then (no zone: the configured timezone; a date alone: its end)",
    )
    create.add_argument("--title", default="", help="for staff and reports (default: the text)")
    create.add_argument(
        "--image-url",
        action="append",
        default=[],
        metavar="URL",
        help="attach an image (≤9 attachments)",
    )
    create.add_argument(
        "--link", action="append", default=[], metavar="TITLE=URL", help="attach a link"
    )
    create.add_argument(
        "--operator",
        default="",
        metavar="USERID",
        help="who gets the summary (default: [tasks] summary_to)",
    )
    create.add_argument(
        "--source",
        choices=["wecom", "store"],
        default=None,
        help="where customers come from (default: [tasks] customer_source)",
    )
    listed = actions.add_parser("list", help="the newest tasks and their progress")
    listed.add_argument("--limit", type=int, default=20)
    listed.add_argument("--json", action="store_true", help="one JSON object per line")
    show = actions.add_parser("show", help="a task: its calls and each sender's progress")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true", help="the full state as JSON")
    show.add_argument("--refresh", action="store_true", help="ask WeCom for progress first")
    cancel = actions.add_parser("cancel", help="stop a task; those who have not sent cannot")
    cancel.add_argument("id", type=int)
    for action in (create, listed, show, cancel):
        add_config(action)
