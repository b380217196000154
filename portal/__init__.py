"""Talent Portal: the Reflex app package."""
