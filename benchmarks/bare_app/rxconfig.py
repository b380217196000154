"""A bare Reflex app of the portal's Reflex version: the load benchmark's yardstick."""

import os

import reflex as rx

_port = int(os.environ.get("BARE_PORT", "3930"))

config = rx.Config(
    app_name="bare",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    frontend_port=_port,
    backend_port=_port,
    backend_host="127.0.0.1",
    disable_plugins=[rx.plugins.SitemapPlugin],
)
