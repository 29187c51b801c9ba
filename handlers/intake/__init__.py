"""Customer intake: channels (live codes) and their allocation, welcome texts, churn notices.

Pure, as data and functions of their inputs and of a time the caller reads from the
injected clock: ``rules`` (the model operators write), ``allocation``, ``welcome``,
``hours``, ``churn`` and ``filters``. The I/O edge, over Deps (WeCom and Redis):
``live`` (the live rules, local time), ``live_codes`` (create codes, rebalance them),
``digest`` (managers' churn digests), ``backfill`` (import existing customers) and
``commands`` (``siyu channels``). The handlers are in handlers/ (welcome, profiles, tags,
channels, churn).
"""
