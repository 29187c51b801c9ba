"""The async WeCom API client: one aiohttp session, tokens in Redis, limits, typed errors."""
