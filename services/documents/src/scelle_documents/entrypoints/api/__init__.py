"""The vault's HTTP API: parse → use case → JSON (or a byte stream)."""
