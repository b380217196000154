"""``t(msgid)``: a string that follows the visitor's language without a reload.

Both translations are compiled into the page and the browser picks one from the
locale var, so switching language is instant and needs no round trip per string.
"""

from __future__ import annotations

import reflex as rx

from portal.services.platform.i18n import catalogs
from state.base import BaseState


def t(msgid: str) -> rx.Var:
    zh = catalogs()["zh_CN"].get(msgid) or msgid
    en = catalogs()["en"].get(msgid) or msgid
    return rx.cond(BaseState.lang == "en", en, zh)
