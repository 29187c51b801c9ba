"""Reminders: records, their Redis repository, the state machine, prompt cards and rules.

Handlers (handlers/reminders.py, handlers/staff_commands.py) and the scheduler (scheduler/)
use this package; it knows nothing of either.
"""
