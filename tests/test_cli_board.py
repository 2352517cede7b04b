"""`python -m digits_core board`: post a .keras file, list the ranking, take a post down with the teacher's passcode,
export it as CSV; one-line errors for a model that cannot read digits, a wrong passcode, closed posting."""

from __future__ import annotations

import csv

import pytest

from digits_core.classroom.board import Board
from digits_core.classroom.roles import PASSCODE_ENV
from digits_core.cli import BOARD_KEYS
from test_cli import last_json, run_main, run_module


@pytest.fixture
def stored_tiny(store, tiny_training):
    """The tiny model saved in the store: MODEL.keras with its JSON (preset, spec, history) beside it."""
    store.save("tiny", tiny_training.model, tiny_training.metadata("dense-128x2"))
    return store.root / "tiny.keras"


def test_a_posted_model_is_listed_with_every_key(capsys, stored_tiny, tiny_training):
    code, out, _ = run_main(capsys, "board", "post", str(stored_tiny), "--nickname", "Ada", "--json")
    assert code == 0
    posted = last_json(out)
    assert posted["nickname"] == "Ada" and posted["mnist_accuracy"] == pytest.approx(tiny_training.test_accuracy,
                                                                                       abs=2e-3)
    code, out, _ = run_main(capsys, "board", "list", "--json")
    (row,) = last_json(out)
    assert code == 0 and tuple(row) == BOARD_KEYS
    assert (row["place"], row["id"], row["name"], row["preset"], row["epochs"]) == (1, posted["id"], "tiny",
                                                                                      "dense-128x2", 1)
    assert row["class_accuracy"] is None and row["class_digits"] == 0
    assert row["params"] == tiny_training.model.count_params()


def test_a_file_that_is_no_model_is_refused_in_one_line(capsys, tmp_path):
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"no model")
    code, out, err = run_main(capsys, "board", "post", str(junk))
    assert code == 2 and err.startswith("error:") and len(err.strip().splitlines()) == 1
    assert Board().posts() == []


def test_a_model_that_does_not_read_28x28_digits_is_refused(capsys, tmp_path):
    from digits_core.backend import keras

    colour = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(10)])
    path = tmp_path / "colour.keras"
    colour.save(path)
    code, _, err = run_main(capsys, "board", "post", str(path))
    assert code == 2 and "does not read 28x28 digits" in err


def test_removing_a_post_needs_the_teachers_passcode(capsys, stored_tiny, monkeypatch):
    run_main(capsys, "board", "post", str(stored_tiny), "--nickname", "Ada")
    (post,) = Board().posts()
    monkeypatch.setenv(PASSCODE_ENV, "letmein")
    for wrong in ([], ["--passcode", "guess"]):
        code, _, err = run_main(capsys, "board", "remove", str(post.id), *wrong)
        assert code == 2 and "passcode" in err
    code, out, _ = run_main(capsys, "board", "remove", str(post.id), "--passcode", "letmein", "--json")
    assert code == 0 and last_json(out) == {"action": "remove", "id": post.id}
    assert Board().posts() == []
    code, _, err = run_main(capsys, "board", "remove", str(post.id), "--passcode", "letmein")
    assert code == 2 and "no post" in err


def test_the_ranking_exports_as_csv(capsys, stored_tiny, tmp_path):
    run_main(capsys, "board", "post", str(stored_tiny), "--nickname", "=cmd|' /C calc'!A0")
    target = tmp_path / "board.csv"
    code, out, _ = run_main(capsys, "board", "export", str(target), "--json")
    assert code == 0 and last_json(out)["posts"] == 1
    with target.open(newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert tuple(row) == BOARD_KEYS and row["preset"] == "dense-128x2"
    assert row["nickname"] == "'=cmd|' /C calc'!A0"  # text in a spreadsheet, not a formula


def test_posting_while_closed_says_so(capsys, stored_tiny):
    Board().set_open(False, teacher=True)
    code, _, err = run_main(capsys, "board", "post", str(stored_tiny))
    assert code == 2 and "closed" in err


def test_the_module_lists_an_empty_board():
    result = run_module("board", "list", "--json")
    assert result.returncode == 0 and last_json(result.stdout) == []
