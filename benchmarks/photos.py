"""Photos of paper read like the canvas: accuracy of a model on digits photographed, drawn thin and drawn thick.

Each digit of MNIST's test set is rendered three ways and read with each preprocessing: the
photo (tests/photos.py: pen on paper, uneven light, a shadow, the table, tilt, noise, JPEG),
a thin-pen drawing on a 280 px canvas (white on black) and a canvas drawing at MNIST's own
stroke width. "before" is the one global background of the canvas path, "+ digit found" adds
the photo's local paper light and the choice of the digit's marks, "+ thickened" widens thin
strokes too (the app's path). The canvas row must not move.

    python -m benchmarks.photos                # 200 digits, the shipped default model
    python -m benchmarks.photos --quick        # 20 digits
    python -m benchmarks.photos --count 500 --model my-model --json
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from PIL import Image

from digits_core import load_mnist
from digits_core.predictor import Predictor
from digits_core.preprocess import ImageError, to_mnist
from tests.photos import Look, photo

SETTINGS = {"before": dict(find_digit=False, thicken=False), "+ digit found": dict(find_digit=True, thicken=False),
            "+ thickened (app)": dict(find_digit=True, thicken=True)}


def canvas(digit: np.ndarray, pen: str) -> np.ndarray:
    """The digit drawn on a 280 px black canvas, in white: MNIST's stroke width, or a thin pen's."""
    big = np.asarray(Image.fromarray(digit).resize((280, 280), Image.Resampling.LANCZOS))
    return (big > (240 if pen == "thin" else 128)).astype(np.uint8) * 255


def sources(digit: np.ndarray, seed: int) -> dict[str, object]:
    return {"photo of paper": photo(digit, seed), "photo, marker pen": photo(digit, seed, Look(pen="marker")),
            "canvas, thin pen": canvas(digit, "thin"), "canvas": canvas(digit, "thick")}


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
    parser.add_argument("--count", type=int, default=200, help="digits of the test set (the first ones)")
    parser.add_argument("--model", help="stored model (default: the shipped default model)")
    parser.add_argument("--quick", action="store_true", help="20 digits")
    parser.add_argument("--json", action="store_true", help="a JSON line after the table")
    args = parser.parse_args()
    count = 20 if args.quick else args.count
    data = load_mnist()
    reader = Predictor.load(args.model)
    labels = data.y_test[:count]
    made = [sources(digit, seed) for seed, digit in enumerate(data.x_test[:count])]
    figures = {kind: {name: accuracy(reader, [m[kind] for m in made], labels, settings)
                      for name, settings in SETTINGS.items()} for kind in made[0]}
    print(f"{count} test digits, model {reader.name}\n")
    print("| source | " + " | ".join(SETTINGS) + " |")
    print("|---" * (len(SETTINGS) + 1) + "|")
    for kind, row in figures.items():
        print(f"| {kind} | " + " | ".join(f"{value:.1%}" for value in row.values()) + " |")
    if args.json:
        print(json.dumps({"count": count, "model": reader.name, "accuracy": figures}))


if __name__ == "__main__":
    main()
