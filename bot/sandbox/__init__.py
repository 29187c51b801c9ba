"""The local WeCom sandbox: WeCom's HTTP API, a callback emitter, actors, outbox and faults."""
