"""APScheduler setup, the leader lease and the jobs that enqueue due reminders."""
