"""Redis: the embedded server, connections, key builders and repositories."""
