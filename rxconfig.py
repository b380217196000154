"""Reflex configuration. Everything deployment-specific comes from the environment
(see portal/services/settings.py and the README's configuration table)."""

import reflex as rx

from portal.services.settings import get_settings

_s = get_settings()

config = rx.Config(
    app_name="portal",
    db_url=_s.db_url,
    redis_url=_s.redis_url,
    # Only our own origin may open the event websocket (Reflex defaults to "*").
    cors_allowed_origins=[_s.origin],
    telemetry_enabled=False,
    show_built_with_reflex=False,
    frontend_port=_s.port,
    backend_port=_s.port,
    backend_host=_s.host,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", radius="medium", appearance="inherit")
        )
    ],
    # A sitemap advertises routes; a private portal has nothing to advertise.
    disable_plugins=[rx.plugins.SitemapPlugin],
)
