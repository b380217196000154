"""Errors a user may see.

A service refuses with ``ServiceError(msgid, **params)``: ``msgid`` is an English
sentence marked with ``N_()`` (translated where the locale is known, e.g.
``i18n.gettext(locale, err.msgid, **err.params)``). Anything else that escapes a
service is a bug, and the caller shows a generic message instead.
"""

from __future__ import annotations

from portal.services.platform.i18n import N_

PERMISSION_DENIED = N_("You do not have permission to do this.")


class ServiceError(Exception):
    """A refusal the user may read: a translatable msgid and its ``{placeholders}``."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params

    def translate(self, locale: str | None) -> str:
        from portal.services.platform.i18n import gettext

        return gettext(locale, self.msgid, **self.params)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.msgid!r})"


class PermissionDenied(ServiceError):
    """The caller may not do this (or may not see this object)."""

    def __init__(self, msgid: str = PERMISSION_DENIED, **params: object) -> None:
        super().__init__(msgid, **params)


class FieldErrors(ServiceError):
    """Some fields of a form are wrong (nothing was saved): field -> (msgid, params)."""

    def __init__(self, fields: dict[str, tuple[str, dict]]) -> None:
        super().__init__(next(iter(fields.values()))[0])
        self.fields = fields
