"""Fill Chinese translations into the zh_CN catalogue from a JSON file of {msgid: 中文}.

Usage: .venv/bin/python scripts/i18n_fill.py translations.json
Only empty entries are filled; a msgid not in the catalogue is an error (run `make i18n` first).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from babel.messages.pofile import read_po, write_po  # noqa: E402

from portal.services.platform.i18n import LOCALES_DIR  # noqa: E402


def main(source: str) -> None:
    wanted = json.loads(Path(source).read_text(encoding="utf-8"))
    path = LOCALES_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale="zh_CN")
    unknown = [m for m in wanted if m not in catalog]
    if unknown:
        sys.exit(f"not in the catalogue (run make i18n): {unknown}")
    filled = 0
    for msgid, text in wanted.items():
        if not catalog[msgid].string:
            catalog[msgid].string = text
            filled += 1
    with path.open("wb") as f:
        write_po(f, catalog, width=0, sort_output=True, omit_header=False)
    print(f"zh_CN: {filled} filled")


if __name__ == "__main__":
    main(sys.argv[1])
