"""bench.cpu: CPU seconds from /proc, split into the server tree, Redis, this process, the rest."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from bench import cpu
from bot.store.embedded import EmbeddedRedis

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

_BURN = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"


def test_a_busy_server_child_is_counted_as_the_server() -> None:
    server = subprocess.Popen([sys.executable, "-c", _BURN + "time.sleep(30)\n"])
    try:
        before = cpu.sample(server.pid)
        deadline = time.monotonic() + 10
        while (now := cpu.sample(server.pid)) is not None and now.server < 0.3:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        server.kill()
        server.wait()
    assert before is not None and now is not None
    used = now - before
    assert used.server > used.generator
    assert used.redis == 0.0


def test_the_embedded_redis_is_counted_as_redis(tmp_path: Path) -> None:
    embedded = EmbeddedRedis(tmp_path / "redis")
    url = embedded.start()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    client = redis.Redis.from_url(url)
    try:
        before = cpu.sample(sleeper.pid)
        client.eval("local n = 0 for i = 1, 20000000 do n = n + i end return 1", 0)
        after = cpu.sample(sleeper.pid)
    finally:
        client.close()
        sleeper.kill()
        sleeper.wait()
        embedded.stop()
    assert before is not None and after is not None
    used = after - before
    assert used.redis >= 0.05  # 20M Lua iterations take ~0.1 s or more
    assert used.others < used.redis
    assert used.server < used.redis
