"""interviews services."""
