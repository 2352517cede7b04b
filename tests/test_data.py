"""load_mnist: where it looks, what it returns, and the clear errors for bad files."""

from __future__ import annotations

import numpy as np
import pytest

from digits_core import DataError, load_mnist
from digits_core.data import BUNDLED_PATH, PATH_ENV

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def _fake_npz(path, first_label=0, **overrides):
    """An MNIST-shaped .npz of blank images (compressed, so quick to write) whose first label tells files apart."""
    arrays = {
        "x_train": np.zeros((60000, 28, 28), np.uint8),
        "y_train": np.zeros(60000, np.uint8),
        "x_test": np.zeros((10000, 28, 28), np.uint8),
        "y_test": np.zeros(10000, np.uint8),
    }
    arrays["y_train"][0] = first_label
    arrays.update(overrides)
    np.savez_compressed(path, **{k: v for k, v in arrays.items() if v is not None})
    return path


def test_shapes_dtypes_and_first_labels(mnist):
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.x_test.shape == (10000, 28, 28)
    assert mnist.y_train.shape == (60000,) and mnist.y_test.shape == (10000,)
    for array in (mnist.x_train, mnist.y_train, mnist.x_test, mnist.y_test):
        assert array.dtype == np.uint8
    assert mnist.y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert mnist.y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert mnist.x_train.max() == 255 and mnist.x_train.min() == 0


def test_class_counts(mnist):
    assert np.bincount(mnist.y_train, minlength=10).tolist() == TRAIN_COUNTS
    assert np.bincount(mnist.y_test, minlength=10).tolist() == TEST_COUNTS


def test_arrays_are_read_only(mnist):
    for array in (mnist.x_train, mnist.y_train, mnist.x_test, mnist.y_test):
        assert not array.flags.writeable
        with pytest.raises(ValueError):
            array[0] = 1


def test_loading_twice_shares_the_arrays(mnist):
    again = load_mnist()
    assert again.x_train is mnist.x_train and again.y_test is mnist.y_test
    assert load_mnist(BUNDLED_PATH).x_train is mnist.x_train


def test_subset_keeps_the_test_set(mnist):
    small = mnist.subset(100)
    assert small.x_train.shape == (100, 28, 28) and small.y_train.tolist() == mnist.y_train[:100].tolist()
    assert small.x_test is mnist.x_test
    assert mnist.subset(None) is mnist and mnist.subset(10**6) is mnist
    with pytest.raises(DataError, match="limit"):
        mnist.subset(0)


def test_argument_wins_over_environment(tmp_path, monkeypatch):
    from_env = _fake_npz(tmp_path / "env.npz", first_label=7)
    from_arg = _fake_npz(tmp_path / "arg.npz", first_label=8)
    monkeypatch.setenv(PATH_ENV, str(from_env))
    assert load_mnist(from_arg).y_train[0] == 8
    assert load_mnist().y_train[0] == 7


def test_environment_wins_over_bundled_file(tmp_path, monkeypatch, mnist):
    monkeypatch.setenv(PATH_ENV, str(_fake_npz(tmp_path / "env.npz", first_label=9)))
    assert load_mnist().y_train[0] == 9
    monkeypatch.delenv(PATH_ENV)
    assert load_mnist().x_train is mnist.x_train


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.npz"
    with pytest.raises(DataError, match="no such file") as info:
        load_mnist(path)
    assert str(path) in str(info.value)


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(DataError, match="a folder, not a file") as info:
        load_mnist(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_damaged_compressed_file(tmp_path):
    """The zip directory is intact but the compressed data is not: the CRC check catches it."""
    data = bytearray(_fake_npz(tmp_path / "whole.npz").read_bytes())
    middle = len(data) // 3
    data[middle:middle + 64] = bytes(64)
    path = tmp_path / "damaged.npz"
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="not a readable .npz file") as info:
        load_mnist(path)
    assert str(path) in str(info.value)


def test_truncated_file(tmp_path):
    whole = _fake_npz(tmp_path / "whole.npz").read_bytes()
    path = tmp_path / "truncated.npz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataError) as info:
        load_mnist(path)
    assert str(path) in str(info.value)


def test_not_an_npz_file(tmp_path):
    path = tmp_path / "text.npz"
    path.write_text("hello, not numbers")
    with pytest.raises(DataError, match="readable") as info:
        load_mnist(path)
    assert str(path) in str(info.value)


def test_single_npy_array_instead_of_npz(tmp_path):
    path = tmp_path / "array.npy"
    np.save(path, np.zeros((3, 28, 28), np.uint8))
    with pytest.raises(DataError) as info:
        load_mnist(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"x_train": np.zeros((600, 32, 32), np.uint8)}, r"'x_train' has shape \(600, 32, 32\)"),
        ({"y_test": np.zeros((10000, 1), np.uint8)}, r"'y_test' has shape"),
        ({"x_test": np.zeros((10000, 28, 28), np.float32)}, r"'x_test' has dtype float32"),
        ({"y_train": None}, r"'y_train' is missing"),
        ({"y_train": np.full(60000, 12, np.uint8)}, r"labels above 9"),
    ],
)
def test_wrong_content_names_path_and_problem(tmp_path, overrides, problem):
    path = _fake_npz(tmp_path / "bad.npz", **overrides)
    with pytest.raises(DataError, match=problem) as info:
        load_mnist(path)
    assert str(path) in str(info.value)
