"""ModelStore: round trips, safe names, atomic writes, damaged files, read-only shipped models, light files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from digits_core.lite import LiteModel
from digits_core.store import (
    MODELS_DIR,
    MODELS_ENV,
    ModelStore,
    StoreError,
    model_from_bytes,
    model_to_bytes,
    sanitize_name,
)

META = {"preset": "dense-128x2", "test_accuracy": 0.9}


def _files(name: str) -> list[str]:
    return [f"{name}.json", f"{name}.keras", f"{name}.test.npy", f"{name}.tflite"]


def _leftovers(store: ModelStore) -> list[str]:
    return sorted(p.name for p in store.root.iterdir() if p.name.startswith("."))


def _same_outputs(first, second, images) -> bool:
    return np.allclose(first(images[:, :, :, None]), second(images[:, :, :, None]), atol=1e-6)


def test_save_list_load_delete(store, tiny_model, mnist):
    assert store.list() == []
    saved = store.save("my model", tiny_model, META)
    assert saved.name == "my-model" and not saved.shipped and saved.test_accuracy == 0.9
    assert {"created_at", "versions", "name", "shipped"} <= set(saved.meta)
    assert saved.meta["parameters"] == tiny_model.count_params() and store.is_complete("my-model")
    assert [entry.name for entry in store.list()] == ["my-model"]
    assert store.exists("my-model") and store.info("my model").meta["preset"] == "dense-128x2"
    loaded = store.load("my-model")
    assert _same_outputs(loaded, tiny_model, mnist.x_test[:50])
    assert sorted(p.name for p in store.root.iterdir()) == _files("my-model")
    store.delete("my-model")
    assert store.list() == [] and not store.exists("my-model")
    assert list(store.root.iterdir()) == []


def test_listing_order_and_incomplete_pairs(store, tiny_model):
    store.save("zeta", tiny_model, META, shipped=True)
    store.save("alpha", tiny_model, META)
    (store.root / "orphan.keras").write_bytes(b"no metadata beside me")
    (store.root / "odd.name.keras").write_bytes(b"x")  # not a name the store can address
    (store.root / "odd.name.json").write_text("{}")
    assert [(entry.name, entry.shipped) for entry in store.list()] == [("zeta", True), ("alpha", False)]


@pytest.mark.parametrize("name", ["../evil", "a/b", "", "   ", "..", "model.v2", "a\\b", "x" * 65, "naïve"])
def test_bad_names_refused(store, tiny_model, name):
    with pytest.raises(StoreError, match="invalid model name"):
        store.save(name, tiny_model, META)
    for action in (store.load, store.delete, store.info, store.exists):
        with pytest.raises(StoreError, match="invalid model name"):
            action(name)
    assert not store.root.exists() or list(store.root.iterdir()) == []


def test_sanitize_name():
    assert sanitize_name("  my first  model ") == "my-first-model"
    assert sanitize_name("cnn_fast-2") == "cnn_fast-2"
    for not_text in (None, 5, b"model"):  # str(None) would be the valid name 'None'
        with pytest.raises(StoreError, match="invalid model name"):
            sanitize_name(not_text)


def test_missing_model_is_a_clear_error(store):
    with pytest.raises(StoreError, match="no model named 'ghost'"):
        store.load("ghost")
    with pytest.raises(StoreError, match="no model named"):
        store.delete("ghost")


def test_writes_leave_no_temporary_files(store, tiny_model):
    store.save("first", tiny_model, META)
    store.save("first", tiny_model, {**META, "test_accuracy": 0.95})
    assert _leftovers(store) == []
    assert sorted(p.name for p in store.root.iterdir()) == _files("first")
    assert store.info("first").test_accuracy == 0.95


def test_saved_files_are_readable_by_others(store, tiny_model):
    store.save("shared", tiny_model, META)
    for path in store.root.iterdir():  # not mkstemp's 0600: the app may run as another user than the trainer
        assert path.stat().st_mode & 0o444 == 0o444, path.name


def test_failed_write_keeps_the_old_model(store, tiny_model, mnist, monkeypatch):
    import digits_core.store as store_module

    store.save("keep", tiny_model, META)
    before = {p.name: p.read_bytes() for p in store.root.iterdir()}

    def half_a_model(model, path):
        with open(path, "wb") as handle:
            handle.write(b"half a model")
        raise OSError("disk full")

    monkeypatch.setattr(store_module, "_save_for_inference", half_a_model)
    with pytest.raises(OSError, match="disk full"):
        store.save("keep", tiny_model, {**META, "test_accuracy": 0.1})
    assert {p.name: p.read_bytes() for p in store.root.iterdir()} == before
    monkeypatch.undo()
    assert store.info("keep").test_accuracy == 0.9
    assert _same_outputs(store.load("keep"), tiny_model, mnist.x_test[:10])


def test_unwritable_metadata_keeps_the_old_model(store, tiny_model, mnist):
    store.save("keep", tiny_model, META)
    before = {p.name: p.read_bytes() for p in store.root.iterdir()}
    with pytest.raises(TypeError):  # json cannot write an object: the new weights must not go in either
        store.save("keep", tiny_model, {**META, "note": object()})
    assert {p.name: p.read_bytes() for p in store.root.iterdir()} == before
    with pytest.raises(TypeError):
        store.save("fresh", tiny_model, {"note": object()})
    assert sorted(p.name for p in store.root.iterdir()) == _files("keep")


def test_model_bytes_round_trip_without_optimizer_state(store, tiny_model, mnist, tmp_path):
    data = model_to_bytes(tiny_model)
    assert _same_outputs(model_from_bytes(data), tiny_model, mnist.x_test[:20])
    store.save("same", tiny_model, META)
    assert len(data) == pytest.approx((store.root / "same.keras").stat().st_size, rel=0.01)  # what the store writes
    tiny_model.save(tmp_path / "with-optimizer.keras")  # Keras's own save keeps the Adam moments: about 3x
    assert (tmp_path / "with-optimizer.keras").stat().st_size > 2 * len(data)


@pytest.mark.parametrize("data", [b"this is not a zip archive", b""])
def test_model_from_damaged_bytes(data):
    with pytest.raises(StoreError, match="the .keras file is damaged"):
        model_from_bytes(data)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_damaged_model_file(store, tiny_model, damage):
    store.save("broken", tiny_model, META)
    path = store.root / "broken.keras"
    content = {"garbage": b"this is not a zip archive", "truncated": path.read_bytes()[:2000], "empty": b""}[damage]
    path.write_bytes(content)
    with pytest.raises(StoreError, match=r"model 'broken' could not be loaded: broken.keras is damaged"):
        store.load("broken")


@pytest.mark.parametrize("content", [b"{ half", b"[1, 2]", b"null", b"\xff\xfe not utf-8"])
def test_damaged_metadata(store, tiny_model, content):
    store.save("meta", tiny_model, META)
    (store.root / "meta.json").write_bytes(content)
    with pytest.raises(StoreError, match="metadata of model 'meta' is unreadable"):
        store.info("meta")
    with pytest.raises(StoreError, match="metadata of model 'meta' is unreadable"):
        store.load("meta")


def test_damaged_metadata_does_not_hide_the_other_models(store, tiny_model):
    store.save("good", tiny_model, META)
    store.save("bad", tiny_model, META)
    (store.root / "bad.json").write_text("{ half")
    assert [entry.name for entry in store.list()] == ["good"]


def test_missing_weights_file(store, tiny_model):
    store.save("hollow", tiny_model, META)
    (store.root / "hollow.keras").unlink()
    with pytest.raises(StoreError, match="model 'hollow' could not be loaded: hollow.keras is missing"):
        store.load("hollow")


def test_loading_is_safe_mode(store):
    """A .keras file carrying Python code (a Lambda layer) is refused, not run."""
    import keras

    inputs = keras.Input((28, 28, 1), dtype="uint8")
    x = keras.layers.Lambda(lambda t: keras.ops.cast(t, "float32") / 255)(inputs)
    outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(x))
    store.root.mkdir()
    keras.Model(inputs, outputs).save(store.root / "sneaky.keras")
    (store.root / "sneaky.json").write_text("{}")
    with pytest.raises(StoreError, match="model 'sneaky' could not be loaded.*Lambda"):
        store.load("sneaky")


def test_shipped_models_are_read_only(store, tiny_model):
    store.save("shipped", tiny_model, META, shipped=True)
    with pytest.raises(StoreError, match="shipped"):
        store.delete("shipped")
    with pytest.raises(StoreError, match="shipped"):
        store.save("shipped", tiny_model, {**META, "test_accuracy": 0.5})
    assert store.info("shipped").test_accuracy == 0.9 and store.info("shipped").shipped
    store.save("shipped", tiny_model, {**META, "test_accuracy": 0.95}, shipped=True)  # re-shipping is allowed
    assert store.info("shipped").test_accuracy == 0.95


def test_check_writable(store, tiny_model):
    store.save("shipped", tiny_model, META, shipped=True)
    store.save("mine", tiny_model, META)
    assert store.check_writable("my model") == "my-model"
    assert store.check_writable("mine") == "mine"
    assert store.check_writable("shipped", shipped=True) == "shipped"
    with pytest.raises(StoreError, match="shipped model and read-only"):
        store.check_writable("shipped")
    with pytest.raises(StoreError, match="invalid model name"):
        store.check_writable("../evil")


def test_default_root_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(MODELS_ENV, str(tmp_path / "elsewhere"))
    assert ModelStore().root == tmp_path / "elsewhere"
    monkeypatch.delenv(MODELS_ENV)
    assert ModelStore().root == MODELS_DIR
    assert ModelStore(tmp_path).root == tmp_path


def test_light_files_read_like_the_keras_model(store, tiny_model, mnist):
    """NAME.tflite reads like the Keras model; NAME.test.npy holds its test-set probabilities (float16)."""
    store.save("light", tiny_model, META)
    expected = np.asarray(tiny_model(mnist.x_test[:, :, :, None], training=False))
    lite = store.load_lite("light")
    assert isinstance(lite, LiteModel)
    np.testing.assert_allclose(lite.probabilities(mnist.x_test[:500]), expected[:500], atol=1e-5)
    stored = store.test_probabilities("light")
    assert stored.shape == (10000, 10) and stored.dtype == np.float32
    assert np.load(store.root / "light.test.npy").dtype == np.float16
    np.testing.assert_allclose(stored, expected, atol=1e-3)
    assert (stored.argmax(axis=1) == expected.argmax(axis=1)).mean() > 0.999  # float16 may tie two close classes


def test_test_probabilities_given_to_save_are_stored_as_they_are(store, tiny_training):
    store.save("scored", tiny_training.model, META, test_probabilities=tiny_training.test_probabilities)
    np.testing.assert_array_equal(np.load(store.root / "scored.test.npy"),
                                  tiny_training.test_probabilities.astype(np.float16))


def test_models_without_light_files_fall_back(store, tiny_model):
    store.save("old", tiny_model, META)
    for suffix in (".tflite", ".test.npy"):  # as saved before the store wrote them
        (store.root / f"old{suffix}").unlink()
    assert store.load_lite("old") is None and store.test_probabilities("old") is None
    assert [entry.name for entry in store.list()] == ["old"]
    store.export_lite("old")
    assert isinstance(store.load_lite("old"), LiteModel) and store.test_probabilities("old").shape == (10000, 10)
    assert _leftovers(store) == []


def test_a_model_saved_by_an_older_version_is_completed_once_without_changing_its_version(store, tiny_model):
    saved = store.save("old", tiny_model, META)
    lite = (store.root / "old.tflite").read_bytes()
    (store.root / "old.json").write_text(json.dumps({k: v for k, v in saved.meta.items() if k != "parameters"}))
    (store.root / "old.test.npy").unlink()  # as saved before the store counted parameters and kept probabilities
    (store.root / "old.tflite").write_bytes(lite + b"kept")  # a file it has is left as it is
    assert not store.is_complete("old")
    completed = store.complete("old")
    assert completed.meta["parameters"] == tiny_model.count_params() == store.info("old").meta["parameters"]
    assert store.info("old").meta["created_at"] == saved.meta["created_at"] and store.is_complete("old")
    assert store.test_probabilities("old").shape == (10000, 10)
    assert (store.root / "old.tflite").read_bytes().endswith(b"kept")
    assert _leftovers(store) == []


def test_without_the_litert_runtime_there_is_no_light_model(store, tiny_model, monkeypatch):
    import digits_core.lite as lite

    store.save("plain", tiny_model, META)
    monkeypatch.setattr(lite, "Interpreter", None)  # as on an Intel Mac, where ai-edge-litert has no wheel
    assert store.load_lite("plain") is None


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_damaged_light_files(store, tiny_model, damage):
    store.save("broken", tiny_model, META)
    for suffix in (".tflite", ".test.npy"):
        path = store.root / f"broken{suffix}"
        path.write_bytes({"garbage": b"this is no model", "truncated": path.read_bytes()[:300], "empty": b""}[damage])
    with pytest.raises(StoreError, match=r"model 'broken' could not be loaded: broken.tflite is not a readable LiteRT"):
        store.load_lite("broken")
    with pytest.raises(StoreError, match=r"test predictions of model 'broken' are unreadable: broken.test.npy"):
        store.test_probabilities("broken")


def test_test_predictions_of_the_wrong_shape(store, tiny_model):
    store.save("odd", tiny_model, META)
    np.save(store.root / "odd.test.npy", np.zeros((10000, 3), np.float16))
    with pytest.raises(StoreError, match=r"holds an array of shape \(10000, 3\), not \(N, 10\)"):
        store.test_probabilities("odd")


def test_light_files_of_a_missing_model(store):
    for action in (store.load_lite, store.test_probabilities, store.export_lite, store.is_complete, store.complete):
        with pytest.raises(StoreError, match="no model named 'ghost'"):
            action("ghost")


@pytest.mark.skipif(not (MODELS_DIR / "default.tflite").exists(), reason="the shipped default model is not there")
def test_the_shipped_default_has_its_light_files(mnist):
    shipped = ModelStore(MODELS_DIR)
    probs = shipped.test_probabilities("default")
    assert np.mean(probs.argmax(axis=1) == mnist.y_test) == pytest.approx(shipped.info("default").test_accuracy)
    lite = shipped.load_lite("default").probabilities(mnist.x_test[:1000])
    np.testing.assert_allclose(lite, probs[:1000], atol=1e-3)
