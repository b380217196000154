"""Reflex State classes: thin. Validate input, check permission, call a service, set vars."""
