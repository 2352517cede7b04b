"""Runs: a training kept as bytes and float16 probabilities, stored models as runs, a session's book of 8."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from digits_core.cli import main
from digits_core.evaluation import probabilities
from digits_core.runs import MAX_RUNS, Run, RunBook, RunError, run_from_training, stored_run
from digits_core.store import StoreError, model_from_bytes


def fake_run(run_id: int, preset: str = "cnn-small") -> Run:
    """A run with no model behind it: enough for the book's bookkeeping."""
    return Run(run_id, "", preset, None, (), (), 1.0, False, 0.1, 0.9, 100, 10, 10,
               np.zeros((3, 10), np.float16), {}, model_bytes=b"keras")


@pytest.fixture(scope="module")
def tiny_run(tiny_training, mnist):
    return run_from_training(tiny_training, "dense-128x2", [], mnist.x_test)


def test_a_training_becomes_a_small_run_whose_bytes_are_the_model(tiny_run, tiny_training, mnist):
    assert tiny_run.probabilities.dtype == np.float16 and tiny_run.probabilities.shape == (10_000, 10)
    assert tiny_run.test_accuracy == tiny_training.test_accuracy and tiny_run.label.endswith("(this session)")
    model = model_from_bytes(tiny_run.model_bytes)
    again = probabilities(model, mnist.x_test[:200])
    assert np.allclose(again, tiny_run.probabilities[:200], atol=2e-3)  # float16 keeps three digits
    assert model.count_params() == tiny_run.parameters == tiny_training.model.count_params()
    assert tiny_run.file_size == len(tiny_run.model_bytes) < 1_000_000  # no optimizer state
    expected = tiny_training.test_probabilities.astype(np.float16)
    assert np.array_equal(tiny_run.probabilities, expected)  # the training's own scoring, not a second one


def test_a_run_scores_the_test_set_itself_when_the_training_kept_no_probabilities(tiny_training, mnist):
    run = run_from_training(replace(tiny_training, test_probabilities=None), "dense-128x2", [], mnist.x_test)
    assert np.array_equal(run.probabilities.argmax(1), tiny_training.test_probabilities.argmax(1))


def test_a_stored_model_is_a_run_with_its_metadata(store, tiny_run, mnist):
    meta = {key: value for key, value in tiny_run.meta.items() if key != "parameters"}  # the store counts them
    store.save("tiny", model_from_bytes(tiny_run.model_bytes), meta)
    run = stored_run(store, "tiny", mnist.x_test)
    assert run.stored and run.label == "tiny" and run.preset == "dense-128x2"
    assert len(run.history) == len(tiny_run.history) and run.spec == tiny_run.spec
    assert run.parameters == tiny_run.parameters
    assert np.array_equal(run.probabilities.argmax(1), tiny_run.probabilities.argmax(1))
    np.save(store.root / "tiny.test.npy", np.eye(10, dtype=np.float16)[np.zeros(10_000, int)])  # the store's copy
    assert (stored_run(store, "tiny", mnist.x_test).probabilities.argmax(1) == 0).all()


def test_a_stored_model_saved_without_what_a_run_reads_is_refused_until_completed(store, tiny_run, mnist):
    store.save("old", model_from_bytes(tiny_run.model_bytes), tiny_run.meta)
    (store.root / "old.test.npy").unlink()
    with pytest.raises(StoreError, match="without its test probabilities or parameter count"):
        stored_run(store, "old", mnist.x_test)  # never loads Keras to score it
    store.complete("old")
    assert stored_run(store, "old", mnist.x_test).probabilities.shape == (10_000, 10)


def test_cli_compare_completes_a_model_saved_by_an_older_version(store, tiny_run, capsys):
    model = model_from_bytes(tiny_run.model_bytes)
    for name in ("one", "two"):
        store.save(name, model, tiny_run.meta)
    saved = json.loads((store.root / "two.json").read_text())
    del saved["parameters"]
    (store.root / "two.json").write_text(json.dumps(saved))
    assert main(["compare", "one", "two", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["p_value"] == 1.0
    assert store.info("two").meta["parameters"] == tiny_run.parameters


def test_cli_compare_gives_the_table_and_p_value(store, tiny_run, capsys):
    model = model_from_bytes(tiny_run.model_bytes)
    store.save("one", model, tiny_run.meta)
    store.save("two", model, tiny_run.meta)
    assert main(["compare", "one", "two", "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["a"] == "one" and out["b"] == "two" and out["only_a"] == out["only_b"] == 0
    assert out["p_value"] == 1.0 and out["accuracy_a"] == out["accuracy_b"]
    assert out["both_right"] + out["both_wrong"] == 10_000
    assert main(["compare", "one", "missing"]) == 2


def test_the_book_names_keeps_eight_and_drops_the_oldest():
    book = RunBook()
    named = [book.add(fake_run(i))[0].name for i in range(1, MAX_RUNS + 1)]
    assert named[:2] == ["cnn-small-1", "cnn-small-2"]
    run, dropped = book.add(fake_run(99, "dense-512"))
    assert run.name == "dense-512-1" and [d.name for d in dropped] == ["cnn-small-1"]
    assert len(book.runs) == MAX_RUNS and book.runs[-1].id == 99
    assert book.find("dense-512-1 (this session)").id == 99 and book.find("dense-512-1") is None


def test_renames_are_checked_and_names_never_reused():
    book = RunBook()
    first, _ = book.add(fake_run(1))
    book.add(fake_run(2))
    assert book.rename(1, "  baseline ").name == "baseline" and book.get(1).label == "baseline (this session)"
    assert book.rename(1, "my first run").name == "my-first-run"  # the store's rule: a run saves under its name
    for bad in ("", "x" * 65, "cnn-small-2", "Anna's dense 🙂", "../up"):
        with pytest.raises(RunError):
            book.rename(1, bad)
    book.rename(2, "cnn-small-3")
    assert book.add(fake_run(3))[0].name == "cnn-small-4"  # cnn-small-3 is taken by the renamed run
    assert book.mark_saved(1, "my model").stored_as == "my-model"
    book.remove(1)
    with pytest.raises(RunError):
        book.get(1)
