"""platform services."""
