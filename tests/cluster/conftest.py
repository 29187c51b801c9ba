"""Real Sentinel and Cluster topologies, one of each per test session, for the scenario core.

Opt-in locally (``SIYU_TOPOLOGY_TESTS=1``; they start 8 redis-server processes), always in CI
(.ci/run sets it). Every test here carries the ``topology`` marker.
"""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.store.connection import connect
from config.settings import RedisSettings
from tests.cluster import servers

ENV_VAR = "SIYU_TOPOLOGY_TESTS"
TOPOLOGIES = ("cluster", "sentinel")


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker (the suite runs with --strict-markers)."""
    config.addinivalue_line(
        "markers", f"topology: needs real Sentinel/Cluster servers ({ENV_VAR}=1)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark this directory's tests; skip them unless asked for."""
    wanted = os.environ.get(ENV_VAR) == "1"
    skip = pytest.mark.skip(reason=f"set {ENV_VAR}=1 to run the Sentinel/Cluster tests")
    for item in items:
        if "tests/cluster/" in item.nodeid:
            item.add_marker(pytest.mark.topology)
            if not wanted:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def cluster_topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Topology]:
    """A 3-master Cluster for the session."""
    with servers.cluster(tmp_path_factory.mktemp("cluster")) as topology:
        yield topology


@pytest.fixture(scope="session")
def sentinel_topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[servers.Topology]:
    """A primary, a replica and 3 sentinels for the session."""
    with servers.sentinels(tmp_path_factory.mktemp("sentinel")) as topology:
        yield topology


@pytest.fixture(params=TOPOLOGIES)
def redis_section(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The ``[redis]`` settings of one topology (the test runs once per topology)."""
    topology: servers.Topology = request.getfixturevalue(f"{request.param}_topology")
    return {"url": "", **topology.redis}


@pytest.fixture
async def topology_redis(redis_section: dict[str, Any]) -> AsyncIterator[Redis]:
    """A client of the topology, as siyu makes it."""
    client = connect(RedisSettings(**redis_section), 2.0)
    yield client
    await client.aclose()


@pytest.fixture
def collected_after() -> Iterator[None]:
    """Collect garbage once the test and its other fixtures (the app) are torn down: what
    they abandoned warns inside this test, not in whichever test runs next."""
    yield
    gc.collect()
