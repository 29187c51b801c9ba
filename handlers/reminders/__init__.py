"""Reminders: records, their Redis repository, the state machine, prompt cards and rules.

Its routers (router.py, staff_commands.py) use the rest of the package; the scheduler
(scheduler/) reads the due index it writes.
"""
