"""Words for what the images and charts show: alt texts, short summaries and the numbers behind a chart as a table,
so a screen reader gets the facts a sighted student reads off the picture."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import streamlit as st

if TYPE_CHECKING:
    import pandas as pd


def table_behind(frame: pd.DataFrame, label: str = "The numbers behind the chart") -> None:
    """A chart's numbers as a plain HTML table (a screen reader's way through them), folded away under the chart."""
    with st.expander(label):
        st.table(frame)


def digit_alt(label: object = None, where: str = "", read: int | None = None, confidence: float | None = None) -> str:
    """An image's alt text: "a handwritten 7 from the test set, read as 1 at 62%" (label unknown: "a handwritten
    digit"; nothing read: no second part)."""
    text = " ".join(["a handwritten", "digit" if label is None else str(label), where]).strip()
    if read is not None:
        text += f", read as {read}" + ("" if confidence is None else f" at {confidence:.0%}")
    return text


def probabilities_summary(probabilities: np.ndarray) -> str:
    """The ten probabilities in a sentence: the digit read and the runners-up of 1% or more."""
    first, *rest = (int(d) for d in np.argsort(-np.asarray(probabilities), kind="stable"))
    others = [f"{d} at {probabilities[d]:.0%}" for d in rest[:3] if probabilities[d] >= 0.01]
    after = f"; then {', '.join(others)}" if others else "; every other digit under 1%"
    return f"Read as {first} at {probabilities[first]:.0%}{after}."


def curves_summary(history: Sequence[dict[str, Any]], name: str = "") -> str:
    """A learning curve's last epoch in words: accuracy and loss on the training and validation data."""
    if not history:
        return f"{name}: no finished epoch yet." if name else "No finished epoch yet."
    last = history[-1]
    parts = [f"{what} accuracy {last[prefix + 'accuracy']:.1%} (loss {last[prefix + 'loss']:.3f})"
             for what, prefix in (("training", ""), ("validation", "val_"))
             if last.get(prefix + "accuracy") is not None and not np.isnan(last[prefix + "accuracy"])]
    epoch = last.get("epoch", len(history))
    start = f"{name}, after epoch {epoch}" if name else f"After epoch {epoch}"
    return f"{start}: {', '.join(parts) or 'no accuracy recorded'}."


def confusion_table(confusion: np.ndarray, signed: bool = False) -> pd.DataFrame:
    """The confusion matrix as a table: a row per true digit, a column per digit read (`signed`: "+3" and "-2")."""
    import pandas as pd

    cells = [[f"{n:+d}" if signed and n else f"{n:d}" for n in row] for row in np.asarray(confusion, dtype=int)]
    return pd.DataFrame(cells, index=[f"true {d}" for d in range(10)], columns=[f"read as {d}" for d in range(10)])


def counts_summary(train_labels: np.ndarray, test_labels: np.ndarray) -> str:
    """How many images each set holds per digit, in a sentence: the rarest and the commonest digit."""
    parts = []
    for name, labels in (("training", train_labels), ("test", test_labels)):
        counts = np.bincount(labels, minlength=10)
        low, high = int(counts.argmin()), int(counts.argmax())
        parts.append(f"the {name} set from {counts[low]:,} images of {low} to {counts[high]:,} of {high}")
    return f"Images per digit: {'; '.join(parts)}."


def neighbourhood_summary(positions: np.ndarray, labels: np.ndarray, star: np.ndarray, count: int = 25) -> str:
    """Where a point sits on a map of labelled points: the commonest digit among its `count` nearest."""
    nearest = labels[np.argsort(np.linalg.norm(positions - star, axis=1))[:count]]
    digit = int(np.bincount(nearest, minlength=10).argmax())
    return (f"On the map your digit lies among the {digit}s: {int(np.sum(nearest == digit))} of the {len(nearest)} "
            "test images nearest to it are labelled " + str(digit) + ".")
