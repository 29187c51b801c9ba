"""WeCom's HTTP API as the sandbox serves it, under /cgi-bin/, one module per area."""
