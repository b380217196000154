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
    from portal.services.platform import db

    url = f"sqlite:///{tmp_path / 'test.db'}"
    db.migrate(url)
    return url


@pytest.fixture
def isolated_data_dir(tmp_path, monkeypatch):
    """Settings, secrets and the encryption keyring of this test only: a fresh data
    directory, no keyring from the environment, and no cached settings or keys."""
    from portal.services.platform import crypto, settings

    monkeypatch.setenv("TALENT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv(crypto.ENV_VAR, raising=False)
    settings.get_settings.cache_clear()
    crypto.reset_cache()
    yield tmp_path / "data"
    settings.get_settings.cache_clear()
    crypto.reset_cache()
