"""The class database's tables: one schema for SQLite and PostgreSQL, at SCHEMA_VERSION.

A new database gets every table at once. A change to a table later means SCHEMA_VERSION + 1,
the Table below changed, and the step from the version before added to MIGRATIONS (an ALTER
TABLE, say), which database.migrate() runs on an older database at start.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import (CheckConstraint, Column, Connection, DateTime, Float, ForeignKey, Index, Integer, LargeBinary,
                        MetaData, SmallInteger, String, Table, Text)

SCHEMA_VERSION = 1
MIGRATIONS: dict[int, Callable[[Connection], None]] = {}  # version -> the step from version - 1 to it
SOURCES = ("draw", "camera", "upload", "import")
ID = 64  # characters of a browser id at most (the app makes them much shorter)

metadata = MetaData()
When = DateTime(timezone=True)  # stored in UTC

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

meta = Table(  # the database's own facts (the old collection imported, ...)
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False))

settings = Table(  # the teacher's switches for the class (posting open or closed, ...)
    "settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False))

batches = Table(  # one imported .npz: removed whole
    "batches", metadata,
    Column("id", Integer, primary_key=True),
    Column("browser_id", String(ID)),
    Column("name", Text),  # the file's name, as the importer gave it
    Column("count", Integer, nullable=False),
    Column("created_at", When, nullable=False, index=True))

samples = Table(  # the class collection: one labelled 28x28 digit a row
    "samples", metadata,
    Column("id", Integer, primary_key=True),
    Column("label", SmallInteger, CheckConstraint("label BETWEEN 0 AND 9", name="label_digit"), nullable=False),
    Column("image", LargeBinary, nullable=False),  # 784 bytes, uint8
    Column("raw", LargeBinary),  # the input as PNG, at most 280 px a side; none for imports
    Column("model", Text),  # the model that read it
    Column("predicted", SmallInteger, CheckConstraint("predicted BETWEEN 0 AND 9", name="predicted_digit")),
    Column("source", String(8), CheckConstraint(f"source IN {SOURCES}", name="known_source"), nullable=False),
    Column("browser_id", String(ID), index=True),
    Column("batch_id", Integer, ForeignKey("batches.id", ondelete="CASCADE"), index=True),
    Column("created_at", When, nullable=False, index=True),
    Index("samples_by_label", "label", "id"))

runs = Table(  # a session's runs, kept under its browser id so a reload brings them back
    "runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("browser_id", String(ID), nullable=False, index=True),
    Column("record", Text, nullable=False),  # JSON: everything of the Run (name included) but its bytes
    Column("model", LargeBinary, nullable=False),  # the .keras file
    Column("probabilities", LargeBinary, nullable=False),  # the test set's, float16 .npy, compressed
    Column("created_at", When, nullable=False, index=True))

owners = Table(  # who saved each stored model
    "owners", metadata,
    Column("name", String(64), primary_key=True),
    Column("browser_id", String(ID)),
    Column("nickname", Text),
    Column("saved_at", When, nullable=False))

posts = Table(  # the class board's posts
    "posts", metadata,
    Column("id", Integer, primary_key=True),
    Column("browser_id", String(ID), index=True),
    Column("nickname", Text),
    Column("name", Text, nullable=False),
    Column("preset", Text),
    Column("spec", Text),  # JSON
    Column("params", Integer),  # the model's parameters
    Column("epochs", Integer),
    Column("train_samples", Integer),
    Column("train_seconds", Float),
    Column("mnist_accuracy", Float),
    Column("model", LargeBinary, nullable=False),  # .keras
    Column("lite", LargeBinary),  # .tflite
    Column("posted_at", When, nullable=False, index=True))


def now() -> datetime:
    """The time rows are stamped with: UTC."""
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """A time read back from the database (or the former collection), in UTC: SQLite keeps no zone."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
