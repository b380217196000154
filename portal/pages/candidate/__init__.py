"""The candidate's preparation pages (issue 8), one module per route."""
