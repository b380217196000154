from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def db_url(tmp_path) -> str:
    """A migrated, empty SQLite database file."""
    from portal.services import db

    url = f"sqlite:///{tmp_path / 'test.db'}"
    db.migrate(url)
    return url
