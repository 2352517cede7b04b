"""Two models on the same test images: what each gets right that the other gets wrong, and whether that is luck."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .evaluation import confusion_matrix, per_class_table

SIGNIFICANCE = 0.05
VERY_UNLIKELY = 0.001


def luck(p_value: float) -> str:
    """Whether a lead with McNemar's `p_value` looks like luck, in words a 14-year-old reads first."""
    if p_value < VERY_UNLIKELY:
        return "Very unlikely to be luck"
    return "Unlikely to be luck" if p_value < SIGNIFICANCE else "Could well be luck"


@dataclass(frozen=True)
class Comparison:
    """Model A against model B on one labelled set: the 2x2 right/wrong table, McNemar's p-value and the details."""

    labels: np.ndarray  # (N,) true digits
    predicted_a: np.ndarray  # (N,) A's digits
    predicted_b: np.ndarray
    confidence_a: np.ndarray  # (N,) A's probability of its own answer
    confidence_b: np.ndarray
    both_right: int
    only_a: int  # A right, B wrong
    only_b: int
    both_wrong: int
    p_value: float  # McNemar's exact test: two-sided binomial on only_a against only_b

    @property
    def accuracy_a(self) -> float:
        return (self.both_right + self.only_a) / len(self.labels)

    @property
    def accuracy_b(self) -> float:
        return (self.both_right + self.only_b) / len(self.labels)

    @property
    def disagree(self) -> np.ndarray:
        """Indices of the images on which the two models read different digits."""
        return np.flatnonzero(self.predicted_a != self.predicted_b)

    @property
    def a_right_b_wrong(self) -> np.ndarray:
        """Indices where only A is right, B's most confident mistakes first."""
        return self._by_confidence((self.predicted_a == self.labels) & (self.predicted_b != self.labels),
                                   self.confidence_b)

    @property
    def b_right_a_wrong(self) -> np.ndarray:
        return self._by_confidence((self.predicted_b == self.labels) & (self.predicted_a != self.labels),
                                   self.confidence_a)

    @property
    def confusion_delta(self) -> np.ndarray:
        """B's confusion matrix minus A's (rows true, columns predicted): positive where B puts more images."""
        return confusion_matrix(self.labels, self.predicted_b) - confusion_matrix(self.labels, self.predicted_a)

    @property
    def recall_delta(self) -> np.ndarray:
        """B's recall minus A's for each digit 0..9."""
        return recall(self.labels, self.predicted_b) - recall(self.labels, self.predicted_a)

    def cell_split(self, true: int, predicted: int) -> tuple[np.ndarray, np.ndarray]:
        """Images of one confusion cell that only A puts there, and those only B puts there, most confident first."""
        in_a = (self.labels == true) & (self.predicted_a == predicted)
        in_b = (self.labels == true) & (self.predicted_b == predicted)
        return (self._by_confidence(in_a & ~in_b, self.confidence_a),
                self._by_confidence(in_b & ~in_a, self.confidence_b))

    def verdict(self, a: str, b: str) -> str:
        """Plain sentences on whether the better model's lead is luck on these images: the words first, p second."""
        images = f"these {len(self.labels):,} images"
        if self.only_a == self.only_b:
            return f"{a} and {b} are right on exactly as many of {images}: neither leads."
        (leader, ahead), (other, behind) = sorted([(a, self.only_a), (b, self.only_b)], key=lambda x: -x[1])
        return (f"{luck(self.p_value)} (p = {self.p_value:.1g}). Of {images}, {leader} reads {ahead} right that "
                f"{other} gets wrong, and {other} only {behind} the other way round (McNemar's exact test).")

    def summary(self) -> dict[str, Any]:
        """The counts, accuracies and p-value as plain numbers (the CLI's JSON)."""
        return {"accuracy_a": self.accuracy_a, "accuracy_b": self.accuracy_b, "both_right": self.both_right,
                "only_a": self.only_a, "only_b": self.only_b, "both_wrong": self.both_wrong,
                "disagree": int(len(self.disagree)), "p_value": self.p_value}

    @staticmethod
    def _by_confidence(mask: np.ndarray, confidence: np.ndarray) -> np.ndarray:
        indices = np.flatnonzero(mask)
        return indices[np.argsort(-confidence[indices], kind="stable")]


def compare(labels: np.ndarray, probabilities_a: np.ndarray, probabilities_b: np.ndarray) -> Comparison:
    """Compare two models from their (N, 10) probabilities on the images whose true digits are `labels`."""
    labels = np.asarray(labels)
    if probabilities_a.shape != probabilities_b.shape or probabilities_a.shape != (len(labels), 10):
        raise ValueError(f"probabilities of shapes {probabilities_a.shape} and {probabilities_b.shape} "
                         f"do not match {len(labels)} labels")
    predicted_a, predicted_b = probabilities_a.argmax(axis=1), probabilities_b.argmax(axis=1)
    right_a, right_b = predicted_a == labels, predicted_b == labels
    only_a, only_b = int(np.sum(right_a & ~right_b)), int(np.sum(right_b & ~right_a))
    rows = np.arange(len(labels))
    return Comparison(
        labels, predicted_a, predicted_b, probabilities_a[rows, predicted_a], probabilities_b[rows, predicted_b],
        both_right=int(np.sum(right_a & right_b)), only_a=only_a, only_b=only_b,
        both_wrong=int(np.sum(~right_a & ~right_b)), p_value=mcnemar_exact(only_a, only_b),
    )


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """McNemar's exact p-value: how likely a split this uneven of the discordant images is if both are as good.

    The two-sided binomial test at one half, scipy.stats.binomtest's p-value, summed exactly in integers: twice the
    share of the 2**n splits of the n discordant images that are at least as uneven one way, at most 1. Imported
    for this alone, scipy.stats took the server 59 MB, scipy.special 14."""
    discordant, fewer = only_a + only_b, min(only_a, only_b)
    ways = term = 1  # splits with 0, 1, ... `fewer` images on the smaller side: comb(discordant, i), one by one
    for i in range(fewer):
        term = term * (discordant - i) // (i + 1)
        ways += term
    return min(1.0, 2 * ways / 2**discordant)


def recall(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """The share of each digit's images read correctly, digits 0..9."""
    return per_class_table(confusion_matrix(labels, predicted))["recall"].to_numpy()
