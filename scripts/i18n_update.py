"""Add every msgid found in the sources to both catalogues.

English msgids are their own English translation; new Chinese entries are left
empty and marked, and the catalogue test fails until someone translates them.
Usage: .venv/bin/python scripts/i18n_update.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from portal.services.platform.i18n import LOCALES, LOCALES_DIR, extract_msgids  # noqa: E402


def main() -> None:
    msgids = sorted(extract_msgids())
    for locale in LOCALES:
        path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as f:
                catalog = read_po(f, locale=locale)
        else:
            catalog = Catalog(locale=locale, project="Talent Portal")
        added = 0
        for msgid in msgids:
            if msgid not in catalog:
                catalog.add(msgid, msgid if locale == "en" else "")
                added += 1
        with path.open("wb") as f:
            write_po(f, catalog, width=0, sort_output=True, omit_header=False)
        missing = [m.id for m in catalog if m.id and not m.string]
        print(f"{locale}: {added} added, {len(missing)} untranslated")
        for m in missing:
            print("   ", m)


if __name__ == "__main__":
    main()
