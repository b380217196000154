"""Development: the course catalogue and enrolment, recommendations for a person's gaps,
the development plan with its score timeline, and the periodic development report."""
