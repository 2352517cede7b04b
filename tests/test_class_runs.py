"""A session's runs kept under its browser id, stored models' owners, retention and the end-of-course wipe, on SQLite
and on a real PostgreSQL server."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import update

from digits_core.classroom.database import ClassDatabase, ClassDatabaseError
from digits_core.classroom.owners import OwnershipError, Owners
from digits_core.classroom.retention import RETENTION_ENV, expire, expire_when_due, retention_days, wipe
from digits_core.classroom.runs import KeptRuns
from digits_core.classroom.samples import Collection
from digits_core.classroom.schema import batches, now, runs, samples, settings
from digits_core.handwriting import LabelledSet
from digits_core.runs import MAX_RUNS, RunBook, run_from_training
from digits_core.store import StoreError, model_from_bytes


@pytest.fixture(scope="module")
def tiny_run(tiny_training, mnist):
    return run_from_training(tiny_training, "dense-128x2", [], mnist.x_test)


def test_a_kept_run_comes_back_whole_with_a_new_id(class_url, tiny_run):
    book = RunBook()
    named, _ = book.add(tiny_run)
    kept = KeptRuns(class_url)
    row = kept.save_run("browser-1", named)
    ((loaded_row, back),) = kept.load_runs("browser-1")
    assert loaded_row == row and back.id != named.id
    for field in ("name", "preset", "spec", "history", "batches", "train_seconds", "stopped", "test_loss",
                  "test_accuracy", "train_samples", "parameters", "file_size", "model_bytes", "stored_as"):
        assert getattr(back, field) == getattr(named, field), field
    assert back.meta == json.loads(json.dumps(named.meta))  # as the store writes it: tuples become lists
    assert back.probabilities.dtype == np.float16 and np.array_equal(back.probabilities, named.probabilities)
    assert model_from_bytes(back.model_bytes).count_params() == named.parameters
    assert kept.load_runs("browser-2") == []


def test_renames_deletes_and_the_newest_eight_are_kept(class_url, tiny_run):
    kept, book = KeptRuns(class_url), RunBook()
    rows = [kept.save_run("b", book.add(tiny_run)[0]) for _ in range(MAX_RUNS + 2)]
    assert [row for row, _ in kept.load_runs("b")] == rows[2:]  # the two oldest went, as the book drops them
    renamed = book.mark_saved(book.runs[-1].id, "mine")
    kept.update_run(rows[-1], book.rename(renamed.id, "best"))
    kept.delete_run(rows[2])
    loaded = kept.load_runs("b")
    assert [row for row, _ in loaded] == rows[3:]
    assert (loaded[-1][1].name, loaded[-1][1].stored_as) == ("best", "mine")
    restored = RunBook()
    restored.restore([run for _, run in loaded])
    assert [run.name for run in restored.runs] == [run.name for _, run in loaded]
    assert restored.add(tiny_run)[0].name not in {run.name for _, run in loaded}  # a new name, never a kept one


def test_a_model_saved_by_one_browser_is_refused_to_another(class_url, store, tiny_training):
    owners = Owners(class_url, store)
    assert owners.check_write("Best model", "teacher-browser", teacher=False) == "Best-model"
    owners.claim("Best-model", "teacher-browser", "Ms K")
    store.save("Best-model", tiny_training.model, {})
    assert owners.owner("Best-model").nickname == "Ms K"
    with pytest.raises(OwnershipError, match="'Best-model' was saved by someone else: choose another name"):
        owners.check_write("Best-model", "student-browser", teacher=False)
    with pytest.raises(OwnershipError):
        owners.claim("Best-model", "student-browser", "Sam")
    with pytest.raises(StoreError):  # what the pages catch already
        owners.claim("Best-model", None, None)
    owners.claim("Best-model", "teacher-browser", "Ms K")  # its owner saves it again
    owners.claim("Best-model", "student-browser", "Sam", teacher=True)  # the teacher may write any
    assert owners.owner("Best-model").browser_id == "student-browser"
    owners.release("Best-model")
    assert owners.owner("Best-model") is None


def test_a_stored_model_without_an_owner_is_the_teachers(class_url, store, tiny_training):
    store.save("from-the-terminal", tiny_training.model, {})
    owners = Owners(class_url, store)
    with pytest.raises(OwnershipError):
        owners.claim("from-the-terminal", "student", "Sam")
    assert owners.check_write("from-the-terminal", "teacher", teacher=True) == "from-the-terminal"
    with pytest.raises(StoreError, match="invalid model name"):
        owners.check_write("../etc", "student", teacher=False)


def test_a_stored_model_is_deleted_by_its_owner_or_the_teacher_and_a_shipped_one_by_nobody(class_url, store,
                                                                                           tiny_training):
    owners = Owners(class_url, store)
    for name, browser in (("annas", "anna"), ("bobs", "bob")):
        owners.claim(name, browser, name.title())
        store.save(name, tiny_training.model, {})
    store.save("default", tiny_training.model, {}, shipped=True)
    with pytest.raises(OwnershipError, match="someone else"):
        owners.delete("annas", "bob", teacher=False)
    assert owners.delete("annas", "anna", teacher=False) == "annas"
    assert owners.delete("bobs", "anna", teacher=True) == "bobs"
    assert [entry.name for entry in store.list()] == ["default"]
    assert owners.owner("annas") is None and owners.owner("bobs") is None
    for teacher in (False, True):
        with pytest.raises(StoreError, match="shipped"):
            owners.delete("default", "anna", teacher)
    assert store.exists("default")


def test_retention_removes_what_is_older_and_keeps_the_rest(class_url, tiny_run):
    collection, kept = Collection(class_url), KeptRuns(class_url)
    old = collection.add(np.zeros((28, 28), np.uint8), 1)
    new = collection.add(np.zeros((28, 28), np.uint8), 2)
    old_batch = collection.add_many(LabelledSet(np.zeros((3, 28, 28), np.uint8), np.arange(3)))
    old_run, new_run = (kept.save_run("b", tiny_run) for _ in range(2))
    long_ago = now() - timedelta(days=31)
    with ClassDatabase(class_url).writing() as conn:
        conn.execute(update(samples).where(samples.c.id == old).values(created_at=long_ago))
        conn.execute(update(samples).where(samples.c.batch_id == old_batch.id).values(created_at=long_ago))
        conn.execute(update(batches).values(created_at=long_ago))
        conn.execute(update(runs).where(runs.c.id == old_run).values(created_at=long_ago))
    assert expire(class_url, days=40) == {"samples": 0, "batches": 0, "runs": 0, "posts": 0}
    assert expire(class_url) == {"samples": 4, "batches": 1, "runs": 1, "posts": 0}  # the default: 30 days
    assert [s.id for s in collection.samples()] == [new] and collection.batches() == []
    assert [row for row, _ in kept.load_runs("b")] == [new_run]


def test_retention_days_come_from_the_environment(monkeypatch, class_url):
    assert retention_days() == 30
    monkeypatch.setenv(RETENTION_ENV, "0")
    assert retention_days() == 0 and expire(class_url) == {}  # 0 keeps everything for good
    monkeypatch.setenv(RETENTION_ENV, "a month")
    with pytest.raises(ClassDatabaseError, match="whole number of days"):
        retention_days()


def test_expiry_runs_once_then_waits_an_hour(class_url):
    assert expire_when_due(class_url) is not None
    assert expire_when_due(class_url) is None


def test_the_wipe_removes_everything_a_class_made_but_the_settings(class_url, store, tiny_run):
    collection = Collection(class_url)
    collection.add(np.zeros((28, 28), np.uint8), 1, browser_id="s")
    collection.add_many(LabelledSet(np.zeros((2, 28, 28), np.uint8), np.arange(2)))
    KeptRuns(class_url).save_run("s", tiny_run)
    Owners(class_url, store).claim("mine", "s", "Sam")
    with ClassDatabase(class_url).writing() as conn:
        conn.execute(settings.insert().values(key="posting", value="closed"))
    assert wipe(class_url) == {"samples": 3, "batches": 1, "runs": 1, "posts": 0, "owners": 1}
    assert collection.stats().digits == 0 and KeptRuns(class_url).load_runs("s") == []
    with ClassDatabase(class_url).reading() as conn:
        assert conn.execute(settings.select()).all() == [("posting", "closed")]
