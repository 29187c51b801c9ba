"""``siyu chaos``: real processes under load and random faults, then an account of every event.

processes: Redis and the siyu roles as children; load: signed callbacks from the sandbox's
emitter; faults: the seeded plan and its injection; accounting: what was lost or doubled;
report: the table. journal: the counted effect (only chaos includes it); watch: the gateways'
spool counter; logs: the children's ERROR lines. ``bot.chaos.run`` ties them together.
"""
