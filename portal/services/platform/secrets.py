"""Secrets the first run creates: random, in files only the owner can read."""

from __future__ import annotations

import os
import secrets as _secrets
from pathlib import Path

from portal.services.platform.settings import get_settings


def secret_file(name: str, nbytes: int = 32) -> Path:
    """Path of the secret ``name`` under <data>/secrets, created 0600 if missing."""
    directory = get_settings().data_dir / "secrets"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / name
    if not path.exists():
        # O_EXCL: two processes starting at once cannot both write a different secret.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path
        with os.fdopen(fd, "w") as f:
            f.write(_secrets.token_urlsafe(nbytes))
    return path


def read_secret(name: str, env_var: str | None = None) -> str:
    """The secret from ``env_var`` when set, else from its file (created on first use)."""
    if env_var and os.environ.get(env_var):
        return os.environ[env_var].strip()
    return secret_file(name).read_text().strip()
