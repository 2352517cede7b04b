"""`python -m digits_core explain`: the JSON the issue specifies, errors per file, and the PNGs of --out."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image

from digits_core.cli import main

KEYS = {"file", "digit", "probabilities", "image", "layers", "saliency", "nearest"}


def test_explain_json_and_pictures(capsys, tmp_path, mnist):
    digit = tmp_path / "two.png"
    Image.fromarray(np.kron(mnist.x_test[1], np.ones((4, 4), np.uint8))).save(digit)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    out = tmp_path / "out"
    code = main(["explain", str(digit), str(broken), str(tmp_path / "missing.png"), "--json", "--out", str(out)])
    rows = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and [row["file"] for row in rows] == [str(digit), str(broken), str(tmp_path / "missing.png")]
    row = rows[0]
    assert set(row) == KEYS and row["digit"] == mnist.y_test[1] == 2
    assert len(row["probabilities"]) == 10 and abs(sum(row["probabilities"]) - 1) < 1e-4
    image, saliency = np.array(row["image"]), np.array(row["saliency"])
    assert image.shape == saliency.shape == (28, 28) and image.dtype.kind == "i" and image.max() == 255
    assert saliency.min() >= 0 and saliency.max() > 0
    assert [layer["name"] for layer in row["layers"]][:3] == ["conv1", "conv1_bn", "conv1_relu"]
    assert row["layers"][0]["kind"] == "conv" and row["layers"][0]["shape"] == [24, 24, 32]
    assert row["layers"][-1] == {"name": "probabilities", "kind": "output", "shape": [10]}
    assert len(row["nearest"]) == 8 and set(row["nearest"][0]) == {"index", "label", "distance"}
    assert sum(n["label"] == 2 for n in row["nearest"]) >= 6
    assert set(rows[1]) == set(rows[2]) == {"file", "error"} and "not an image" in rows[1]["error"]
    written = sorted(p.name for p in out.iterdir())
    assert written == ["two.conv1_relu.png", "two.conv2_relu.png", "two.conv3_relu.png", "two.grad-cam.png",
                       "two.saliency.png"]
    assert Image.open(out / "two.saliency.png").size == (280, 280)


def test_explain_text_and_a_dense_model(capsys, store, tiny_training, tmp_path, mnist):
    store.save("dense", tiny_training.model, {})
    digit = tmp_path / "seven.png"
    Image.fromarray(mnist.x_test[0]).save(digit)
    code = main(["explain", "--model", "dense", str(digit), "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith(f"{digit}: 7 (") and "nearest training images: #" in out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "seven.dense1_relu.png", "seven.dense2_relu.png", "seven.saliency.png"]


def test_explain_unknown_model(capsys, store, tmp_path):
    assert main(["explain", "--model", "nope", str(tmp_path / "a.png")]) == 2
    assert "no model named 'nope'" in capsys.readouterr().err
