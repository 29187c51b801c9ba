"""Text understanding: normalization, sensitive words, intents (pure, imports nothing of ours)."""
