"""``siyu bench fuzz``: a short run against a real gateway, and what counts as a failure."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.fuzz_soak import Tally, _verdict, fuzzed_callbacks, run_fuzz_bench


def test_a_short_run_against_a_real_gateway_finds_nothing_wrong(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_fuzz_bench(400, 8, seed=3) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[-1] == "fuzz: ok callbacks=400"
    assert "200: " in printed and "400: " in printed and "413: " in printed


def test_the_requests_are_reproducible_and_varied() -> None:
    first, again = fuzzed_callbacks(300, 5, 1_790_000_000), fuzzed_callbacks(300, 5, 1_790_000_000)
    assert [r.damage for r in first] == [r.damage for r in again]
    assert len({r.damage for r in first}) >= 10


def test_a_5xx_a_lost_connection_or_growing_memory_is_a_failure() -> None:
    tally = Tally(statuses=Counter({"200": 90, "503": 1, "ServerDisconnectedError": 2}))
    tally.rss_kib = [(0, 50_000), (20, 80_000), (50, 81_000), (99, 99_000)]
    problems = _verdict(tally, 100)
    assert "1 answers 503" in problems and "2 answers ServerDisconnectedError" in problems
    assert any("resident memory grew" in p for p in problems)
    flat = Tally(statuses=Counter({"200": 10, "413": 3}), rss_kib=[(0, 50_000), (50, 80_000)])
    assert _verdict(flat, 100) == []
