"""Encryption at rest for sensitive columns (every column whose name ends in ``_enc``).

AES-256-GCM with a random 96-bit nonce per value. A value is stored as
``v1:<key_id>:<base64url(nonce | ciphertext+tag)>``; the associated data binds
the version and key id, so a value cannot be relabelled to another key.

Keys live in a keyring ``{"current": kid, "keys": {kid: base64 key}}``: from the
environment variable ``TALENT_ENCRYPTION_KEYS`` when set (the operator manages
it), otherwise in ``<data_dir>/secrets/keyring.json``, created 0600 on first use.
``rotate_keys`` adds a key, makes it current and re-encrypts every ``*_enc``
value and every encrypted file (``FILE_STORES``: interview recordings);
``remove_key`` drops an old key once no row or file uses it.

    python -m portal.services.platform.crypto usage | rotate | remove <kid>
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Table, func, select

from portal.services.platform.errors import ServiceError
from portal.services.platform.i18n import N_
from portal.services.platform.settings import get_settings

ENV_VAR = "TALENT_ENCRYPTION_KEYS"
VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
_KID_RE = re.compile(r"^[A-Za-z0-9-]{1,40}$")  # no ':' (separator) and no LIKE wildcards
BATCH = 500

KEY_IN_USE = N_("This key is still in use and cannot be removed.")
KEY_IS_CURRENT = N_("The current key cannot be removed. Rotate to a new key first.")
UNKNOWN_KEY = N_("There is no key with this id.")


class CryptoError(Exception):
    """A configuration problem or a value that does not decrypt: never shown to users."""


@dataclass
class Keyring:
    current: str
    keys: dict[str, bytes] = field(default_factory=dict)
    from_env: bool = False

    def to_json(self) -> str:
        return json.dumps(
            {"current": self.current,
             "keys": {k: base64.b64encode(v).decode() for k, v in self.keys.items()}},
            indent=2, sort_keys=True,
        )


def _parse(text: str, *, from_env: bool) -> Keyring:
    try:
        data = json.loads(text)
        keys = {str(k): base64.b64decode(v, validate=True) for k, v in data["keys"].items()}
        current = str(data["current"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CryptoError(f"keyring is not valid JSON of the expected shape: {exc}") from None
    for kid, key in keys.items():
        if not _KID_RE.match(kid):
            raise CryptoError(f"key id {kid!r} must match {_KID_RE.pattern}")
        if len(key) != KEY_BYTES:
            raise CryptoError(f"key {kid!r} is {len(key)} bytes, expected {KEY_BYTES}")
    if current not in keys:
        raise CryptoError("the keyring's current key is not among its keys")
    return Keyring(current=current, keys=keys, from_env=from_env)


def new_key_id() -> str:
    return f"k{datetime.now(timezone.utc):%Y%m%d}{secrets.token_hex(3)}"


def keyring_path() -> Path:
    return get_settings().data_dir / "secrets" / "keyring.json"


def _write_new_file(path: Path, text: str) -> None:
    """Create ``path`` 0600 atomically (temp file + rename) so no reader sees half a keyring."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


_cache: dict[str, object] = {"stamp": None, "ring": None}


def reset_cache() -> None:
    _cache["stamp"] = None
    _cache["ring"] = None


def _create_if_missing(path: Path) -> None:
    if path.exists():
        if path.stat().st_mode & 0o077:  # readable by others: tighten it
            os.chmod(path, 0o600)
        return
    kid = new_key_id()
    ring = Keyring(current=kid, keys={kid: AESGCM.generate_key(bit_length=256)})
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Written in full to a temporary file, then hard-linked into place: link() fails if
    # the keyring exists, so two processes starting at once cannot both create one, and
    # no process ever reads a half-written keyring.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(ring.to_json())
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)


def load_keyring(*, refresh: bool = False) -> Keyring:
    """The keyring, cached per process and re-read when its source changes."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        stamp: object = ("env", env)
    else:
        path = keyring_path()
        _create_if_missing(path)
        st = path.stat()
        stamp = ("file", str(path), st.st_mtime_ns, st.st_size, st.st_ino)
    if refresh or _cache["stamp"] != stamp or _cache["ring"] is None:
        text = env if env else keyring_path().read_text()
        _cache["ring"] = _parse(text, from_env=bool(env))
        _cache["stamp"] = stamp
    return _cache["ring"]  # type: ignore[return-value]


def _aad(kid: str) -> bytes:
    return f"{VERSION}:{kid}".encode()


def encrypt(plaintext: str) -> str:
    """``v1:<kid>:<base64url(nonce|ciphertext)>`` under the current key."""
    if not isinstance(plaintext, str):
        raise TypeError("encrypt() takes a str")
    ring = load_keyring()
    kid = ring.current
    nonce = os.urandom(NONCE_BYTES)
    ct = AESGCM(ring.keys[kid]).encrypt(nonce, plaintext.encode("utf-8"), _aad(kid))
    return f"{VERSION}:{kid}:{base64.urlsafe_b64encode(nonce + ct).decode().rstrip('=')}"


def key_id_of(token: str) -> str:
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] != VERSION or not _KID_RE.match(parts[1]):
        raise CryptoError("not an encrypted value")
    return parts[1]


def decrypt(token: str) -> str:
    kid = key_id_of(token)
    blob_b64 = token.split(":", 2)[2]
    ring = load_keyring()
    if kid not in ring.keys:  # another process may have rotated: read the keyring again
        ring = load_keyring(refresh=True)
        if kid not in ring.keys:
            raise CryptoError(f"no key {kid!r} in the keyring")
    try:
        blob = base64.urlsafe_b64decode(blob_b64 + "=" * (-len(blob_b64) % 4))
        plain = AESGCM(ring.keys[kid]).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], _aad(kid))
    except (InvalidTag, ValueError) as exc:
        raise CryptoError("value does not decrypt (tampered or wrong key)") from exc
    return plain.decode("utf-8")


def decrypt_or_none(token: str | None) -> str | None:
    return None if not token else decrypt(token)


def encrypt_bytes(data: bytes, context: str) -> tuple[str, bytes]:
    """(key id, nonce | ciphertext) of ``data`` under the current key, for files. The
    associated data binds the key id and ``context`` (e.g. which recording and chunk),
    so a file cannot be moved to another place and still decrypt."""
    ring = load_keyring()
    kid = ring.current
    nonce = os.urandom(NONCE_BYTES)
    return kid, nonce + AESGCM(ring.keys[kid]).encrypt(nonce, data, _aad(kid) + b":" + context.encode())


def decrypt_bytes(kid: str, blob: bytes, context: str) -> bytes:
    ring = load_keyring()
    if kid not in ring.keys:
        ring = load_keyring(refresh=True)
        if kid not in ring.keys:
            raise CryptoError(f"no key {kid!r} in the keyring")
    try:
        return AESGCM(ring.keys[kid]).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:],
                                              _aad(kid) + b":" + context.encode())
    except (InvalidTag, ValueError) as exc:
        raise CryptoError("file does not decrypt (tampered, moved or wrong key)") from exc


# ---------------------------------------------------------------- columns and rotation


# Files encrypted under the key ring (not ``*_enc`` columns): each module named here has
# ``reencrypt_files(session) -> int`` (files moved to the current key) and
# ``files_per_key(session) -> dict[kid, count]``, so rotation and key removal cover them.
FILE_STORES = ("portal.services.interviews.recordings",)


def _file_stores():
    import importlib

    return [importlib.import_module(name) for name in FILE_STORES]


def encrypted_columns() -> list[tuple[Table, list]]:
    """Every table with ``*_enc`` columns, discovered from the model metadata."""
    from portal import models

    found = []
    for table in models.metadata.sorted_tables:
        cols = [c for c in table.columns if c.name.endswith("_enc")]
        if cols:
            found.append((table, cols))
    return found


@contextmanager
def _keyring_lock() -> Iterator[None]:
    """Serialise read-modify-write of the keyring file between processes."""
    lock_path = keyring_path().with_suffix(".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX
            pass
        yield
    finally:
        os.close(fd)


def _writable_ring() -> Keyring:
    ring = load_keyring(refresh=True)
    if ring.from_env:
        raise CryptoError(
            f"keys come from {ENV_VAR}: add a key there, make it current, restart, "
            "then run reencrypt_all()"
        )
    return ring


def reencrypt_all(session) -> int:
    """Re-encrypt every ``*_enc`` value and encrypted file not under the current key; returns rows and files changed."""
    session.flush()
    ring = load_keyring(refresh=True)
    changed = 0
    for table, cols in encrypted_columns():
        pk = table.c.id
        last = 0
        while True:
            rows = session.execute(
                select(pk, *cols).where(pk > last).order_by(pk).limit(BATCH)
            ).all()
            if not rows:
                break
            for row in rows:
                last = row[0]
                values = {}
                for col, value in zip(cols, row[1:], strict=True):
                    if value and key_id_of(value) != ring.current:
                        values[col.name] = encrypt(decrypt(value))
                if values:
                    session.execute(table.update().where(pk == row[0]).values(**values))
                    changed += 1
    for store in _file_stores():
        changed += store.reencrypt_files(session)
    session.expire_all()  # ORM objects must not keep (or write back) the old ciphertext
    return changed


def rotate_keys(session, *, actor_id: int | None = None, actor: str = "") -> int:
    """Add a new key, make it current, re-encrypt every ``*_enc`` value and encrypted file; returns rows and files changed.

    The keyring file is written before the rows change: if the transaction rolls
    back, the old key is still in the ring and every value still decrypts."""
    from portal.services.platform import audit

    with _keyring_lock():
        ring = _writable_ring()
        kid = new_key_id()
        while kid in ring.keys:
            kid = new_key_id()
        ring.keys[kid] = AESGCM.generate_key(bit_length=256)
        ring.current = kid
        _write_new_file(keyring_path(), ring.to_json())
        reset_cache()
    changed = reencrypt_all(session)
    audit.record(session, "keys.rotate", actor_id=actor_id, actor=actor,
                 object_type="key", object_id=kid)
    return changed


def key_usage(session) -> dict[str, int]:
    """How many values and files each key id encrypts (keys in the ring with none are listed as 0)."""
    usage = {kid: 0 for kid in load_keyring().keys}
    for table, cols in encrypted_columns():
        for col in cols:
            for kid in list(usage):
                usage[kid] += session.execute(
                    select(func.count()).select_from(table).where(col.like(f"{VERSION}:{kid}:%"))
                ).scalar_one()
    for store in _file_stores():
        for kid, count in store.files_per_key(session).items():
            usage[kid] = usage.get(kid, 0) + count
    return usage


def remove_key(session, kid: str, *, actor_id: int | None = None, actor: str = "") -> None:
    """Drop ``kid`` from the keyring; refused while it is current or any row still uses it."""
    from portal.services.platform import audit

    with _keyring_lock():
        ring = _writable_ring()
        if kid not in ring.keys:
            raise ServiceError(UNKNOWN_KEY)
        if kid == ring.current:
            raise ServiceError(KEY_IS_CURRENT)
        if key_usage(session).get(kid):
            raise ServiceError(KEY_IN_USE)
        del ring.keys[kid]
        _write_new_file(keyring_path(), ring.to_json())
        reset_cache()
    audit.record(session, "keys.remove", actor_id=actor_id, actor=actor,
                 object_type="key", object_id=kid)


def main(argv: list[str] | None = None) -> int:
    import argparse

    from portal.services.platform import db

    parser = argparse.ArgumentParser(prog="python -m portal.services.platform.crypto")
    parser.add_argument("--db", default=None, help="database URL (default: settings)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("usage", help="values per key id")
    sub.add_parser("rotate", help="new current key, re-encrypt every value")
    rm = sub.add_parser("remove", help="drop an unused old key")
    rm.add_argument("kid")
    args = parser.parse_args(argv)
    try:
        with db.session_scope(args.db) as session:
            if args.cmd == "rotate":
                print(f"re-encrypted {rotate_keys(session, actor='cli')} rows and files; "
                      f"current key {load_keyring().current}")
            elif args.cmd == "remove":
                remove_key(session, args.kid, actor="cli")
                print(f"removed {args.kid}")
            for kid, count in key_usage(session).items():
                mark = " (current)" if kid == load_keyring().current else ""
                print(f"{kid}{mark}: {count}")
    except (ServiceError, CryptoError) as exc:
        print(f"error: {getattr(exc, 'msgid', exc)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
