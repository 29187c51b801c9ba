"""``[redis]`` names one topology, and ``connect`` builds redis-py's client for it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr, ValidationError
from redis.asyncio.cluster import RedisCluster

from bot.store.connection import connect
from bot.store.topology import BlockingSentinelPool
from config.settings import RedisSettings


@pytest.mark.parametrize(
    "values",
    [
        {"url": "redis://h:6379/0", "sentinels": ["h:26379"]},
        {"sentinels": ["h:26379"], "cluster_nodes": ["h:7000"]},
        {"sentinels": ["no-port"]},
        {"cluster_nodes": ["h:port"]},
    ],
)
def test_one_topology_of_host_port_nodes(values: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RedisSettings(**values)


async def test_connect_builds_the_topologys_client() -> None:
    sentinels = RedisSettings(sentinels=["127.0.0.1:1"], master_name="m", password=SecretStr("pw"))
    sentinel = connect(sentinels, 0.1)
    assert isinstance(sentinel.connection_pool, BlockingSentinelPool)
    assert sentinel.connection_pool.service_name == "m"
    cluster = connect(RedisSettings(cluster_nodes=["127.0.0.1:1"]), 0.1)
    assert isinstance(cluster, RedisCluster)
    for client in (sentinel, cluster):
        await client.aclose()
    assert RedisSettings().embedded and not RedisSettings(cluster_nodes=["h:1"]).embedded
