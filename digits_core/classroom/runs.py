"""A session's runs kept in the class database under its browser's id, so a reload of the tab brings them back.

A run is kept whole: its .keras bytes, its test probabilities (float16 .npy) and the rest of it
as JSON (name, preset, spec, history, progress, metrics, the store's metadata). A browser keeps
its newest MAX_RUNS, as a session does; each run is one row, written in one short transaction.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, fields
from typing import Any

import numpy as np
from sqlalchemy import delete, insert, select, update

from ..progress import BatchUpdate
from ..runs import MAX_RUNS, Run, with_new_id
from ..spec import ModelSpec
from .database import ClassDatabase
from .schema import now, runs

_BYTES = ("id", "model_bytes", "probabilities")  # the Run's fields not in its JSON record


class KeptRuns:
    """The runs of every browser in the class database at `url`, the newest `limit` of each."""

    def __init__(self, url: str | None = None, limit: int = MAX_RUNS):
        self.db, self.limit = ClassDatabase(url), limit

    def save_run(self, browser_id: str, run: Run) -> int:
        """Keep a session's run (it must have its model bytes); returns its row id. The browser's runs beyond
        the newest `limit` go in the same transaction."""
        if run.model_bytes is None:
            raise ValueError(f"run {run.name!r} is a stored model: the store keeps it")
        row = {"browser_id": browser_id, "record": _record(run), "model": run.model_bytes,
               "probabilities": _npy(run.probabilities), "created_at": now()}
        newest = select(runs.c.id).where(runs.c.browser_id == browser_id).order_by(runs.c.id.desc())
        with self.db.writing() as conn:
            row_id = conn.execute(insert(runs).values(row)).inserted_primary_key[0]
            kept = newest.limit(self.limit).subquery()
            conn.execute(delete(runs).where(runs.c.browser_id == browser_id, runs.c.id.not_in(select(kept.c.id))))
        return row_id

    def update_run(self, row_id: int, run: Run) -> None:
        """Write what a session changes of a kept run (its name, the name it was saved under); not its bytes."""
        with self.db.writing() as conn:
            conn.execute(update(runs).where(runs.c.id == row_id).values(record=_record(run)))

    def delete_run(self, row_id: int) -> None:
        with self.db.writing() as conn:
            conn.execute(delete(runs).where(runs.c.id == row_id))

    def load_runs(self, browser_id: str) -> list[tuple[int, Run]]:
        """The browser's newest runs, oldest first, each with its row id; the runs get ids of this process."""
        query = (select(runs.c.id, runs.c.record, runs.c.model, runs.c.probabilities)
                 .where(runs.c.browser_id == browser_id).order_by(runs.c.id.desc()).limit(self.limit))
        with self.db.reading() as conn:
            rows = conn.execute(query).all()
        return [(row.id, _run(row.record, bytes(row.model), bytes(row.probabilities))) for row in reversed(rows)]


def _record(run: Run) -> str:
    """The run but for its bytes, as JSON: the spec as its dict, the progress updates as dicts."""
    record = {field.name: getattr(run, field.name) for field in fields(Run) if field.name not in _BYTES}
    record.update(spec=run.spec and run.spec.to_dict(), batches=[asdict(update) for update in run.batches])
    return json.dumps(record, default=_plain)


def _run(record: str, model: bytes, probabilities: bytes) -> Run:
    values = json.loads(record)
    values.update(spec=values["spec"] and ModelSpec.from_dict(values["spec"]), history=tuple(values["history"]),
                  batches=tuple(BatchUpdate(**update) for update in values["batches"]))
    loaded = np.load(io.BytesIO(probabilities), allow_pickle=False)
    return with_new_id(Run(id=0, **values, probabilities=loaded, model_bytes=model))


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _plain(value: Any) -> Any:
    """numpy's numbers as Python's, for JSON."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} cannot be kept in a run's record")
