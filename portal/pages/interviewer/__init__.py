"""Reviewing interviews (issue 9): the interviewer's candidates and one interview's answers."""
