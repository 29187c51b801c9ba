"""The first page of an any-of-tags search, without building the tags' union.

At 1,000,000 customers, "any of two tags" was the slowest search: the union of two tags of
~60,000 customers each was stored (``ZUNIONSTORE``) before its first 20 could be read. Each
tag's sorted set is already ordered by first add, so the first page is the top of their
merge, and the count follows by inclusion-exclusion over the tags' intersections
(``ZINTERSTORE`` walks the smallest set; independent tags meet in few customers). One
MULTI reads it all, so the page and the count are of the same moment.
"""

from __future__ import annotations

import heapq
from itertools import combinations
from typing import Any, Final

from redis.asyncio import Redis

MIN_TAGS: Final = 2  # one tag is its own sorted set: nothing to merge
MAX_TAGS: Final = 3  # 2**3 - 1 counts; with more tags the union is cheaper to build
MAX_PAGE: Final = 1000  # members read from each tag's top


def first_page_merges(offset: int, limit: int, any_tags: int, *, narrowed_otherwise: bool) -> bool:
    """Whether a search page is read by merging its tags from the top: the first page of an
    any-of search over 2 to MAX_TAGS tags that nothing else narrows (a date range aside)."""
    shaped = MIN_TAGS <= any_tags <= MAX_TAGS and not narrowed_otherwise
    return shaped and offset == 0 and limit <= MAX_PAGE


async def merged_first_page(
    redis: Redis,
    tags: list[str],
    scratch: str,
    bounds: tuple[float | str, float | str],
    limit: int,
) -> tuple[int, list[str]]:
    """How many customers carry any of ``tags`` (sorted-set keys) within ``bounds`` of first
    add, and the first ``limit`` of them, newest first (ties: the larger id first, as
    ``ZREVRANGEBYSCORE`` orders them). ``scratch``: a key prefix for the intersections, in
    the tags' hash slot; nothing is left behind."""
    low, high = bounds
    overlaps = [combo for size in range(2, len(tags) + 1) for combo in combinations(tags, size)]
    async with redis.pipeline(transaction=True) as pipe:
        for tag in tags:
            pipe.zrevrangebyscore(tag, high, low, start=0, num=limit, withscores=True)
        for tag in tags:
            pipe.zcount(tag, low, high)
        for number, combo in enumerate(overlaps):
            temp = f"{scratch}{number}"
            pipe.zinterstore(temp, list(combo), aggregate="MAX")
            pipe.zcount(temp, low, high)
            pipe.delete(temp)
        replies: list[Any] = await pipe.execute()
    tops, singles = replies[: len(tags)], replies[len(tags) : 2 * len(tags)]
    total = sum(int(count) for count in singles)
    for number, combo in enumerate(overlaps):
        counted = int(replies[2 * len(tags) + 3 * number + 1])
        total += counted if len(combo) % 2 else -counted  # inclusion-exclusion
    return total, _top(tops, limit)


def _top(tops: list[list[tuple[str, float]]], limit: int) -> list[str]:
    """The first ``limit`` distinct members of lists ordered by (score, member), descending."""
    page: list[str] = []
    last: tuple[float, str] | None = None
    for member, score in heapq.merge(*tops, key=lambda pair: (pair[1], pair[0]), reverse=True):
        if (score, member) == last:  # the same customer from another tag: adjacent
            continue
        last = (score, member)
        page.append(str(member))
        if len(page) == limit:
            break
    return page
