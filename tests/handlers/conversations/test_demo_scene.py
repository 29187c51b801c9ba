"""The demo's 微信客服 scene on the real demo stage: the customer is welcomed, answered,
handed to a servicer who is told why, and the bot is silent afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.demo.kf_story import customer_chats_with_the_bot
from bot.demo.stage import stage


async def test_the_kf_scene_ends_in_a_handoff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with stage(tmp_path) as the_stage:
        await customer_chats_with_the_bot(the_stage)
    out = capsys.readouterr().out
    bot = [line.split("siyu bot", 1)[1].strip() for line in out.splitlines() if "siyu bot" in line]
    assert bot[0].startswith("«您好，感谢扫描海报咨询思域健身"), "the poster's welcome"
    assert bot[1].startswith("«思域健身会员价格"), "the price, asked in the customer's words"
    assert bot[3].startswith("«门店地址"), "the tapped item's answer"
    assert bot[4] == "«好的，正在为您转接人工客服，请稍候。»"
    assert "hands the session to 员工 李娜 (kf/service_state/trans, state 3)" in out
    assert "原因：客户要求人工客服" in out
    assert bot[-1] == "stays silent: 员工 李娜 serves the customer now"
