"""Where the worker keeps unpacked model files between starts.

$SCORING_CACHE_DIR, else $XDG_CACHE_HOME/talent-portal-scoring, else
~/.cache/talent-portal-scoring. Everything in it is derived from installed
packages and can be deleted at any time; it only makes the next start faster.
If no directory is writable the worker still runs, just starts slower.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable

_checked: str | None | bool = False


def cache_dir() -> str | None:
    global _checked
    if _checked is not False:
        return _checked  # type: ignore[return-value]
    candidates = []
    if os.environ.get("SCORING_CACHE_DIR"):
        candidates.append(os.environ["SCORING_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    candidates.append(os.path.join(base, "talent-portal-scoring"))
    candidates.append(os.path.join(tempfile.gettempdir(), f"talent-portal-scoring-{os.getuid()}"))
    for d in candidates:
        try:
            os.makedirs(d, mode=0o700, exist_ok=True)
            if os.access(d, os.W_OK):
                _checked = d
                return d
        except OSError:
            continue
    _checked = None
    return None


def cache_path(name: str) -> str | None:
    d = cache_dir()
    return os.path.join(d, name) if d else None


def write_atomic(path: str, write: Callable) -> None:
    """Write via a temporary file and rename, so concurrent starts never see half a file."""
    d = os.path.dirname(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass
