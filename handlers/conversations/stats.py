"""The 微信客服 bot's Prometheus counters, registered on the app's registry (bot/metrics.py).

siyu_kf_replies_total{kind,outcome}: answers, welcomes, fallbacks, handoff notices (sent,
unsent); siyu_kf_handoffs_total{reason,to}: human/complaint intents, fallbacks, taps on 人工,
to a servicer or the pool (or failed); siyu_kf_satisfaction_total{rating}: taps on 有帮助 /
没帮助; siyu_kf_unsent_total{reason}: replies not sent (no_window, reply_limit, refused).
"""

from __future__ import annotations

import weakref
from typing import Final

from prometheus_client import Counter

from bot.metrics import Metrics


class KfStats:
    """The bot's counters on one registry."""

    def __init__(self, metrics: Metrics) -> None:
        registry = metrics.registry
        self.replies = Counter(
            "siyu_kf_replies",
            "微信客服 bot replies by kind and outcome",
            ["kind", "outcome"],
            registry=registry,
        )
        self.handoffs = Counter(
            "siyu_kf_handoffs",
            "微信客服 handoffs to humans by reason",
            ["reason", "to"],
            registry=registry,
        )
        self.satisfaction = Counter(
            "siyu_kf_satisfaction",
            "微信客服 answers rated by customers",
            ["rating"],
            registry=registry,
        )
        self.unsent = Counter(
            "siyu_kf_unsent",
            "微信客服 replies that could not be sent",
            ["reason"],
            registry=registry,
        )


_BY_METRICS: Final[weakref.WeakKeyDictionary[Metrics, KfStats]] = weakref.WeakKeyDictionary()


def kf_stats(metrics: Metrics) -> KfStats:
    """The bot's counters on ``metrics``' registry (made once per registry)."""
    stats = _BY_METRICS.get(metrics)
    if stats is None:
        stats = _BY_METRICS[metrics] = KfStats(metrics)
    return stats
