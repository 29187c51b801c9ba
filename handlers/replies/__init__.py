"""Quick replies (话术库, grouped and searchable) and FAQ answers (by intent or keywords)."""
