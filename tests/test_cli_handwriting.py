"""`python -m digits_core handwriting import|export|stats|batches|remove-batch`, `class wipe` and
`evaluate --on FILE.npz`: the class database from a terminal, the teacher's commands behind the passcode."""

from __future__ import annotations

import json

import numpy as np
import pytest

from digits_core.cli import EXIT_BAD_INPUT, main
from digits_core.evaluation import evaluate
from digits_core.handwriting import LabelledSet


def run(capsys, *args: str) -> tuple[int, object, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, json.loads(out.strip().splitlines()[-1]) if code == 0 and "--json" in args else out, err


@pytest.fixture
def class_file(tmp_path, mnist):
    """Sixty test digits saved as an .npz in MNIST's layout, the way an export writes them."""
    path = tmp_path / "class.npz"
    np.savez(path, x_test=mnist.x_test[:60], y_test=mnist.y_test[:60])
    return path


def test_import_stats_export(capsys, tmp_path, class_file, mnist, class_url):
    code, imported, _ = run(capsys, "handwriting", "import", str(class_file), "--json")
    assert code == 0 and imported["digits"] == 60 and imported["database"].split(":")[0] in class_url
    code, stats, _ = run(capsys, "handwriting", "stats", "--json")
    assert stats["counts"] == np.bincount(mnist.y_test[:60], minlength=10).tolist() and stats["digits"] == 60
    assert stats["sources"]["import"] == 60 and stats["batches"] == 1
    code, text, _ = run(capsys, "handwriting", "stats")
    assert "60 digits" in text
    out = tmp_path / "out.npz"
    code, exported, _ = run(capsys, "handwriting", "export", str(out), "--json")
    assert code == 0 and exported["digits"] == 60
    with np.load(out) as npz:
        assert np.array_equal(npz["x_test"], mnist.x_test[:60]) and np.array_equal(npz["y_test"], mnist.y_test[:60])


def test_import_of_a_bad_file_is_one_line_and_status_2(capsys, tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"nope")
    code, _, err = run(capsys, "handwriting", "import", str(bad))
    assert code == EXIT_BAD_INPUT and err.startswith("error: ") and "not a readable .npz" in err
    assert err.count("\n") == 1


def test_imports_are_listed_and_removed_by_the_teacher(capsys, class_file, monkeypatch):
    monkeypatch.setenv("DIGITS_TEACHER_PASSCODE", "owl-42")
    code, _, err = run(capsys, "handwriting", "import", str(class_file))
    assert code == EXIT_BAD_INPUT and "give the --passcode" in err
    code, imported, _ = run(capsys, "handwriting", "import", str(class_file), "--passcode", "owl-42", "--json")
    assert code == 0
    code, batches, _ = run(capsys, "handwriting", "batches", "--json")
    assert [(b["id"], b["name"], b["digits"]) for b in batches] == [(imported["batch"], "class.npz", 60)]
    code, _, err = run(capsys, "handwriting", "remove-batch", str(imported["batch"]), "--passcode", "owl")
    assert code == EXIT_BAD_INPUT and "wrong --passcode" in err
    code, removed, _ = run(capsys, "handwriting", "remove-batch", str(imported["batch"]), "--passcode", "owl-42",
                           "--json")
    assert code == 0 and removed["digits"] == 60
    code, _, err = run(capsys, "handwriting", "remove-batch", str(imported["batch"]), "--passcode", "owl-42")
    assert code == EXIT_BAD_INPUT and "no import number" in err


def test_the_class_is_wiped_only_with_yes(capsys, class_file):
    run(capsys, "handwriting", "import", str(class_file))
    code, _, err = run(capsys, "class", "wipe")
    assert code == EXIT_BAD_INPUT and "add --yes" in err
    code, wiped, _ = run(capsys, "class", "wipe", "--yes", "--json")
    assert code == 0 and wiped["removed"]["samples"] == 60
    assert run(capsys, "handwriting", "stats", "--json")[1]["digits"] == 0


def test_a_database_that_cannot_be_reached_is_one_line_and_status_2(capsys, monkeypatch):
    monkeypatch.setenv("DIGITS_DATABASE_URL", "postgresql://teacher:secret@127.0.0.1:9/class")
    code, _, err = run(capsys, "handwriting", "stats")
    assert code == EXIT_BAD_INPUT and "cannot be reached" in err and "secret" not in err and err.count("\n") == 1


def test_evaluate_on_a_labelled_file(capsys, store, tiny_training, class_file, mnist):
    store.save("tiny", tiny_training.model, {"test_accuracy": tiny_training.test_accuracy})
    code, result, _ = run(capsys, "evaluate", "--on", str(class_file), "--model", "tiny", "--json")
    expected = evaluate(tiny_training.model, LabelledSet(mnist.x_test[:60], mnist.y_test[:60]))
    assert code == 0 and result["images"] == 60 and result["on"] == str(class_file)
    assert result["test_accuracy"] == pytest.approx(expected.accuracy)
    assert np.array_equal(result["confusion_matrix"], expected.confusion)
    code, text, _ = run(capsys, "evaluate", "--on", str(class_file), "--model", "tiny")
    assert "confusion matrix" in text and "60 digits" in text


def test_evaluate_on_an_empty_set_is_refused(capsys, store, tiny_training, tmp_path):
    empty = tmp_path / "empty.npz"
    np.savez(empty, x_test=np.zeros((0, 28, 28), np.uint8), y_test=np.zeros(0, np.uint8))
    store.save("tiny", tiny_training.model, {})
    code, _, err = run(capsys, "evaluate", "--on", str(empty), "--model", "tiny")
    assert code == EXIT_BAD_INPUT and "no digits" in err
