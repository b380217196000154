"""Deployment settings, read once from the environment with working defaults.

Every knob an operator may turn lives here so rxconfig, the CLI and the services
agree on one value.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    db_url: str
    redis_url: str | None
    host: str
    port: int
    public_url: str
    worker_url: str
    worker_port: int
    default_locale: str
    demo_content: bool
    trusted_proxies: frozenset[str]
    # Interview recordings (services/interviews/recordings.py): per chunk, per answer, seconds per answer
    recording_chunk_bytes: int = 4 * 1024 * 1024
    recording_max_bytes: int = 150 * 1024 * 1024
    recording_max_seconds: int = 600

    @property
    def origin(self) -> str:
        """The scheme://host[:port] browsers use; CORS and websocket origin checks use it."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    data_dir = Path(_env("TALENT_DATA_DIR", str(ROOT / "data"))).resolve()
    port = int(_env("TALENT_PORT", "3000"))
    worker_port = int(_env("TALENT_WORKER_PORT", "8765"))
    return Settings(
        data_dir=data_dir,
        db_url=_env("TALENT_DB_URL", f"sqlite:///{data_dir / 'portal.db'}"),
        redis_url=os.environ.get("TALENT_REDIS_URL") or None,
        host=_env("TALENT_HOST", "127.0.0.1"),
        port=port,
        public_url=_env("TALENT_PUBLIC_URL", f"http://localhost:{port}").rstrip("/"),
        worker_url=_env("TALENT_WORKER_URL", f"http://127.0.0.1:{worker_port}").rstrip("/"),
        worker_port=worker_port,
        default_locale=_env("TALENT_DEFAULT_LOCALE", "zh_CN"),
        demo_content=_env("TALENT_DEMO_CONTENT", "1") not in ("0", "false", "no"),
        trusted_proxies=frozenset(
            p.strip() for p in os.environ.get("TALENT_TRUSTED_PROXIES", "").split(",") if p.strip()
        ),
        # A 5-second chunk of 720p webm is about 1-2 MB; a 3-minute answer about 60 MB.
        recording_chunk_bytes=int(_env("TALENT_RECORDING_CHUNK_BYTES", str(4 * 1024 * 1024))),
        recording_max_bytes=int(_env("TALENT_RECORDING_MAX_BYTES", str(150 * 1024 * 1024))),
        recording_max_seconds=int(_env("TALENT_RECORDING_MAX_SECONDS", "600")),
    )


def client_ip(peer: str | None, forwarded_for: str | None) -> str:
    """The address throttling and the audit log should see. X-Forwarded-For is
    believed only when the direct peer is a configured reverse proxy (otherwise
    anyone could claim any address); then the nearest address that is not one
    of our proxies is the client."""
    peer = (peer or "").strip()
    proxies = get_settings().trusted_proxies
    if peer not in proxies or not forwarded_for:
        return peer[:64]
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if hop not in proxies:
            return hop[:64]
    return peer[:64]
