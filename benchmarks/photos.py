"""Photos of paper read like the canvas: accuracy of a model on digits photographed, drawn, enlarged and cropped.

Each digit of MNIST's test set is rendered several ways and read with each preprocessing: the
photo (tests/photos.py: pen on paper, uneven light, a shadow, the table, tilt, noise, JPEG),
a thin-pen drawing on a 280 px canvas (white on black), a canvas drawing at MNIST's own
stroke width, one drawn as large as the canvas (it touches the canvas's edges), and the digit
cropped tightly to its ink, in either polarity (tests/drawings.py). scikit-learn's 8x8 digits,
enlarged to 112 px with bilinear filtering, are low-resolution digits of other writers.
"before" is the one global background of the canvas path, "+ digit found" adds the photo's
local paper light and the choice of the digit's marks where a picture is taken for a photo,
"+ thickened" widens thin strokes too (the app's path). Rows that are no photos must not move.

    python -m benchmarks.photos                # 200 digits of each set, the shipped default model
    python -m benchmarks.photos --quick        # 20 digits
    python -m benchmarks.photos --count 1797 --model my-model --json
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from sklearn.datasets import load_digits

from digits_core import load_mnist
from digits_core.predictor import Predictor
from digits_core.preprocess import ImageError, to_mnist
from tests.drawings import canvas, edge_to_edge, low_resolution, rgba, tight_crop
from tests.photos import Look, photo

SETTINGS = {"before": dict(find_digit=False, thicken=False), "+ digit found": dict(find_digit=True, thicken=False),
            "+ thickened (app)": dict(find_digit=True, thicken=True)}


def sources(digit: np.ndarray, seed: int) -> dict[str, object]:
    """The MNIST `digit` as each kind of picture."""
    crop = tight_crop(digit)
    return {"photo of paper": photo(digit, seed), "photo, marker pen": photo(digit, seed, Look(pen="marker")),
            "canvas, thin pen": canvas(digit, "thin"), "canvas": canvas(digit, "thick"),
            "canvas to its edges": rgba(edge_to_edge(digit)), "tight crop": crop,
            "tight crop, dark on light": 255 - crop}


def low_resolution_kinds(count: int) -> dict[str, tuple[list[np.ndarray], np.ndarray]]:
    """scikit-learn's first `count` 8x8 digits enlarged to 112 px, in either polarity, with their labels."""
    digits = load_digits()
    enlarged = [low_resolution(digit) for digit in digits.images[:count]]
    return {"8x8 digit enlarged": (enlarged, digits.target[:count]),
            "8x8 digit enlarged, dark on light": ([255 - image for image in enlarged], digits.target[:count])}


def accuracy(reader: Predictor, images: list[object], labels: np.ndarray, settings: dict) -> float:
    """Share read right; an image in which nothing is found counts as wrong."""
    read = []
    for image in images:
        try:
            read.append(to_mnist(image, **settings).image)
        except ImageError:
            read.append(np.zeros((28, 28), np.uint8))
    return float(np.mean(reader.probabilities(np.stack(read)).argmax(axis=1) == labels))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="digits of each set (the first ones)")
    parser.add_argument("--model", help="stored model (default: the shipped default model)")
    parser.add_argument("--quick", action="store_true", help="20 digits")
    parser.add_argument("--json", action="store_true", help="a JSON line after the table")
    args = parser.parse_args()
    count = 20 if args.quick else args.count
    data = load_mnist()
    reader = Predictor.load(args.model)
    made = [sources(digit, seed) for seed, digit in enumerate(data.x_test[:count])]
    kinds = {kind: ([m[kind] for m in made], data.y_test[:count]) for kind in made[0]} | low_resolution_kinds(count)
    figures = {kind: {name: accuracy(reader, images, labels, settings) for name, settings in SETTINGS.items()}
               for kind, (images, labels) in kinds.items()}
    enlarged = len(kinds["8x8 digit enlarged"][1])
    print(f"{count} MNIST test digits and {enlarged} of scikit-learn's 8x8 digits, model {reader.name}\n")
    print("| source | " + " | ".join(SETTINGS) + " |")
    print("|---" * (len(SETTINGS) + 1) + "|")
    for kind, row in figures.items():
        print(f"| {kind} | " + " | ".join(f"{value:.1%}" for value in row.values()) + " |")
    if args.json:
        print(json.dumps({"count": count, "model": reader.name, "accuracy": figures}))


if __name__ == "__main__":
    main()
