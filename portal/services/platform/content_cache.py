"""Per-process copies of content that only HR edits change (open positions, the
course catalogue, competency names), so a page load does not read them again.

A commit in this process that writes one of a cache's tables drops its copy at
once; edits made by another process (several workers, the command line) show
within ``seconds``. Copies are kept per database, and a session that has
written such a table but not committed yet reads around the cache, so nothing
rolled back is ever cached. Values must be immutable (frozen dataclasses,
tuples): every caller shares them.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

T = TypeVar("T")
CACHE_SECONDS = 30.0
_CACHES: list["ContentCache"] = []


class ContentCache(Generic[T]):
    def __init__(self, name: str, tables: tuple[type, ...], load: Callable[[Session], T],
                 seconds: float = CACHE_SECONDS):
        self.name, self.tables, self.load, self.seconds = name, tables, load, seconds
        self._lock = threading.Lock()
        self._edits = 0  # commits in this process that wrote the tables
        self._copies: dict[str, tuple[int, float, T]] = {}  # database URL -> (edits seen, loaded at, value)
        _CACHES.append(self)

    def _fresh(self, copy) -> bool:
        return copy is not None and copy[0] == self._edits and time.monotonic() - copy[1] < self.seconds

    def get(self, session: Session) -> T:
        if self.name in session.info.get("content_written", ()):
            return self.load(session)  # this session's own uncommitted edit: not for others
        url = str(session.get_bind().url)
        copy = self._copies.get(url)
        if self._fresh(copy):
            return copy[2]
        with self._lock:
            copy, edits = self._copies.get(url), self._edits
            if self._fresh(copy):  # another thread reloaded meanwhile
                return copy[2]
            value = self.load(session)
            if copy is not None and copy[2] == value:
                value = copy[2]  # the same content keeps its identity (states compare by it)
            self._copies[url] = (edits, time.monotonic(), value)
            return value

    def fresh(self, url: str) -> T | None:
        """The copy for database ``url`` while it is fresh, else None: a page that only
        shows the content need not open a session to find it cached."""
        copy = self._copies.get(url)
        return copy[2] if self._fresh(copy) else None

    def reset(self) -> None:
        with self._lock:
            self._copies.clear()


def reset_all() -> None:
    """Forget every copy (tests switch databases)."""
    for cache in _CACHES:
        cache.reset()


@event.listens_for(Session, "after_flush")
def _note_content_write(session, _flush_context) -> None:
    rows = [row for rows in (session.new, session.dirty, session.deleted) for row in rows]
    written = {c.name for c in _CACHES if any(isinstance(row, c.tables) for row in rows)}
    if written:
        session.info.setdefault("content_written", set()).update(written)


@event.listens_for(Session, "after_commit")
def _drop_on_commit(session) -> None:
    # After the commit, so a reader cannot cache the old content under the new count.
    written = session.info.pop("content_written", set())
    for cache in _CACHES:
        if cache.name in written:
            cache._edits += 1


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session) -> None:
    session.info.pop("content_written", None)
