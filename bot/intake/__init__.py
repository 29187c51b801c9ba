"""Customer intake as data and pure rules: channels, allocation, welcome texts, working hours.

Nothing here does I/O except ``service`` (the live-code operations over WeCom and Redis):
the rules model validates what operators write (config/intake.toml, the live copy in
Redis), and allocation, welcome composition and shift arithmetic are pure functions of
their inputs and of a time that the caller reads from the injected clock.
"""
