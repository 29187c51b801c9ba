"""The short form of ``siyu chaos``: the real command, real processes, nothing lost or doubled."""

from __future__ import annotations

import re
import subprocess
import sys
import time

from tests.support.processes import PROJECT_ROOT

SUMMARY = re.compile(
    r"chaos: sent=(?P<sent>\d+) accepted=(?P<accepted>\d+) effects=(?P<effects>\d+) "
    r"duplicates=(?P<duplicates>\d+) losses=(?P<losses>\d+)"
)
SIYU = (sys.executable, "-c", "from bot.cli import main; raise SystemExit(main())")
SHORT_FORM_SECONDS = 120  # the whole run's wall time, on a loaded 2-core machine


def test_the_short_form_loses_nothing_and_doubles_nothing() -> None:
    started = time.monotonic()
    run = subprocess.run(
        [*SIYU, "chaos", "--seed", "19"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=SHORT_FORM_SECONDS + 60,
        check=False,
    )
    elapsed = time.monotonic() - started
    lines = run.stdout.strip().splitlines()

    assert lines, run.stderr
    found = SUMMARY.fullmatch(lines[-1])
    assert found is not None, run.stdout + run.stderr
    counts = {name: int(value) for name, value in found.groupdict().items()}
    assert counts["losses"] == 0, run.stdout
    assert counts["duplicates"] == 0, run.stdout
    assert counts["accepted"] > 0, run.stdout
    assert counts["effects"] >= counts["accepted"], run.stdout
    assert run.returncode == 0, run.stdout + run.stderr
    progress = "\n".join(lines)
    for fault in ("SIGKILL gateway-", "SIGKILL worker-", "SIGKILL scheduler-", "redis restart"):
        assert fault in progress
    assert "redis unreachable for" in progress
    assert "spool full on gateway-" in progress
    assert elapsed < SHORT_FORM_SECONDS, f"the short form took {elapsed:.0f} s"
