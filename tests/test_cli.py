"""`python -m digits_core`: every subcommand's JSON, and one-line errors for bad input.

Most cases call cli.main in-process (TensorFlow is already loaded there); a few run the real
`python -m digits_core` in a subprocess to cover the entry point and the exit status.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digits_core import PRESETS
from digits_core.cli import main
from digits_core.store import MODELS_ENV, ModelStore

REPO = Path(__file__).resolve().parent.parent
TINY = ["--preset", "dense-128x2", "--limit", "3000", "--epochs", "1"]  # enough to read the two photo digits


def run_module(*args: str, models_dir: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if models_dir is not None:
        env[MODELS_ENV] = str(models_dir)
    return subprocess.run([sys.executable, "-m", "digits_core", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)


def last_json(output: str):
    return json.loads(output.strip().splitlines()[-1])


def run_main(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def trained_store(tmp_path_factory):
    """A store holding one model trained and saved by the real command line."""
    root = tmp_path_factory.mktemp("cli-models")
    done = run_module("train", *TINY, "--save", "cli-tiny", "--json", models_dir=root)
    assert done.returncode == 0, done.stderr
    return root, last_json(done.stdout)


@pytest.fixture
def cli_store(trained_store, monkeypatch):
    root, _ = trained_store
    monkeypatch.setenv(MODELS_ENV, str(root))
    return root


def test_presets_json():
    done = run_module("presets", "--json")
    assert done.returncode == 0, done.stderr
    rows = last_json(done.stdout)
    assert [row["name"] for row in rows] == list(PRESETS)
    for row in rows:
        assert set(row) == {"name", "description", "params"}
        assert row["description"] == PRESETS[row["name"]].description
        assert row["params"] == json.loads(PRESETS[row["name"]].spec.to_json())


def test_presets_text(capsys):
    code, out, _ = run_main(capsys, "presets")
    assert code == 0 and len(out.strip().splitlines()) == len(PRESETS) and "cnn-fast" in out


def test_train_json_and_save(trained_store):
    root, summary = trained_store
    assert set(summary) == {"preset", "epochs", "test_accuracy", "test_loss", "train_seconds", "test_seconds",
                            "saved_as"}
    assert summary["preset"] == "dense-128x2" and summary["epochs"] == 1 and summary["saved_as"] == "cli-tiny"
    assert 0.5 < summary["test_accuracy"] <= 1 and summary["test_loss"] > 0 and summary["train_seconds"] > 0
    assert sorted(p.name for p in root.iterdir()) == ["cli-tiny.json", "cli-tiny.keras", "cli-tiny.test.npy",
                                                      "cli-tiny.tflite"]
    meta = json.loads((root / "cli-tiny.json").read_text())
    assert meta["train_samples"] == 3000 and meta["spec"]["epochs"] == 1 and not meta["shipped"]


def test_train_without_save(capsys, store):
    code, out, _ = run_main(capsys, "train", "--preset", "dense-128x2", "--limit", "300", "--epochs", "1",
                            "--batch-size", "100", "--json")
    summary = last_json(out)
    assert code == 0 and summary["saved_as"] is None and "epoch 1:" in out
    assert not store.root.exists()


def test_evaluate(capsys, cli_store, trained_store):
    code, out, _ = run_main(capsys, "evaluate", "--model", "cli-tiny", "--json")
    result = last_json(out)
    assert code == 0 and result["model"] == "cli-tiny"
    assert result["test_accuracy"] == pytest.approx(trained_store[1]["test_accuracy"])
    confusion = np.array(result["confusion_matrix"])
    assert confusion.shape == (10, 10) and confusion.sum() == 10000
    assert [row["digit"] for row in result["per_class"]] == list(range(10))


def test_export_lite_rebuilds_the_light_files(capsys, cli_store):
    files = [cli_store / f"cli-tiny{suffix}" for suffix in (".tflite", ".test.npy")]
    before = [path.read_bytes() for path in files]
    for path in files:
        path.unlink()
    code, out, _ = run_main(capsys, "export-lite", "cli-tiny", "--json")
    assert code == 0 and last_json(out) == {"model": "cli-tiny", "files": ["cli-tiny.tflite", "cli-tiny.test.npy"]}
    assert files[0].read_bytes() == before[0]  # the conversion is deterministic
    np.testing.assert_array_equal(np.load(files[1]), np.load(io.BytesIO(before[1])))
    code, _, err = run_main(capsys, "export-lite", "ghost")
    assert code == 2 and "no model named 'ghost'" in err


def _digit_png(image: np.ndarray, path: Path) -> Path:
    buffer = io.BytesIO()
    Image.fromarray(255 - image).resize((140, 140)).save(buffer, format="PNG")  # dark ink on white paper
    path.write_bytes(buffer.getvalue())
    return path


def test_predict_keeps_order_and_reports_bad_files(capsys, cli_store, mnist, tmp_path):
    first = _digit_png(mnist.x_test[0], tmp_path / "seven.png")
    broken = tmp_path / "broken.png"
    broken.write_text("not a picture")
    blank = tmp_path / "blank.png"
    Image.new("L", (50, 50), 255).save(blank)
    second = _digit_png(mnist.x_test[1], tmp_path / "two.png")
    files = [first, broken, tmp_path / "missing.png", blank, second]
    code, out, _ = run_main(capsys, "predict", "--model", "cli-tiny", "--json", *map(str, files))
    rows = last_json(out)
    assert code == 0 and [row["file"] for row in rows] == list(map(str, files))
    assert [("error" in row) for row in rows] == [False, True, True, True, False]
    assert "not an image" in rows[1]["error"] and "nothing drawn" in rows[3]["error"]
    assert rows[0]["digit"] == 7 and rows[4]["digit"] == 2
    assert sum(rows[0]["probabilities"]) == pytest.approx(1, abs=1e-4)


def test_predict_text(capsys, cli_store, mnist, tmp_path):
    png = _digit_png(mnist.x_test[0], tmp_path / "seven.png")
    code, out, _ = run_main(capsys, "predict", "--model", "cli-tiny", str(png))
    assert code == 0 and out.strip().startswith(f"{png}: 7 (")


def test_models(capsys, cli_store):
    code, out, _ = run_main(capsys, "models", "--json")
    rows = last_json(out)
    assert code == 0 and [row["name"] for row in rows] == ["cli-tiny"]
    assert rows[0]["preset"] == "dense-128x2" and not rows[0]["shipped"] and rows[0]["created_at"]


def test_cross_validation(capsys):
    code, out, _ = run_main(capsys, "cv", "--preset", "dense-128x2", "--folds", "2", "--limit", "600",
                            "--epochs", "1", "--json")
    result = last_json(out)
    assert code == 0 and result["folds"] == 2 and len(result["fold_accuracies"]) == 2
    assert result["mean"] == pytest.approx(np.mean(result["fold_accuracies"]))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--preset", "dense-128x2", "--epochs", "0"], "epochs"),
        (["train", *TINY, "--save", "../x"], "invalid model name"),
        (["train", *TINY, "--save", ""], "invalid model name"),
        (["train", *TINY[:2], "--limit", "0"], "limit"),
        (["evaluate", "--model", "ghost"], "no model named 'ghost'"),
        (["predict", "--model", "ghost", "x.png"], "no model named 'ghost'"),
        (["evaluate", "--model", "../etc/passwd"], "invalid model name"),
        (["cv", "--preset", "dense-128x2", "--folds", "1"], "folds"),
        (["cv", "--preset", "dense-128x2", "--epochs", "0"], "epochs"),
    ],
)
def test_bad_input_one_line_error(capsys, store, args, message):
    code, out, err = run_main(capsys, *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ") and message in err
    assert not store.root.exists()


def test_train_refuses_a_shipped_name_before_training(capsys, store, tiny_model):
    store.save("default", tiny_model, {"test_accuracy": 0.9}, shipped=True)
    code, out, err = run_main(capsys, "train", *TINY, "--save", "default")
    assert code == 2 and err.strip() == "error: 'default' is a shipped model and read-only: save under another name"
    assert "epoch 1" not in out  # refused up front, not after the training it would throw away
    assert store.info("default").test_accuracy == 0.9


@pytest.mark.parametrize(
    "args",
    [["train", "--preset", "cnn-huge"], ["train", "--preset", "cnn-fast", "--epochs", "two"], ["frobnicate"], []],
)
def test_bad_arguments_one_line_error(capsys, args):
    with pytest.raises(SystemExit) as info:
        main(args)
    _, err = capsys.readouterr()
    assert info.value.code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")


def test_a_bug_is_not_reported_as_bad_input(capsys, monkeypatch):
    """Only the project's own exceptions mean bad input; a KeyError from a bug keeps its traceback."""
    def broken(self):
        raise KeyError("a bug, not the user's input")

    monkeypatch.setattr(ModelStore, "list", broken)
    with pytest.raises(KeyError, match="a bug"):
        main(["models"])
    assert capsys.readouterr().err == ""


def test_bad_input_in_a_subprocess(tmp_path):
    done = run_module("train", "--preset", "nope", models_dir=tmp_path)
    assert done.returncode == 2 and done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert "invalid choice: 'nope'" in done.stderr
    done = run_module("evaluate", "--model", "ghost", models_dir=tmp_path)
    assert done.returncode == 2 and done.stderr.strip() == f"error: no model named 'ghost' in {tmp_path}"
