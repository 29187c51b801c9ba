"""Moderation: sensitive-word alerts and intent actions on every chat message.

The matching is nlp's (``Analyzer``); this package decides what happens: rules as data
(rules.py, config/moderation.toml), violation counters, alert cards with the excerpt
highlighted (excerpt.py, cards.py, alerts.py), and intent actions (intents.py): tags,
prompts to the staff member, do-not-disturb, escalation.
"""
