"""The class collection in the class database, on SQLite and on a real PostgreSQL server: samples with where they came
from, relabel, delete, undo, imports as batches removed whole, export, and a bad .npz refused in one line."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from digits_core.classroom.samples import MAX_IMPORT, Collection
from digits_core.handwriting import HandwritingError, LabelledSet, load_labelled

REPO = Path(__file__).resolve().parents[1]


def digit_image(value: int) -> np.ndarray:
    return np.full((28, 28), value, np.uint8)


def npz_bytes(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def test_a_sample_is_stored_with_its_raw_input_and_provenance(class_url):
    collection = Collection(class_url)
    canvas = np.zeros((560, 400, 4), np.uint8)
    canvas[..., 3] = 255
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    sample_id = collection.add(digit_image(7), 3, raw=canvas, model="default", predicted=8, source="camera",
                               browser_id="b-1")
    (sample,) = collection.samples()
    assert (sample.id, sample.label, sample.model, sample.predicted) == (sample_id, 3, "default", 8)
    assert (sample.source, sample.browser_id, sample.batch_id) == ("camera", "b-1", None)
    assert np.array_equal(sample.image, digit_image(7))
    assert before <= sample.created_at <= datetime.now(timezone.utc) + timedelta(seconds=1)
    from PIL import Image

    assert max(Image.open(io.BytesIO(collection.raw(sample_id))).size) == 280  # downscaled, aspect kept
    assert collection.counts().tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]


def test_a_grey_drawing_is_kept_as_luma_and_a_colour_photo_in_colour():
    from PIL import Image

    from digits_core.classroom.samples import raw_png

    drawing = np.zeros((280, 280, 4), np.uint8)
    drawing[..., 3] = 255
    drawing[60:220, 120:140, :3] = 255  # a white stroke on Draw's black canvas
    kept = Image.open(io.BytesIO(raw_png(drawing)))
    assert kept.mode == "L" and np.array_equal(np.asarray(kept), drawing[..., 0])
    photo = drawing.copy()
    photo[0, 0, :3] = (200, 30, 30)  # one red pixel
    assert Image.open(io.BytesIO(raw_png(photo))).mode == "RGBA"


def test_samples_by_digit_newest_first_relabel_and_delete(class_url):
    collection = Collection(class_url)
    ids = [collection.add(digit_image(i), i % 2) for i in range(5)]
    assert [s.id for s in collection.samples(0)] == [ids[4], ids[2], ids[0]]
    assert [s.id for s in collection.samples(0, limit=2)] == [ids[4], ids[2]]
    assert collection.delete(ids[2]) and not collection.delete(ids[2])
    assert collection.relabel(ids[0], 7) and not collection.relabel(ids[2], 7)
    assert collection.counts().tolist() == [1, 2, 0, 0, 0, 0, 0, 1, 0, 0]
    digits = collection.digits()
    assert digits.x_test.shape == (4, 28, 28) and digits.y_test.tolist() == [7, 1, 1, 0]


def test_undo_takes_back_only_the_browsers_own_last_correction(class_url):
    collection = Collection(class_url)
    first = collection.add(digit_image(1), 1, source="draw", browser_id="mine")
    second = collection.add(digit_image(2), 9, source="upload", browser_id="mine")
    collection.add(digit_image(3), 3, source="draw", browser_id="theirs")
    collection.add_many(LabelledSet(np.zeros((2, 28, 28), np.uint8), np.array([4, 5])), "mine.npz", "mine")
    undone = collection.undo_last("mine")
    assert undone.id == second and undone.label == 9  # the import after it is not a correction
    assert collection.undo_last("mine").id == first
    assert collection.undo_last("mine") is None and collection.undo_last("nobody") is None
    assert sorted(s.browser_id for s in collection.samples()) == ["mine", "mine", "theirs"]


def test_one_browsers_samples_and_the_whole_collection_can_go(class_url):
    collection = Collection(class_url)
    for i in range(3):
        collection.add(digit_image(i), i, browser_id="junk")
    collection.add(digit_image(9), 9, browser_id="kept")
    collection.add_many(LabelledSet(np.zeros((4, 28, 28), np.uint8), np.arange(4)), "noise.npz", "junk")
    assert collection.browsers() == {"junk": 7, "kept": 1}
    assert collection.delete_browser("junk") == 7
    assert [s.browser_id for s in collection.samples()] == ["kept"] and collection.batches() == []
    collection.add_many(LabelledSet(np.zeros((2, 28, 28), np.uint8), np.arange(2)))
    assert collection.clear() == 3
    assert collection.counts().sum() == 0 and collection.batches() == []


def test_an_import_is_one_batch_listed_and_removed_whole(class_url, mnist):
    collection = Collection(class_url)
    own = collection.add(digit_image(5), 5, browser_id="s")
    batch = collection.import_npz(npz_bytes(x_test=mnist.x_test[:30], y_test=mnist.y_test[:30]), "t", "class.npz")
    assert (batch.count, batch.name, batch.browser_id) == (30, "class.npz", "t")
    (listed,) = collection.batches()
    assert listed == batch
    assert {s.batch_id for s in collection.samples() if s.id != own} == {batch.id}
    assert collection.stats().sources == {"draw": 1, "camera": 0, "upload": 0, "import": 30}
    assert collection.delete_batch(batch.id) == 30
    assert [s.id for s in collection.samples()] == [own] and collection.batches() == []


def test_an_import_of_more_than_twenty_thousand_digits_is_refused_whole(class_url):
    images, labels = np.zeros((MAX_IMPORT + 1, 28, 28), np.uint8), np.zeros(MAX_IMPORT + 1, np.uint8)
    with pytest.raises(HandwritingError, match="at most 20,000"):
        Collection(class_url).import_npz(npz_bytes(x_test=images, y_test=labels))
    assert Collection(class_url).counts().sum() == 0 and Collection(class_url).batches() == []


@pytest.mark.parametrize("label", [-1, 10, 3.0, "3", True, None])
def test_a_label_that_is_not_a_digit_is_refused(label):
    with pytest.raises(HandwritingError, match="digit"):
        Collection().add(digit_image(1), label)


def test_an_image_that_is_not_28x28_uint8_or_an_unknown_source_is_refused():
    with pytest.raises(HandwritingError, match="28x28"):
        Collection().add(np.zeros((28, 27), np.uint8), 1)
    with pytest.raises(HandwritingError, match="source"):
        Collection().add(digit_image(1), 1, source="fax")


def test_export_then_import_round_trip(tmp_path, mnist, class_url):
    source = Collection(class_url)
    assert source.add_many(LabelledSet(mnist.x_test[:50], mnist.y_test[:50])).count == 50
    path = tmp_path / "class.npz"
    assert source.export_npz(path) == 50
    with np.load(path) as npz:
        assert set(npz.files) == {"x_test", "y_test"}
        assert npz["x_test"].dtype == np.uint8 and npz["y_test"].dtype == np.uint8
    target = Collection(f"sqlite:///{tmp_path / 'other.sqlite'}")
    assert target.import_npz(path).name == "class.npz"
    digits = target.digits()
    assert np.array_equal(digits.x_test, mnist.x_test[:50]) and np.array_equal(digits.y_test, mnist.y_test[:50])


def test_the_bundled_mnist_file_is_a_labelled_set():
    digits = load_labelled(REPO / "data" / "mnist.npz")
    assert digits.x_test.shape == (10000, 28, 28) and digits.y_test.shape == (10000,)


@pytest.mark.parametrize("content, message", [
    (b"garbage", "not a readable .npz file in MNIST's layout"),
    (np.save, "a single array, not an .npz file"),
    ({"x_train": np.zeros((2, 28, 28), np.uint8)}, "no x_test or y_test array"),
    ({"x_test": np.zeros((2, 28, 20), np.uint8), "y_test": np.zeros(2, np.uint8)}, "must be \\(N, 28, 28\\) uint8"),
    ({"x_test": np.zeros((2, 28, 28), np.uint8), "y_test": np.array([1, 12], np.uint8)}, "digits 0..9"),
    ({"x_test": np.zeros(2, object), "y_test": np.zeros(2, np.uint8)}, "not a readable .npz"),  # pickled
])
def test_a_bad_npz_is_refused_in_one_line_and_adds_nothing(content, message):
    if content is np.save:
        buffer = io.BytesIO()
        np.save(buffer, np.zeros((2, 28, 28), np.uint8))
        data = buffer.getvalue()
    else:
        data = content if isinstance(content, bytes) else npz_bytes(**content)
    with pytest.raises(HandwritingError, match=message) as refused:
        Collection().import_npz(data)
    assert "\n" not in str(refused.value) and "pickle" not in str(refused.value)
    assert Collection().counts().sum() == 0

