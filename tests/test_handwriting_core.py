"""The class collection: samples stored and read back, thirty writers at once lose nothing, .npz round trip."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from digits_core.handwriting import Collection, HandwritingError, LabelledSet, load_labelled

REPO = Path(__file__).resolve().parents[1]
WRITERS = 30
EACH = 5


def _digit_image(value: int) -> np.ndarray:
    return np.full((28, 28), value, np.uint8)


# A writer process: imports only the collection (a second, not pytest's), waits for the start file, writes.
WRITER = f"""
import sys, time
from pathlib import Path
import numpy as np
from digits_core.handwriting import Collection
writer, start = int(sys.argv[1]), Path(sys.argv[2])
while not start.exists():
    time.sleep(0.01)
for i in range({EACH}):
    Collection().add(np.full((28, 28), writer, np.uint8), (writer + i) % 10, model="m", predicted=0)
"""


def test_a_sample_is_stored_with_its_raw_input(handwriting_db):
    collection = Collection()
    assert collection.path == handwriting_db
    canvas = np.zeros((560, 400, 4), np.uint8)
    canvas[..., 3] = 255
    sample_id = collection.add(_digit_image(7), 3, raw=canvas, model="default", predicted=8)
    (sample,) = collection.samples()
    assert (sample.id, sample.label, sample.model, sample.predicted) == (sample_id, 3, "default", 8)
    assert np.array_equal(sample.image, _digit_image(7)) and sample.created_at
    from PIL import Image

    assert max(Image.open(io.BytesIO(collection.raw(sample_id))).size) == 280  # downscaled, aspect kept
    assert collection.counts().tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]


def test_samples_by_digit_newest_first_and_delete():
    collection = Collection()
    ids = [collection.add(_digit_image(i), i % 2) for i in range(5)]
    assert [s.id for s in collection.samples(0)] == [ids[4], ids[2], ids[0]]
    assert collection.delete(ids[2]) and not collection.delete(ids[2])
    assert collection.counts()[:2].tolist() == [2, 2]
    digits = collection.digits()
    assert digits.x_test.shape == (4, 28, 28) and digits.y_test.tolist() == [0, 1, 1, 0]


@pytest.mark.parametrize("label", [-1, 10, 3.0, "3", True, None])
def test_a_label_that_is_not_a_digit_is_refused(label):
    with pytest.raises(HandwritingError, match="digit"):
        Collection().add(_digit_image(1), label)


def test_an_image_that_is_not_28x28_uint8_is_refused():
    with pytest.raises(HandwritingError, match="28x28"):
        Collection().add(np.zeros((28, 27), np.uint8), 1)


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(HandwritingError, match="cannot be opened"):
        Collection(path).counts()


def test_thirty_threads_writing_at_once_lose_nothing():
    collection = Collection()
    start = threading.Barrier(WRITERS)

    def write(writer: int) -> None:
        start.wait()
        for i in range(EACH):
            collection.add(_digit_image(writer), (writer + i) % 10)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert collection.counts().sum() == WRITERS * EACH
    images = collection.digits().x_test
    assert sorted(np.bincount(images[:, 0, 0])[:WRITERS].tolist()) == [EACH] * WRITERS


def test_thirty_processes_writing_at_once_lose_nothing(tmp_path):
    start = tmp_path / "start"
    processes = [subprocess.Popen([sys.executable, "-c", WRITER, str(w), str(start)], cwd=REPO)
                 for w in range(WRITERS)]  # $DIGITS_HANDWRITING_DB (the test's own file) is inherited
    start.touch()
    assert [p.wait(600) for p in processes] == [0] * WRITERS  # generous: thirty interpreters start on a busy machine
    images = Collection().digits().x_test
    assert sorted(np.bincount(images[:, 0, 0])[:WRITERS].tolist()) == [EACH] * WRITERS


def test_export_then_import_round_trip(tmp_path, mnist):
    source = Collection(tmp_path / "a.sqlite")
    assert source.add_many(LabelledSet(mnist.x_test[:50], mnist.y_test[:50])) == 50
    path = tmp_path / "class.npz"
    assert source.export_npz(path) == 50
    with np.load(path) as npz:
        assert set(npz.files) == {"x_test", "y_test"}
        assert npz["x_test"].dtype == np.uint8 and npz["y_test"].dtype == np.uint8
    target = Collection(tmp_path / "b.sqlite")
    assert target.import_npz(path.read_bytes()) == 50
    digits = target.digits()
    assert np.array_equal(digits.x_test, mnist.x_test[:50]) and np.array_equal(digits.y_test, mnist.y_test[:50])


def test_the_bundled_mnist_file_is_a_labelled_set():
    digits = load_labelled(REPO / "data" / "mnist.npz")
    assert digits.x_test.shape == (10000, 28, 28) and digits.y_test.shape == (10000,)


@pytest.mark.parametrize("content, message", [
    (b"garbage", "not a readable .npz"),
    ("train_only", "no x_test or y_test"),
    ("bad_shape", "must be \\(N, 28, 28\\) uint8"),
    ("bad_label", "digits 0..9"),
])
def test_a_bad_npz_is_refused_with_the_reason(tmp_path, content, message):
    arrays = {"train_only": {"x_train": np.zeros((2, 28, 28), np.uint8)},
              "bad_shape": {"x_test": np.zeros((2, 28, 20), np.uint8), "y_test": np.zeros(2, np.uint8)},
              "bad_label": {"x_test": np.zeros((2, 28, 28), np.uint8), "y_test": np.array([1, 12], np.uint8)}}
    if isinstance(content, bytes):
        data = content
    else:
        buffer = io.BytesIO()
        np.savez(buffer, **arrays[content])
        data = buffer.getvalue()
    with pytest.raises(HandwritingError, match=message):
        Collection().import_npz(data)
    assert Collection().counts().sum() == 0
