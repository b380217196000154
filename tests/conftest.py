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
    from portal.services.platform import content_cache, crypto, settings

    monkeypatch.setenv("TALENT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv(crypto.ENV_VAR, raising=False)
    settings.get_settings.cache_clear()
    crypto.reset_cache()
    content_cache.reset_all()
    yield tmp_path / "data"
    settings.get_settings.cache_clear()
    crypto.reset_cache()
    content_cache.reset_all()


SPEECH_MAX_AUDIO = 400_000  # bytes: the committed clips fit, the 413 test needs only ~0.4 MB


@pytest.fixture(scope="session")
def speech_worker(tmp_path_factory):
    """ONE real worker process for every test that transcribes: the Whisper model loads
    once per test session (on the first transcription) and is shared."""
    import secrets
    import time

    import httpx

    from tests.unit.worker import conftest as worker_helpers

    w = worker_helpers.start_worker(tmp_path_factory.mktemp("speech-worker"),
                                    token=secrets.token_urlsafe(32),
                                    extra_args=("--max-audio-bytes", str(SPEECH_MAX_AUDIO)))
    deadline = time.monotonic() + 60
    while httpx.get(w.url + "/healthz").json()["transcription"]["status"] == "checking":
        assert time.monotonic() < deadline, w.log_text()
        time.sleep(0.05)
    yield w
    worker_helpers.stop_worker(w)
