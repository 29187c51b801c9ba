"""``siyu channels`` actions against the sandbox: create, list, stats, rules."""

from __future__ import annotations

import json
from pathlib import Path

from bot.cli import build_parser
from bot.cli import channels as commands
from tests.handlers.intake.stack import Stack


def test_the_parser_knows_every_action() -> None:
    parser = build_parser()
    for action in ("list", "create", "stats", "rebalance", "import-customers", "rules"):
        assert parser.parse_args(["channels", action]).channels_command == action
    assert parser.parse_args(["channels", "create", "live_b"]).channels == ["live_b"]


async def test_create_then_list_then_stats(stack: Stack) -> None:
    status, created = await commands.create_channels(stack.deps, ["poster_a"])
    assert status == 0 and created[0].startswith("poster_a: cw")
    assert (await commands.create_channels(stack.deps, ["nope"]))[0] == 1

    _, listed = await commands.list_channels(stack.deps)
    assert any(line.startswith("poster_a") and "lists zhangwei" in line for line in listed)
    assert any("no live code yet" in line for line in listed)

    config_id = created[0].split()[1]
    await stack.scan(config_id, "wmCOMMAND00001")
    await stack.drained()
    _, rows = await commands.channel_stats(stack.deps, 1, as_json=True)
    poster = next(json.loads(row) for row in rows if '"poster_a"' in row)
    assert (poster["adds"], poster["net"], poster["adds_by_staff"]) == (1, 1, {"zhangwei": 1})


async def test_rules_can_be_loaded_from_a_file_and_reset(stack: Stack, tmp_path: Path) -> None:
    mine = tmp_path / "rules.toml"
    mine.write_text('[welcome]\ntext = "欢迎{customer_name}"\n', encoding="utf-8")

    _, [shown] = await commands.live_rules(stack.deps, str(mine), reset=False)
    assert json.loads(shown)["welcome"]["text"] == "欢迎{customer_name}"
    assert json.loads(shown)["channels"] == {}

    _, [reset] = await commands.live_rules(stack.deps, None, reset=True)
    assert "poster_a" in json.loads(reset)["channels"]
