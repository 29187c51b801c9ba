"""``siyu bench scale``: the load is spread over the gateways, every callback distinct."""

from __future__ import annotations

import pytest

from bench.scale import _posts
from bot.cli import build_parser


def test_callbacks_go_round_robin_to_the_gateways_and_none_is_a_duplicate() -> None:
    posts = _posts([9001, 9002, 9003], 9)
    assert [post.url.port for post in posts] == [9001, 9002, 9003] * 3
    assert {post.url.host for post in posts} == {"127.0.0.1"}
    assert len({post.body for post in posts}) == 9
    assert all(post.url.path == "/wecom/callback" and post.url.query for post in posts)


def test_gateway_counts_are_read_from_a_comma_list() -> None:
    args = build_parser().parse_args(["bench", "scale", "--gateways", "1,3", "--seconds", "2"])
    assert (args.gateways, args.seconds) == ([1, 3], 2.0)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "scale", "--gateways", "one,two"])
