"""Helpers shared by tests: building callbacks and waiting for the queue."""
