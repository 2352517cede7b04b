"""The class collection: digits students wrote and labelled, in one SQLite file many sessions share.

One row a sample, and nothing but the sample: the 28x28 image the model saw, its true label,
the raw input downscaled (PNG, at most 280 px a side), the model that read it, what it read
and when. No names. The file is in WAL mode and every sample is one short transaction, so
thirty sessions writing at once wait their turn (busy timeout) and lose nothing.
"""

from __future__ import annotations

import io
import os
import sqlite3
import zipfile
import zlib
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image

from .data import REPO_ROOT
from .preprocess import as_array

DB_ENV = "DIGITS_HANDWRITING_DB"
DEFAULT_DB = REPO_ROOT / "data" / "handwriting.sqlite"
BUSY_TIMEOUT = 30.0  # seconds a writer waits for another's transaction before giving up
RAW_SIDE = 280
SIDE = 28
MIN_DIGITS = 10  # fewer digits cannot be split into a part to fine-tune on and a held-out part worth reading

_SCHEMA = """
CREATE TABLE IF NOT EXISTS samples (
    id INTEGER PRIMARY KEY,
    label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
    image BLOB NOT NULL CHECK (length(image) = 784),
    raw BLOB,
    model TEXT,
    predicted INTEGER CHECK (predicted BETWEEN 0 AND 9),
    created_at TEXT NOT NULL
)"""


class HandwritingError(Exception):
    """A collection file or .npz the app cannot use, or a sample it refuses, with the reason."""


@dataclass(frozen=True)
class Sample:
    """One labelled digit of the collection (without its raw input, read with Collection.raw)."""

    id: int
    label: int
    image: np.ndarray
    model: str | None
    predicted: int | None
    created_at: str


@dataclass(frozen=True)
class LabelledSet:
    """Digits with their true labels, named as MNIST's test set so evaluation.evaluate() scores them."""

    x_test: np.ndarray  # (N, 28, 28) uint8
    y_test: np.ndarray  # (N,) uint8


class Collection:
    """The collection in `path`, else $DIGITS_HANDWRITING_DB, else data/handwriting.sqlite.

    Every call opens its own connection: safe from any thread or process, nothing left open.
    """

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path or os.environ.get(DB_ENV) or DEFAULT_DB)

    def add(self, image: np.ndarray, label: int, raw: object = None, model: str | None = None,
            predicted: int | None = None) -> int:
        """Store one labelled 28x28 uint8 digit (and the raw input, downscaled); returns its id."""
        row = (_digit("label", label), _image_bytes(image), None if raw is None else raw_png(raw), model,
               None if predicted is None else _digit("prediction", predicted), _now())
        return self._write("INSERT INTO samples (label, image, raw, model, predicted, created_at) "
                           "VALUES (?, ?, ?, ?, ?, ?)", [row])

    def add_many(self, digits: LabelledSet) -> int:
        """Store labelled digits (an import) in one transaction; returns how many."""
        digits = checked_set(digits.x_test, digits.y_test, "the digits")
        now = _now()
        rows = [(int(label), image.tobytes(), None, None, None, now)
                for image, label in zip(digits.x_test, digits.y_test)]
        if rows:
            self._write("INSERT INTO samples (label, image, raw, model, predicted, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def samples(self, label: int | None = None) -> list[Sample]:
        """The samples (of one digit, if given), newest first."""
        where, args = ("WHERE label = ?", (_digit("label", label),)) if label is not None else ("", ())
        rows = self._read(f"SELECT id, label, image, model, predicted, created_at FROM samples {where} "
                          "ORDER BY id DESC", args)
        return [Sample(i, lab, _image(blob), model, pred, at) for i, lab, blob, model, pred, at in rows]

    def digits(self) -> LabelledSet:
        """Every image and label, oldest first: the collection as a data set."""
        rows = self._read("SELECT image, label FROM samples ORDER BY id")
        images = np.array([_image(blob) for blob, _ in rows], np.uint8).reshape(-1, SIDE, SIDE)
        return LabelledSet(images, np.array([label for _, label in rows], np.uint8))

    def raw(self, sample_id: int) -> bytes | None:
        """The raw input of a sample as PNG bytes, or None (imported samples have none)."""
        rows = self._read("SELECT raw FROM samples WHERE id = ?", (int(sample_id),))
        return rows[0][0] if rows else None

    def counts(self) -> np.ndarray:
        """How many samples of each digit, 0..9."""
        counts = np.zeros(10, np.int64)
        for label, count in self._read("SELECT label, COUNT(*) FROM samples GROUP BY label"):
            counts[label] = count
        return counts

    def delete(self, sample_id: int) -> bool:
        """Remove one sample; False when there was none with that id."""
        return self._write("DELETE FROM samples WHERE id = ?", [(int(sample_id),)], rowcount=True) > 0

    def export_npz(self, target: str | os.PathLike | BinaryIO) -> int:
        """Write the collection as x_test/y_test uint8 arrays, MNIST's layout; returns how many digits."""
        digits = self.digits()
        try:
            np.savez_compressed(target, x_test=digits.x_test, y_test=digits.y_test)
        except OSError as exc:
            raise HandwritingError(f"cannot write {target}: {exc}") from exc
        return len(digits.y_test)

    def import_npz(self, source: str | os.PathLike | bytes) -> int:
        """Add every digit of an .npz in MNIST's layout (x_test/y_test); returns how many."""
        return self.add_many(load_labelled(source))

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")  # readers never block the writer, nor it them
            conn.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise HandwritingError(f"the collection {self.path} cannot be opened ({exc})") from exc
        return conn

    def _write(self, sql: str, rows: list[tuple], rowcount: bool = False) -> int:
        """One transaction: BEGIN IMMEDIATE takes the write lock at once, so it waits rather than fails later."""
        with closing(self._connect()) as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
                cursor = conn.executemany(sql, rows) if len(rows) > 1 else conn.execute(sql, rows[0])
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise HandwritingError(f"the collection {self.path} refused the write ({exc})") from exc
            return cursor.rowcount if rowcount else cursor.lastrowid

    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        with closing(self._connect()) as conn:
            try:
                return conn.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise HandwritingError(f"the collection {self.path} cannot be read ({exc})") from exc


def load_labelled(source: str | os.PathLike | bytes) -> LabelledSet:
    """x_test (N, 28, 28) uint8 and y_test (N,) labels 0..9 from an .npz file or its bytes."""
    name = "the upload" if isinstance(source, (bytes, bytearray)) else str(source)
    try:
        opened = np.load(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source,
                         allow_pickle=False)
        if not isinstance(opened, np.lib.npyio.NpzFile):
            raise HandwritingError(f"{name}: a single array, not an .npz file with x_test and y_test")
        with opened as npz:
            missing = {"x_test", "y_test"} - set(npz.files)
            if missing:
                raise HandwritingError(f"{name}: no {' or '.join(sorted(missing))} array (MNIST's layout)")
            images, labels = npz["x_test"], npz["y_test"]
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise HandwritingError(f"{name}: not a readable .npz file ({exc})") from exc
    return checked_set(images, labels, name)


def checked_set(images: np.ndarray, labels: np.ndarray, name: str) -> LabelledSet:
    """Images (N, 28, 28) uint8 and labels (N,) 0..9 as uint8, or HandwritingError saying what is wrong."""
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 3 or images.shape[1:] != (SIDE, SIDE) or images.dtype != np.uint8:
        raise HandwritingError(f"{name}: images must be (N, 28, 28) uint8, got {images.shape} {images.dtype}")
    if labels.shape != (len(images),) or labels.dtype.kind not in "iu":
        raise HandwritingError(f"{name}: labels must be {len(images)} integers, got {labels.shape} {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise HandwritingError(f"{name}: labels must be digits 0..9")
    return LabelledSet(images, labels.astype(np.uint8))


def raw_png(source: object) -> bytes:
    """The raw input (canvas array, photo or upload bytes) as PNG bytes, its longer side at most 280 px."""
    image = Image.fromarray(np.ascontiguousarray(as_array(source)))
    image.thumbnail((RAW_SIDE, RAW_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _image_bytes(image: np.ndarray) -> bytes:
    image = np.asarray(image)
    if image.shape != (SIDE, SIDE) or image.dtype != np.uint8:
        raise HandwritingError(f"a sample must be a 28x28 uint8 image, got {image.shape} {image.dtype}")
    return image.tobytes()


def _image(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, np.uint8).reshape(SIDE, SIDE)


def _digit(what: str, value: object) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or not 0 <= value <= 9:
        raise HandwritingError(f"the {what} must be a digit 0..9, got {value!r}")
    return int(value)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
