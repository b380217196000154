"""Route constants and URL builders: one place for every path the app serves."""

HOME = "/"
JOBS = "/jobs"
ERROR = "/error"
NOT_FOUND = "404"  # Reflex's slug for the catch-all page
