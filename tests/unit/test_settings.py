from __future__ import annotations

import os
import stat
import subprocess
import sys

from portal.services.platform import settings
from tests.conftest import ROOT


def _config_in_subprocess(env: dict[str, str]) -> str:
    code = ("from rxconfig import config; import json; print(json.dumps({'cors': config.cors_allowed_origins,"
            " 'telemetry': config.telemetry_enabled, 'db': config.db_url, 'badge': config.show_built_with_reflex}))")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, check=True).stdout


def test_rxconfig_reads_the_environment_limits_cors_and_disables_telemetry(tmp_path):
    import json

    out = json.loads(_config_in_subprocess({
        "TALENT_PUBLIC_URL": "https://hr.example.cn/", "TALENT_DB_URL": f"sqlite:///{tmp_path}/x.db"}))
    assert out["cors"] == ["https://hr.example.cn"]
    assert out["telemetry"] is False and out["badge"] is False
    assert out["db"] == f"sqlite:///{tmp_path}/x.db"


def test_defaults_are_embedded(monkeypatch):
    for name in list(os.environ):
        if name.startswith("TALENT_"):
            monkeypatch.delenv(name)
    settings.get_settings.cache_clear()
    try:
        s = settings.get_settings()
        assert s.db_url.startswith("sqlite:///") and s.db_url.endswith("portal.db")
        assert s.public_url == "http://localhost:3000" and s.origin == "http://localhost:3000"
        assert s.redis_url is None
    finally:
        settings.get_settings.cache_clear()


def test_secret_files_are_created_owner_only(monkeypatch, tmp_path):
    from portal.services.platform import secrets

    monkeypatch.setenv("TALENT_DATA_DIR", str(tmp_path))
    settings.get_settings.cache_clear()
    try:
        first = secrets.read_secret("scoring_token")
        assert len(first) >= 40 and secrets.read_secret("scoring_token") == first
        mode = stat.S_IMODE((tmp_path / "secrets" / "scoring_token").stat().st_mode)
        assert mode == 0o600
        monkeypatch.setenv("SCORING_TOKEN", "from-env")
        assert secrets.read_secret("scoring_token", "SCORING_TOKEN") == "from-env"
    finally:
        settings.get_settings.cache_clear()


def test_build_fingerprint_changes_with_the_public_url(monkeypatch):
    from portal import cli

    a = cli.build_fingerprint()
    monkeypatch.setenv("TALENT_PUBLIC_URL", "https://elsewhere.example")
    settings.get_settings.cache_clear()
    try:
        assert cli.build_fingerprint() != a
    finally:
        settings.get_settings.cache_clear()


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(monkeypatch):
    monkeypatch.setenv("TALENT_TRUSTED_PROXIES", "10.0.0.5, 10.0.0.6")
    settings.get_settings.cache_clear()
    try:
        # no proxy in between: a client cannot pick its own address
        assert settings.client_ip("203.0.113.9", "1.2.3.4") == "203.0.113.9"
        # through our proxies: the nearest address that is not ours
        assert settings.client_ip("10.0.0.5", "1.2.3.4, 198.51.100.7, 10.0.0.6") == "198.51.100.7"
        assert settings.client_ip("10.0.0.5", None) == "10.0.0.5"
    finally:
        settings.get_settings.cache_clear()
