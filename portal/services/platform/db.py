"""Engine, sessions and migrations. One engine per process and URL."""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from portal.services.platform.settings import ROOT, get_settings


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    url = url or get_settings().db_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # WAL: readers never block the writer
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on any exception."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str | None = None):
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.set_main_option("sqlalchemy.url", (url or get_settings().db_url).replace("%", "%%"))
    return cfg


def migrate(url: str | None = None) -> None:
    """Bring the database to the newest migration (creates the SQLite file if missing)."""
    from alembic import command

    get_engine(url)  # creates the data directory for SQLite
    command.upgrade(alembic_config(url), "head")


def scope_factory(db: str | None | Callable) -> Callable:
    """A callable returning a unit of work: ``db`` itself when callable, else
    session_scope on that URL (None: the configured database)."""
    if callable(db):
        return db
    return lambda: session_scope(db)


@contextmanager
def unit_of_work(factory: Callable) -> Iterator[Session]:
    with factory() as session:
        yield session
        session.commit()  # session_scope commits anyway; a bare Session needs it


def together(session: Session, *selects) -> list[list[tuple]]:
    """Independent SELECTs run as one statement, each one's rows returned as
    ``session.exec(it).all()`` would (a select of one item gives the items, entities as detached objects, None for an
    outer-joined row that is absent), in its own order. A page that shows several kinds
    of record reads them in one round trip: a UNION ALL of the selects, each padded to a
    shared width, tagged with its place and numbered in its own order (a window, so a
    LIMIT keeps its meaning). Plain SQL: the same on SQLite and PostgreSQL."""
    from sqlalchemy import literal, null, type_coerce, union_all
    from sqlalchemy import func, select as core_select

    from portal import models

    if len(selects) == 1:
        return [session.exec(selects[0]).all()]
    shapes = [_shape(s) for s in selects]
    widths = [len(s.selected_columns) for s in selects]
    total, branches, start = sum(widths), [], 0
    for k, (s, width) in enumerate(zip(selects, widths)):
        if s._distinct:
            raise ValueError("together() numbers rows with a window: DISTINCT would see every row as new")
        sub = s.add_columns(func.row_number().over(order_by=s._order_by_clauses).label("n")).subquery()
        own = list(sub.c)
        cols = [literal(k).label("k"), own[-1]]
        for i in range(total):
            if start <= i < start + width:
                cols.append(own[i - start].label(f"c{i}"))
            elif k == 0:  # the first branch's columns carry the types the rows are read with
                cols.append(type_coerce(null(), _column_type(selects, widths, i)).label(f"c{i}"))
            else:
                cols.append(null().label(f"c{i}"))
        branches.append(core_select(*cols))
        start += width
    compound = union_all(*branches)
    rows = session.connection().execute(compound.order_by(compound.selected_columns.k,
                                                          compound.selected_columns.n)).all()
    out: list[list[tuple]] = [[] for _ in selects]
    offsets = [sum(widths[:k]) + 2 for k in range(len(selects))]
    for row in rows:
        k = row[0]
        out[k].append(_rebuild(shapes[k], row, offsets[k], models.detached))
    return out


def _column_type(selects, widths, i: int):
    for s, width in zip(selects, widths):
        if i < width:
            return list(s.selected_columns)[i].type
        i -= width
    raise IndexError(i)


@lru_cache(maxsize=256)
def _entity_width(cls) -> int:
    return len(cls.__table__.c)


def _shape(s) -> list:
    """Per selected item: its mapped class (an entity, its table's columns) or None (one value)."""
    from sqlalchemy import inspect

    shape = []
    for d in s.column_descriptions:
        expr = d["expr"]
        if isinstance(expr, type):
            shape.append(expr)
        elif getattr(inspect(expr, raiseerr=False), "is_aliased_class", False):
            shape.append(inspect(expr).mapper.class_)
        else:
            shape.append(None)
    return shape


def _rebuild(shape, row, at: int, detached) -> tuple:
    values = []
    for cls in shape:
        if cls is None:
            values.append(row[at])
            at += 1
            continue
        width = _entity_width(cls)
        part = row[at:at + width]
        at += width
        values.append(None if all(v is None for v in part) else detached(cls, part))
    return values[0] if len(values) == 1 else tuple(values)  # as sqlmodel's exec: one item alone
