"""Which navigation entries each role sees. Pages register the routes; this
module decides visibility, so the shell never hard-codes a role check."""

from __future__ import annotations

from portal import routes
from portal.services.i18n import N_, gettext

# (route, msgid) in display order. "" is a visitor who has not signed in.
_PUBLIC = [(routes.HOME, N_("Home")), (routes.JOBS, N_("Open positions"))]

NAV: dict[str, list[tuple[str, str]]] = {
    "": _PUBLIC,
    "candidate": _PUBLIC,
    "employee": _PUBLIC,
    "interviewer": _PUBLIC,
    "hr": _PUBLIC,
    "hr_manager": _PUBLIC,
    "admin": _PUBLIC,
}


def nav_items(role: str, locale: str) -> list[dict[str, str]]:
    """The entries for ``role`` with labels in ``locale``; unknown roles get the public menu."""
    return [
        {"href": href, "label": gettext(locale, msgid)}
        for href, msgid in NAV.get(role, NAV[""])
    ]
