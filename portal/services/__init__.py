"""Business rules and security decisions. Plain Python: never imports reflex."""
