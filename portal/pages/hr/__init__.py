"""HR's back office (issue 12): one module per section, each registered in portal/portal.py."""
