"""The class database: one SQLAlchemy engine per URL, SQLite by default, PostgreSQL when a URL names one.

`DIGITS_DATABASE_URL` (or an explicit URL) picks it: any SQLAlchemy URL, `postgresql://...` as
hosted providers print it. Without one it is the SQLite file data/class.sqlite, created on first
use. SQLite runs in WAL mode with a busy timeout and every write takes the write lock at once
(BEGIN IMMEDIATE), so thirty sessions writing together wait their turn instead of failing.
A database that cannot be reached is a DatabaseUnreachable with one line of text, never a
driver's traceback. On first use a database is brought to the schema's version, and the
collection of the former data/handwriting.sqlite is copied in, once.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import deque
from contextlib import closing, contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import ContextManager, Iterator

from sqlalchemy import Connection, Engine, create_engine, event, exc, insert, inspect, make_url, select, text, update

from ..data import REPO_ROOT
from .schema import MIGRATIONS, SCHEMA_VERSION, as_utc, meta, metadata, samples, schema_version

URL_ENV = "DIGITS_DATABASE_URL"
DEFAULT_PATH = REPO_ROOT / "data" / "class.sqlite"
BUSY_SECONDS = 30  # a SQLite writer waits this long for another's transaction before giving up
CONNECT_SECONDS = 5  # a PostgreSQL server that does not answer in this long is reported unreachable
POOL_SIZE = 15  # connections a server keeps open: SQLAlchemy's default ceiling, what a free hosted pooler allows
LEGACY_ENV = "DIGITS_HANDWRITING_DB"
LEGACY_PATH = REPO_ROOT / "data" / "handwriting.sqlite"
LEGACY_DONE = "legacy_handwriting_imported"  # the meta key set once the former file's samples are in
MIGRATION_LOCK = 262_600  # the PostgreSQL advisory lock one server holds while it migrates

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()
_writers: dict[str, Turns] = {}  # SQLite URL -> the turns this process's writers take


class ClassDatabaseError(Exception):
    """The class database refused an operation, or cannot be used at all, with the reason in one line."""


class DatabaseUnreachable(ClassDatabaseError):
    """The class database cannot be reached: a server down, a wrong URL, host or password, an unreadable file."""


def database_url(url: str | None = None) -> str:
    """The URL to use: `url`, else $DIGITS_DATABASE_URL, else the SQLite file data/class.sqlite.

    `postgres://` and `postgresql://` (what Neon, Supabase and others print) mean psycopg 3."""
    url = (url or os.environ.get(URL_ENV) or "").strip() or f"sqlite:///{DEFAULT_PATH}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class ClassDatabase:
    """The class database at `url` (see database_url); short transactions from any thread or process.

    The engine (a pool of connections) is shared by every ClassDatabase of one URL in the process,
    created and its schema migrated on first use, so constructing one costs nothing."""

    def __init__(self, url: str | None = None):
        self.url = database_url(url)

    @property
    def where(self) -> str:
        """The URL as it may be shown: the password hidden."""
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except exc.ArgumentError:
            return "(a URL that cannot be read)"

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self._engine().dialect.name

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads (a consistent snapshot), returned to the pool afterwards."""
        with self._connection(write=False) as conn, self._refusals("cannot be read"), conn.begin():
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One transaction holding the write lock from its start: committed at the end, rolled back on error."""
        with _one_writer(self.url), self._connection(write=True) as conn, self._refusals("refused the write"), \
                conn.begin():
            yield conn

    def close(self) -> None:
        """Close the pooled connections of this URL (the next use opens new ones): for tests and scripts."""
        with _engines_lock:
            engine = _engines.pop(self.url, None)
        if engine is not None:
            engine.dispose()

    @contextmanager
    def _connection(self, write: bool) -> Iterator[Connection]:
        engine = self._engine()
        try:
            conn = engine.connect().execution_options(write=write)
        except exc.DBAPIError as error:
            raise self._unreachable(error) from None
        except exc.TimeoutError:
            raise ClassDatabaseError(f"the class database {self.where} is busy: all {POOL_SIZE} of this server's "
                                     "connections stayed in use; try again") from None
        with conn:
            yield conn

    @contextmanager
    def _refusals(self, what: str) -> Iterator[None]:
        """A driver's error during a statement as one line: unreachable if the connection died, else refused."""
        try:
            yield
        except exc.DBAPIError as error:
            if error.connection_invalidated:
                raise self._unreachable(error) from None
            raise ClassDatabaseError(f"the class database {self.where} {what} ({_first_line(error)})") from None

    def _engine(self) -> Engine:
        """The URL's engine, created and migrated once per process (a failure is retried at the next use)."""
        with _engines_lock:
            engine = _engines.get(self.url)
            if engine is None:
                engine = _engines[self.url] = self._open()
        return engine

    def _open(self) -> Engine:
        try:
            engine = _create(self.url)
        except (exc.ArgumentError, ImportError):
            raise DatabaseUnreachable("the class database's URL is not one this app can use: it reads like "
                                      "postgresql://user:password@host/database or sqlite:///path/class.sqlite"
                                      ) from None
        try:
            with engine.connect().execution_options(write=True) as conn, conn.begin():
                migrate(conn)
        except exc.DBAPIError as error:
            engine.dispose()
            raise self._unreachable(error) from None
        except sqlite3.Error as error:
            engine.dispose()
            raise ClassDatabaseError(f"the former collection {_legacy_path()} cannot be copied into the class "
                                     f"database ({error}): move it away or repair it") from None
        return engine

    def _unreachable(self, error: exc.DBAPIError) -> DatabaseUnreachable:
        return DatabaseUnreachable(f"the class database {self.where} cannot be reached ({_first_line(error)})")


def migrate(conn: Connection) -> None:
    """Bring the database to the schema's version inside the caller's write transaction (one server at a time),
    then copy in the former collection file if that was never done."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
    version = conn.scalar(select(schema_version.c.version)) if inspect(conn).has_table("schema_version") else None
    if version is None:
        metadata.create_all(conn)
        conn.execute(insert(schema_version).values(version=SCHEMA_VERSION))
    elif version < SCHEMA_VERSION:
        for step in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[step](conn)
        conn.execute(update(schema_version).values(version=SCHEMA_VERSION))
    if conn.scalar(select(meta.c.value).where(meta.c.key == LEGACY_DONE)) is None:
        copied = _copy_legacy(conn, _legacy_path())
        conn.execute(insert(meta).values(key=LEGACY_DONE, value=f"{copied} samples"))


def _legacy_path() -> Path:
    return Path(os.environ.get(LEGACY_ENV) or LEGACY_PATH)


def _copy_legacy(conn: Connection, path: Path) -> int:
    """The samples of the former collection file, if there is one, copied in as they were; returns how many.
    The file itself is left as it is."""
    if not path.is_file():
        return 0
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as old:
        rows = old.execute("SELECT label, image, raw, model, predicted, created_at FROM samples ORDER BY id").fetchall()
    if rows:
        conn.execute(insert(samples), [
            {"label": label, "image": image, "raw": raw, "model": model, "predicted": predicted,
             "source": "import" if predicted is None else "draw", "created_at": as_utc(datetime.fromisoformat(at))}
            for label, image, raw, model, predicted, at in rows])
    return len(rows)


class Turns:
    """A lock taken in the order the threads asked for it. Python's Lock lets a thread that has just released it
    take it again before the waiting ones wake: of thirty writers back to back, some waited several times longer
    than the rest (measured: the p95 of a write about halved with turns)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()
        self._held = False

    def __enter__(self) -> None:
        with self._guard:
            if not self._held:
                self._held = True
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by the thread before this one, as it leaves

    def __exit__(self, *_exc) -> None:
        with self._guard:
            if self._waiting:
                self._waiting.popleft().release()  # handed on: the lock stays held
            else:
                self._held = False


def _one_writer(url: str) -> ContextManager:
    """For SQLite, the process's threads take turns before they ask SQLite for its write lock: SQLite's busy handler
    polls with sleeps of up to 100 ms, which left some of thirty writers waiting far longer than the rest
    (measured). PostgreSQL needs no such turn."""
    if not url.startswith("sqlite"):
        return nullcontext()
    with _engines_lock:
        return _writers.setdefault(url, Turns())


def _create(url: str) -> Engine:
    """An engine whose pool keeps its POOL_SIZE connections open once made (SQLAlchemy's default keeps 5 and closes
    10 more after each use: every burst of thirty writers opened ten new ones on PostgreSQL, measured).
    On a server they are pinged before use (one restarted or dropped by a hosted provider is replaced); for SQLite
    the pragmas and BEGIN handling below."""
    parsed = make_url(url)
    pool = {"pool_size": POOL_SIZE, "max_overflow": 0}
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_SECONDS}, **pool)
    if parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": BUSY_SECONDS}, **pool)
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Every new SQLite connection: WAL (readers never block the writer), the busy timeout, foreign keys.

    The driver's own transaction handling is switched off: _sqlite_begin says BEGIN itself."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (f"busy_timeout = {BUSY_SECONDS * 1000}", "journal_mode = WAL", "synchronous = NORMAL",
                   "foreign_keys = ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """A write takes the write lock at once, so it waits its turn rather than failing half way; a read does not."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")


def _first_line(error: exc.DBAPIError) -> str:
    text = str(error.orig).strip() or type(error.orig).__name__
    return text.splitlines()[0].strip()
