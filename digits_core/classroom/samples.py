"""The class collection in the class database: digits students wrote and labelled, and where each came from.

One row a sample: the 28x28 image the model saw, its true label, the raw input downscaled (PNG,
at most 280 px a side), the model that read it and what it read, and its provenance: the source
(draw, camera, upload, import), the browser's random id, when, and for an import its batch. No
names. Every change is one short transaction: an import of 20,000 digits is there whole or not at all.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageChops
from sqlalchemy import delete, distinct, func, insert, select, update

from ..handwriting import SIDE, HandwritingError, LabelledSet, checked_set, load_labelled
from ..preprocess import as_array
from .database import ClassDatabase
from .schema import SOURCES, as_utc, batches, now, samples

MAX_IMPORT = 20_000  # digits in one imported file
RAW_SIDE = 280
RAW_COMPRESSION = 1  # zlib level of the raw PNG: 1.8 ms a canvas against 3.3 ms at Pillow's 6, 2.4 KB against 1 KB
CORRECTIONS = ("draw", "camera", "upload")  # the sources a student's own click made, which Undo takes back


@dataclass(frozen=True)
class Sample:
    """One labelled digit of the collection (without its raw input, read with Collection.raw)."""

    id: int
    label: int
    image: np.ndarray
    model: str | None
    predicted: int | None
    source: str
    browser_id: str | None
    batch_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class Batch:
    """One import: its file's name, who imported it, how many digits and when."""

    id: int
    name: str | None
    browser_id: str | None
    count: int
    created_at: datetime


@dataclass(frozen=True)
class CollectionStats:
    """The collection in figures: digits, of each kind, by source, browsers that gave some, imports."""

    digits: int
    counts: list[int]
    sources: dict[str, int]
    browsers: int
    batches: int


_SAMPLE = (samples.c.id, samples.c.label, samples.c.image, samples.c.model, samples.c.predicted, samples.c.source,
           samples.c.browser_id, samples.c.batch_id, samples.c.created_at)


class Collection:
    """The class collection in the class database at `url` (default: $DIGITS_DATABASE_URL or data/class.sqlite)."""

    def __init__(self, url: str | None = None):
        self.db = ClassDatabase(url)

    def add(self, image: np.ndarray, label: int, raw: object = None, model: str | None = None,
            predicted: int | None = None, source: str = "draw", browser_id: str | None = None) -> int:
        """Store one labelled 28x28 uint8 digit (and the raw input, downscaled); returns its id."""
        row = {"label": _digit("label", label), "image": _image_bytes(image),
               "raw": None if raw is None else raw_png(raw), "model": model,
               "predicted": None if predicted is None else _digit("prediction", predicted),
               "source": _source(source), "browser_id": browser_id, "created_at": now()}
        with self.db.writing() as conn:  # the row as parameters: .values(row) took as long again to compile, measured
            return conn.execute(insert(samples), row).inserted_primary_key[0]

    def add_many(self, digits: LabelledSet, name: str | None = None, browser_id: str | None = None) -> Batch:
        """Store labelled digits as one import (a batch), in one transaction; at most MAX_IMPORT of them."""
        digits = checked_set(digits.x_test, digits.y_test, name or "the digits")
        if len(digits.y_test) > MAX_IMPORT:
            raise HandwritingError(f"{name or 'the digits'}: {len(digits.y_test):,} digits; an import takes at most "
                                   f"{MAX_IMPORT:,} (split the file)")
        when = now()
        with self.db.writing() as conn:
            batch_id = conn.execute(insert(batches).values(browser_id=browser_id, name=name, count=len(digits.y_test),
                                                           created_at=when)).inserted_primary_key[0]
            if len(digits.y_test):
                conn.execute(insert(samples), [
                    {"label": int(label), "image": image.tobytes(), "raw": None, "model": None, "predicted": None,
                     "source": "import", "browser_id": browser_id, "batch_id": batch_id, "created_at": when}
                    for image, label in zip(digits.x_test, digits.y_test)])
        return Batch(batch_id, name, browser_id, len(digits.y_test), when)

    def import_npz(self, source: str | os.PathLike | bytes, browser_id: str | None = None,
                   name: str | None = None) -> Batch:
        """Add every digit of an .npz in MNIST's layout (x_test/y_test) as one batch."""
        name = name or (None if isinstance(source, (bytes, bytearray)) else Path(source).name)
        return self.add_many(load_labelled(source), name, browser_id)

    def relabel(self, sample_id: int, label: int) -> bool:
        """Give a sample another label; False when there is no sample with that id."""
        label = _digit("label", label)
        with self.db.writing() as conn:
            return conn.execute(update(samples).where(samples.c.id == int(sample_id)).values(label=label)).rowcount > 0

    def delete(self, sample_id: int) -> bool:
        """Remove one sample; False when there was none with that id."""
        with self.db.writing() as conn:
            return conn.execute(delete(samples).where(samples.c.id == int(sample_id))).rowcount > 0

    def delete_browser(self, browser_id: str) -> int:
        """Remove every sample one browser gave (its corrections and its imports); returns how many."""
        with self.db.writing() as conn:
            removed = conn.execute(delete(samples).where(samples.c.browser_id == browser_id)).rowcount
            conn.execute(delete(batches).where(batches.c.browser_id == browser_id))
        return removed

    def delete_batch(self, batch_id: int) -> int:
        """Remove one import whole; returns how many of its digits were still there."""
        with self.db.writing() as conn:
            removed = conn.execute(delete(samples).where(samples.c.batch_id == int(batch_id))).rowcount
            conn.execute(delete(batches).where(batches.c.id == int(batch_id)))
        return removed

    def clear(self) -> int:
        """Remove every sample and import; returns how many samples there were."""
        with self.db.writing() as conn:
            removed = conn.execute(delete(samples)).rowcount
            conn.execute(delete(batches))
        return removed

    def undo_last(self, browser_id: str) -> Sample | None:
        """Take back this browser's latest correction (Draw, camera or upload); the sample removed, or None."""
        with self.db.writing() as conn:
            row = conn.execute(select(*_SAMPLE).where(samples.c.browser_id == browser_id,
                                                      samples.c.source.in_(CORRECTIONS))
                               .order_by(samples.c.id.desc()).limit(1)).first()
            if row is None or not conn.execute(delete(samples).where(samples.c.id == row.id)).rowcount:
                return None
        return _sample(row)

    def samples(self, label: int | None = None, limit: int | None = None) -> list[Sample]:
        """The samples (of one digit, if given), newest first; the first `limit` only, if given."""
        query = select(*_SAMPLE).order_by(samples.c.id.desc()).limit(limit)
        if label is not None:
            query = query.where(samples.c.label == _digit("label", label))
        with self.db.reading() as conn:
            return [_sample(row) for row in conn.execute(query)]

    def digits(self) -> LabelledSet:
        """Every image and label, oldest first: the collection as a data set."""
        with self.db.reading() as conn:
            rows = conn.execute(select(samples.c.image, samples.c.label, samples.c.id).order_by(samples.c.id)).all()
        images = np.frombuffer(b"".join(bytes(image) for image, _, _ in rows), np.uint8).reshape(-1, SIDE, SIDE)
        return LabelledSet(images, np.array([label for _, label, _ in rows], np.uint8), tuple(i for _, _, i in rows))

    def raw(self, sample_id: int) -> bytes | None:
        """The raw input of a sample as PNG bytes, or None (imported samples have none)."""
        with self.db.reading() as conn:
            raw = conn.scalar(select(samples.c.raw).where(samples.c.id == int(sample_id)))
        return None if raw is None else bytes(raw)

    def counts(self) -> np.ndarray:
        """How many samples of each digit, 0..9."""
        counts = np.zeros(10, np.int64)
        with self.db.reading() as conn:
            for label, count in conn.execute(select(samples.c.label, func.count()).group_by(samples.c.label)):
                counts[label] = count
        return counts

    def batches(self) -> list[Batch]:
        """The imports still in the collection, newest first."""
        with self.db.reading() as conn:
            rows = conn.execute(select(batches).order_by(batches.c.id.desc())).all()
        return [Batch(row.id, row.name, row.browser_id, row.count, as_utc(row.created_at)) for row in rows]

    def browsers(self) -> dict[str, int]:
        """How many samples each browser gave, most first (samples of no known browser are left out)."""
        count = func.count().label("count")
        with self.db.reading() as conn:
            rows = conn.execute(select(samples.c.browser_id, count).where(samples.c.browser_id.is_not(None))
                                .group_by(samples.c.browser_id).order_by(count.desc(), samples.c.browser_id)).all()
        return dict(rows)

    def stats(self) -> CollectionStats:
        """The collection in figures, for the command line and the teacher."""
        counts = self.counts()
        with self.db.reading() as conn:
            sources = dict(conn.execute(select(samples.c.source, func.count()).group_by(samples.c.source)).all())
            browsers = conn.scalar(select(func.count(distinct(samples.c.browser_id))))
            imports = conn.scalar(select(func.count()).select_from(batches))
        return CollectionStats(int(counts.sum()), counts.tolist(), {s: sources.get(s, 0) for s in SOURCES},
                               browsers, imports)

    def export_npz(self, target: str | os.PathLike | BinaryIO) -> int:
        """Write the collection as x_test/y_test uint8 arrays, MNIST's layout; returns how many digits."""
        digits = self.digits()
        try:
            np.savez_compressed(target, x_test=digits.x_test, y_test=digits.y_test)
        except OSError as exc:
            raise HandwritingError(f"cannot write {target}: {exc}") from exc
        return len(digits.y_test)


def raw_png(source: object) -> bytes:
    """The raw input (canvas array, photo or upload bytes) as PNG bytes, its longer side at most 280 px."""
    image = Image.fromarray(np.ascontiguousarray(as_array(source)))
    image.thumbnail((RAW_SIDE, RAW_SIDE))
    if _colourless(image):
        image = image.convert("L")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=RAW_COMPRESSION)  # a correction's write is mostly this
    return buffer.getvalue()


def _colourless(image: Image.Image) -> bool:
    """Whether every pixel is an opaque grey, as on Draw's canvas (white on black): its luma alone is the same
    picture, and its PNG takes a fifth of the time of the RGBA one (0.2 against 1.1 ms, measured)."""
    if image.mode not in ("RGB", "RGBA"):
        return False
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255:
        return False
    red, green, blue = image.getchannel("R"), image.getchannel("G"), image.getchannel("B")
    return not ImageChops.difference(red, green).getbbox() and not ImageChops.difference(green, blue).getbbox()


def _sample(row) -> Sample:
    return Sample(row.id, row.label, np.frombuffer(bytes(row.image), np.uint8).reshape(SIDE, SIDE), row.model,
                  row.predicted, row.source, row.browser_id, row.batch_id, as_utc(row.created_at))


def _image_bytes(image: np.ndarray) -> bytes:
    image = np.asarray(image)
    if image.shape != (SIDE, SIDE) or image.dtype != np.uint8:
        raise HandwritingError(f"a sample must be a 28x28 uint8 image, got {image.shape} {image.dtype}")
    return image.tobytes()


def _digit(what: str, value: object) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or not 0 <= value <= 9:
        raise HandwritingError(f"the {what} must be a digit 0..9, got {value!r}")
    return int(value)


def _source(source: str) -> str:
    if source not in SOURCES:
        raise HandwritingError(f"a sample's source is one of {', '.join(SOURCES)}, got {source!r}")
    return source
