"""siyu: the WeCom callback gateway, its workers and its tools."""
