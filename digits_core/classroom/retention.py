"""How long the class database keeps what a class made, and the teacher's wipe at the end of a course.

Samples, runs and board posts older than $DIGITS_RETENTION_DAYS (default 30; 0 keeps them for
good) are removed when a server starts and at most once an hour after. Model owners stay as long
as their models. wipe() removes everything a class made in one transaction; the teacher's
settings stay.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta

from sqlalchemy import delete

from .database import ClassDatabase, ClassDatabaseError
from .schema import batches, now, owners, posts, runs, samples

RETENTION_ENV = "DIGITS_RETENTION_DAYS"
DEFAULT_DAYS = 30
EVERY_SECONDS = 3600

_last_run: dict[str, float] = {}  # database URL -> when this process last removed old rows (monotonic)
_lock = threading.Lock()


def retention_days() -> int:
    """Days a sample, run or post is kept: $DIGITS_RETENTION_DAYS, else 30; 0 means for good."""
    value = os.environ.get(RETENTION_ENV, "").strip() or str(DEFAULT_DAYS)
    if not value.isdigit():
        raise ClassDatabaseError(f"{RETENTION_ENV} must be a whole number of days (0: keep for good), got {value!r}")
    return int(value)


def expire(url: str | None = None, days: int | None = None) -> dict[str, int]:
    """Remove samples, imports, runs and posts older than `days` (default: retention_days()); how many of each."""
    days = retention_days() if days is None else days
    if days <= 0:
        return {}
    cutoff = now() - timedelta(days=days)
    with ClassDatabase(url).writing() as conn:
        return {table.name: conn.execute(delete(table).where(when < cutoff)).rowcount for table, when in (
            (samples, samples.c.created_at), (batches, batches.c.created_at), (runs, runs.c.created_at),
            (posts, posts.c.posted_at))}


def expire_when_due(url: str | None = None) -> dict[str, int] | None:
    """expire() the first time this process asks for a database, then at most once an hour; None when not due."""
    url = ClassDatabase(url).url
    with _lock:
        last = _last_run.get(url)
        if last is not None and time.monotonic() - last < EVERY_SECONDS:
            return None
    removed = expire(url)
    with _lock:
        _last_run[url] = time.monotonic()
    return removed


def wipe(url: str | None = None) -> dict[str, int]:
    """The end of a course: every sample, import, run, post and model owner removed at once; how many of each."""
    with ClassDatabase(url).writing() as conn:
        return {table.name: conn.execute(delete(table)).rowcount for table in (samples, batches, runs, posts, owners)}
