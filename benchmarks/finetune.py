"""Fine-tuning to a class's handwriting: held-out class accuracy before and after, on a few hundred digits.

The "class" writes unlike MNIST (tests/photos.py's class_hand: a flagged 1, a crossed 7, a
backward lean) and is collected the way the app collects it: digits photographed on paper
(thin pen, uneven light, shadow, table, tilt, JPEG), read through the app's preprocessing
into the 28x28 images a correction stores, labelled with their true digit.
Test digits from 5000 on are used, so none is one the photo benchmark reads.

    python -m benchmarks.finetune                  # 400 digits, the shipped default model
    python -m benchmarks.finetune --count 100 --model my-model --json
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from digits_core import load_mnist
from digits_core.handwriting import LabelledSet
from digits_core.preprocess import ImageError, to_mnist
from digits_core.spec import ModelSpec
from digits_core.store import DEFAULT_MODEL, ModelStore
from tests.photos import class_hand, photo

FIRST = 5000


def class_digits(count: int) -> LabelledSet:
    """`count` test digits in the class's hand, photographed and stored as the app does (those in which no digit is
    found are left out)."""
    data = load_mnist()
    images, labels = [], []
    for index in range(FIRST, FIRST + count):
        try:
            images.append(to_mnist(photo(class_hand(data.x_test[index], data.y_test[index]), index)).image)
        except ImageError:
            continue
        labels.append(data.y_test[index])
    return LabelledSet(np.stack(images), np.array(labels, np.uint8))


def main() -> None:
    from digits_core.finetune import FinetuneSettings, finetune  # TensorFlow: not for class_digits' other callers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--epochs", type=int, default=FinetuneSettings.epochs)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    store = ModelStore()
    spec_data = store.info(args.model).meta.get("spec")
    digits = class_digits(args.count)
    started = time.perf_counter()
    result = finetune(store.load(args.model), spec_data and ModelSpec.from_dict(spec_data), load_mnist(), digits,
                      FinetuneSettings(epochs=args.epochs))
    seconds = time.perf_counter() - started
    before_test = store.info(args.model).test_accuracy
    print(f"{len(digits.y_test)} class digits (photos of the class hand), {result.held_out_count} held out, "
          f"model {args.model}\n")
    print("| measure | before | after |\n|---|---|---|")
    print(f"| held-out class digits | {result.held_out_before:.1%} | {result.held_out_after:.1%} |")
    print(f"| MNIST test set | {before_test:.2%} | {result.test_accuracy:.2%} |")
    print(f"\nfine-tune: {args.epochs} epoch(s), {seconds:.0f} s")
    if args.json:
        print(json.dumps({"digits": len(digits.y_test), "held_out": result.held_out_count,
                          "held_out_before": result.held_out_before, "held_out_after": result.held_out_after,
                          "test_before": before_test, "test_after": result.test_accuracy}))


if __name__ == "__main__":
    main()
