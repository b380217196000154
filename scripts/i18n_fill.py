"""Fill translations from a JSON object {msgid: translation} into one catalogue.
Usage: .venv/bin/python scripts/i18n_fill.py zh_CN < translations.json"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from babel.messages.pofile import read_po, write_po  # noqa: E402

from portal.services.platform.i18n import LOCALES_DIR  # noqa: E402

locale = sys.argv[1]
path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
with path.open("rb") as f:
    catalog = read_po(f, locale=locale)
for msgid, text in json.load(sys.stdin).items():
    if msgid not in catalog:
        catalog.add(msgid, text)
    else:
        catalog[msgid].string = text
with path.open("wb") as f:
    write_po(f, catalog, width=0, sort_output=True)
