"""Sentinel and Cluster clients, through redis-py's own classes.

Both are typed as ``redis.asyncio.Redis`` for the rest of siyu: the Sentinel client is one,
and the async ``RedisCluster`` answers every command siyu sends (single-slot: a corp's keys
share its hash tag, and every key a Lua script touches is in KEYS). tests/cluster/ runs the
scenario core against real servers of both kinds to keep that true.
"""

from __future__ import annotations

from typing import Any, Final, cast

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool
from redis.backoff import ExponentialBackoff

from config.settings import RedisSettings

# A failover or a slot move takes seconds: retry a few times with backoff within that, then
# let the caller fail (the gateway answers 503 and WeCom retries).
_TOPOLOGY_RETRIES: Final = 3


class BlockingSentinelPool(SentinelConnectionPool, BlockingConnectionPool):
    """A Sentinel pool that makes callers wait for a free connection, like the single one,
    and closes its connections to the sentinels with its own."""

    async def disconnect(self, inuse_connections: bool = True) -> None:
        """Close the pool's connections; on a full close (the client's), the sentinels' too."""
        await super().disconnect(inuse_connections)
        if inuse_connections:
            for sentinel in self.sentinel_manager.sentinels:
                await sentinel.aclose()


def host_port(node: str) -> tuple[str, int]:
    """``"host:port"`` → (host, port)."""
    host, _, port = node.rpartition(":")
    return host, int(port)


def _secret(settings: RedisSettings, name: str) -> str | None:
    value = getattr(settings, name)
    return None if value is None else str(value.get_secret_value())


def sentinel_client(
    settings: RedisSettings, options: dict[str, Any], max_connections: int
) -> Redis:
    """A client of ``master_name``'s current primary; it asks the sentinels again after a
    failover (a connection to a demoted primary is dropped and re-made)."""
    sentinel_options: dict[str, Any] = {
        "socket_timeout": options["socket_timeout"],
        "socket_connect_timeout": options["socket_connect_timeout"],
        "password": _secret(settings, "sentinel_password"),
        "decode_responses": True,
    }
    sentinel = Sentinel(
        [host_port(node) for node in settings.sentinels], sentinel_kwargs=sentinel_options
    )
    client = sentinel.master_for(
        settings.master_name,
        connection_pool_class=BlockingSentinelPool,
        password=_secret(settings, "password"),
        max_connections=max_connections,
        **options,
    )
    return cast(Redis, client)


def cluster_client(settings: RedisSettings, options: dict[str, Any], max_connections: int) -> Redis:
    """A Cluster client: discovers the nodes and slots from ``cluster_nodes`` and follows
    MOVED/ASK redirections and failovers."""
    options = {key: value for key, value in options.items() if key != "health_check_interval"}
    options["retry"] = Retry(ExponentialBackoff(cap=0.5, base=0.05), _TOPOLOGY_RETRIES)
    client = RedisCluster(
        startup_nodes=[ClusterNode(*host_port(node)) for node in settings.cluster_nodes],
        password=_secret(settings, "password"),
        max_connections=max_connections,
        **options,
    )
    # Not a Redis subclass, but the same command methods: see the module's docstring.
    return cast(Redis, client)
