"""Reflex configuration. Everything deployment-specific comes from the environment
(see portal/services/platform/settings.py and the README's configuration table)."""

import reflex as rx
from reflex.constants import StateManagerMode

from portal.services.platform.settings import get_settings

_s = get_settings()

config = rx.Config(
    app_name="portal",
    db_url=_s.db_url,
    redis_url=_s.redis_url,
    # Chosen, not Reflex's default (pickle files on disk): one process keeps state in
    # memory, so no file holds anybody's data and nothing piles up (a state expires an
    # hour after its tab's last event); a restart loses it at no cost, the session
    # cookie re-fills every page. Several processes or hosts share Redis.
    state_manager_mode=StateManagerMode.REDIS if _s.redis_url else StateManagerMode.MEMORY,
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
