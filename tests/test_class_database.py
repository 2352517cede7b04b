"""The class database itself, on SQLite and on a real PostgreSQL server: one line when it cannot be reached, the former
collection copied in once, thirty writers at once losing nothing, a killed import leaving nothing, two servers
seeing each other's writes."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select, text

from digits_core.classroom.database import LEGACY_ENV, ClassDatabase, ClassDatabaseError, DatabaseUnreachable, Turns
from digits_core.classroom.runs import KeptRuns
from digits_core.classroom.samples import Collection
from digits_core.classroom.schema import SCHEMA_VERSION, schema_version
from digits_core.runs import Run
from benchmarks.postgres import running_postgres

REPO = Path(__file__).resolve().parents[1]
WRITERS = 30
EACH = 5
IMPORT = 20_000

# What a writer does, in a thread here or in a process of its own: EACH samples and EACH runs under its browser id.
WRITE = f"""
import numpy as np
from digits_core.classroom.runs import KeptRuns
from digits_core.classroom.samples import Collection
from digits_core.runs import Run


def write(writer):
    browser = f"w{{writer}}"
    for i in range({EACH}):
        Collection().add(np.full((28, 28), writer, np.uint8), (writer + i) % 10, model="m", predicted=0,
                         browser_id=browser)
        run = Run(0, f"run-{{i}}", "dense", None, ({{"epoch": 1, "loss": 0.5}},), (), 1.0, False, 0.1, 0.9, 100, 10,
                  5, np.full((10, 10), writer, np.float16), {{"preset": "dense"}}, model_bytes=bytes([writer]) * 5)
        KeptRuns().save_run(browser, run)
"""
WRITER = WRITE + """
import sys, time
from pathlib import Path
start = Path(sys.argv[2])
while not start.exists():
    time.sleep(0.01)
write(int(sys.argv[1]))
"""
IMPORTER = f"""
import numpy as np
from digits_core.classroom.samples import Collection
from digits_core.handwriting import LabelledSet
digits = LabelledSet(np.random.default_rng(0).integers(0, 256, ({IMPORT}, 28, 28), np.uint8),
                     np.arange({IMPORT}) % 10)
print("importing", flush=True)
Collection().add_many(digits, "big.npz", "importer")
print("done", flush=True)
"""
ADDER = """
import numpy as np
from digits_core.classroom.samples import Collection
Collection().add(np.zeros((28, 28), np.uint8), 4, browser_id="other-server")
"""


def python(code: str, *args: str) -> subprocess.Popen:
    """A separate interpreter running `code`: its own engine and connections, as another server would have.
    It inherits $DIGITS_DATABASE_URL, the test's database."""
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=REPO, stdout=subprocess.PIPE, text=True)


def test_a_new_database_gets_the_schema_and_survives_reopening(class_url):
    db = ClassDatabase(class_url)
    with db.reading() as conn:
        assert conn.scalar(select(schema_version.c.version)) == SCHEMA_VERSION
    Collection(class_url).add(np.zeros((28, 28), np.uint8), 1)
    db.close()
    assert Collection(class_url).counts().sum() == 1


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(class_database):
    with ClassDatabase(class_database).reading() as conn:
        assert conn.scalar(text("PRAGMA journal_mode")) == "wal"
        assert conn.scalar(text("PRAGMA busy_timeout")) >= 10_000


@pytest.mark.parametrize("url, reason", [
    ("postgresql://teacher:secret@127.0.0.1:9/class", "Connection refused"),
    ("this is not a url", "reads like postgresql://"),
    ("mysql://someone@localhost/class", "reads like postgresql://"),  # no driver for it here
])
def test_a_database_that_cannot_be_reached_is_one_line(url, reason):
    with pytest.raises(DatabaseUnreachable, match=reason) as unreachable:
        Collection(url).counts()
    assert "\n" not in str(unreachable.value) and "secret" not in str(unreachable.value)


def test_a_file_that_is_not_a_database_is_one_line(tmp_path):
    path = tmp_path / "broken.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(DatabaseUnreachable, match="cannot be reached \\(file is not a database\\)"):
        Collection(f"sqlite:///{path}").counts()


def test_a_missing_postgres_database_is_one_line(postgres_server):
    with pytest.raises(DatabaseUnreachable, match='database "no_such_class" does not exist'):
        Collection(postgres_server.rsplit("/", 1)[0] + "/no_such_class").counts()


def test_a_postgres_server_that_goes_down_is_reported_then_found_again_when_back():
    with running_postgres() as url:
        collection = Collection(url)
        collection.add(np.zeros((28, 28), np.uint8), 2)
    with pytest.raises(DatabaseUnreachable, match="cannot be reached") as unreachable:
        collection.counts()  # the server is gone: the pooled connection fails its ping
    assert "\n" not in str(unreachable.value)
    ClassDatabase(url).close()


def old_collection(path: Path, rows: list[tuple]) -> None:
    """A collection file as the app wrote it before the class database, with `rows`."""
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE samples (id INTEGER PRIMARY KEY, label INTEGER NOT NULL, image BLOB NOT NULL, "
                    "raw BLOB, model TEXT, predicted INTEGER, created_at TEXT NOT NULL)")
        old.executemany("INSERT INTO samples (label, image, raw, model, predicted, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", rows)
    old.close()


def test_the_former_collection_is_copied_in_once_and_left_as_it_was(class_url, tmp_path, monkeypatch):
    path = tmp_path / "former.sqlite"
    rows = [(3, bytes([3]) * 784, b"\x89PNG raw", "default", 8, "2025-03-01T10:00:00+00:00"),
            (5, bytes([5]) * 784, None, None, None, "2025-03-02T11:30:00+00:00")]
    old_collection(path, rows)
    monkeypatch.setenv(LEGACY_ENV, str(path))
    collection = Collection(class_url)
    imported, drawn = collection.samples()
    assert (drawn.label, drawn.model, drawn.predicted, drawn.source) == (3, "default", 8, "draw")
    assert collection.raw(drawn.id) == b"\x89PNG raw" and drawn.created_at.isoformat() == "2025-03-01T10:00:00+00:00"
    assert (imported.label, imported.source, imported.predicted) == (5, "import", None)
    assert np.array_equal(imported.image, np.full((28, 28), 5, np.uint8))
    collection.db.close()  # a restart: the former file is not copied a second time
    assert Collection(class_url).counts().sum() == 2
    with sqlite3.connect(path) as old:
        assert old.execute("SELECT COUNT(*) FROM samples").fetchone() == (2,)


def test_a_former_collection_that_cannot_be_read_is_one_line(tmp_path, monkeypatch):
    path = tmp_path / "former.sqlite"
    path.write_bytes(b"junk" * 500)
    monkeypatch.setenv(LEGACY_ENV, str(path))
    with pytest.raises(ClassDatabaseError, match="former collection .* cannot be copied"):
        Collection().counts()


def check_every_write(class_url: str) -> None:
    """Each of the WRITERS browsers has its EACH samples and EACH runs, nothing lost, nothing mixed up."""
    images = Collection(class_url).digits().x_test
    assert sorted(np.bincount(images[:, 0, 0], minlength=WRITERS)[:WRITERS].tolist()) == [EACH] * WRITERS
    kept = KeptRuns(class_url)
    for writer in range(WRITERS):
        runs = [run for _, run in kept.load_runs(f"w{writer}")]
        assert [run.name for run in runs] == [f"run-{i}" for i in range(EACH)]
        assert all(run.model_bytes == bytes([writer]) * 5 and run.probabilities[0, 0] == writer for run in runs)


def test_thirty_threads_writing_at_once_lose_nothing(class_url):
    namespace: dict = {}
    exec(WRITE, namespace)
    start = threading.Barrier(WRITERS)
    errors = []

    def write(writer: int) -> None:
        start.wait()
        try:
            namespace["write"](writer)
        except Exception as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    check_every_write(class_url)


def test_writers_of_one_process_take_turns_in_the_order_they_came():
    turns, order = Turns(), []

    def write(writer: int) -> None:
        with turns:
            order.append(writer)

    with turns:  # held while the others line up, one after another
        threads = []
        for writer in range(5):
            threads.append(threading.Thread(target=write, args=(writer,)))
            threads[-1].start()
            while len(turns._waiting) <= writer:
                time.sleep(0.001)
    for thread in threads:
        thread.join()
    assert order == list(range(5))


@pytest.mark.slow  # thirty interpreters importing the app's core: tens of seconds on two busy cores
def test_thirty_processes_writing_at_once_lose_nothing(class_url, tmp_path):
    start = tmp_path / "start"
    processes = [python(WRITER, str(w), str(start)) for w in range(WRITERS)]  # all create the new database at once
    start.touch()
    assert [p.wait(600) for p in processes] == [0] * WRITERS  # generous: thirty interpreters start on a busy machine
    check_every_write(class_url)


def import_in_flight(url: str) -> bool:
    """Whether the importer's transaction has begun writing: SQLite's write-ahead log grows (the cache spills);
    PostgreSQL shows its INSERT as active."""
    db = ClassDatabase(url)
    if db.dialect == "sqlite":
        wal = Path(url.removeprefix("sqlite:///") + "-wal")
        return wal.exists() and wal.stat().st_size > 1_000_000
    with db.reading() as conn:
        return bool(conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                                     "AND query LIKE 'INSERT INTO samples%'")))


def test_a_process_killed_in_the_middle_of_an_import_leaves_none_of_it(class_url):
    collection = Collection(class_url)
    collection.add(np.zeros((28, 28), np.uint8), 1)  # the database exists, so the importer's only write is the import
    importer = python(IMPORTER)
    assert importer.stdout.readline().strip() == "importing"
    deadline = time.monotonic() + 120
    while not import_in_flight(class_url) and importer.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    importer.send_signal(signal.SIGKILL)
    importer.wait(60)
    assert importer.stdout.read() == ""  # it never got to "done": killed half way
    assert collection.counts().sum() == 1 and collection.batches() == []
    assert collection.add(np.zeros((28, 28), np.uint8), 2)  # and the database takes writes as before


def test_a_sample_written_by_another_server_is_seen_at_the_next_read(class_url):
    collection = Collection(class_url)
    assert collection.counts().sum() == 0  # this server has read (and pooled a connection) before
    assert python(ADDER).wait(120) == 0
    assert collection.counts()[4] == 1 and collection.browsers() == {"other-server": 1}


def test_a_run_record_that_cannot_become_json_is_refused(class_url):
    run = Run(0, "r", "dense", None, (), (), 1.0, False, 0.1, 0.9, 100, 10, 5, np.zeros((2, 10), np.float16),
              {"odd": object()}, model_bytes=b"x")
    with pytest.raises(TypeError, match="cannot be kept"):
        KeptRuns(class_url).save_run("b", run)
