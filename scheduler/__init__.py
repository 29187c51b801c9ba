"""The reminders scheduler: one leader per corp (a Redis lease with a fencing token) runs
APScheduler, whose poll job moves due reminders from Redis onto the event stream.

Why APScheduler drives a poll instead of holding one job per reminder: APScheduler 3 reads
``datetime.now()`` inside ``_process_jobs`` (no injected clock), its RedisJobStore is a sync
client on the event loop with pickled jobs, and ``siyu bench reminders`` measures where a
job per reminder stops scaling. The due index (a sorted set) is the job store; APScheduler
keeps the leader's two periodic jobs (poll, lease renewal) with coalescing and a misfire grace.
"""
