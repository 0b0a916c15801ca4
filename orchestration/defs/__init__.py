"""One module per concern; each exposes a small ``Definitions`` built on demand (no work at import)."""
