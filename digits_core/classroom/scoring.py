"""The class board's yardstick: a fixed fifth of the class's own digits held out, each post scored and ranked on it.

Which samples are held out depends on nothing but each sample's id (a hash), so the split
never moves as the collection grows, and fine-tuning, which trains on the rest, never sees
them. Scoring reads a post's LiteRT model: no TensorFlow in the server.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..compare import compare
from ..lite import LiteModel

HELD_OUT_EVERY = 5  # one sample in five is the board's
MIN_CLASS_DIGITS = 50  # below this many held-out digits, the board ranks by MNIST
LIKELY_LUCK = 0.05  # McNemar's p-value above which a lead "could be luck"


@functools.lru_cache(maxsize=1 << 16)  # a redraw of the board asks again for every sample of the collection
def held_out(sample_id: int | str) -> bool:
    """Whether a sample belongs to the board's held-out fifth: a hash of its id, the same on every server."""
    digest = hashlib.sha256(f"digits-board:{sample_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % HELD_OUT_EVERY == 0


def held_out_mask(sample_ids: Sequence[int | str]) -> np.ndarray:
    """A boolean mask over `sample_ids`: True for the board's held-out samples."""
    return np.fromiter((held_out(i) for i in sample_ids), bool, len(sample_ids))


@dataclass(frozen=True)
class ClassSet:
    """The held-out class digits the board scores on, and a version that changes whenever they change."""

    images: np.ndarray  # (N, 28, 28) uint8
    labels: np.ndarray  # (N,) uint8
    version: str  # a hash of the ids and labels: scores cached under it are recomputed when the set grows
    ids: tuple[str, ...] = ()  # the samples' ids, as text: a grown set's old digits need not be read again

    @classmethod
    def of(cls, sample_ids: Sequence[int | str], images: np.ndarray, labels: np.ndarray) -> ClassSet:
        """The held-out part of a collection given as ids, images and labels."""
        mask = held_out_mask(sample_ids)
        kept_ids = tuple(str(i) for i, keep in zip(sample_ids, mask) if keep)
        labels = np.asarray(labels, np.uint8)[mask]
        return cls(np.asarray(images, np.uint8)[mask].reshape(-1, 28, 28), labels, version_of(kept_ids, labels),
                   kept_ids)

    def __len__(self) -> int:
        return len(self.labels)


def version_of(held_out_ids: Sequence[int | str], labels: np.ndarray) -> str:
    """The version of a class set from its samples' ids and labels alone: whether its images need reading again."""
    text = ",".join(str(i) for i in held_out_ids) + "|"
    return hashlib.sha256(text.encode() + np.asarray(labels, np.uint8).tobytes()).hexdigest()[:16]


def class_probabilities(lite_bytes: bytes, class_set: ClassSet, name: str = "") -> np.ndarray:
    """A post's (N, 10) probabilities on the class set, read through LiteRT (LiteError for a model it cannot read)."""
    return LiteModel(lite_bytes, name).probabilities(class_set.images)


@dataclass(frozen=True)
class Standing:
    """One post's place on the board with its accuracy on the class set (None while there is no class set)."""

    place: int
    post_id: int
    mnist_accuracy: float
    class_accuracy: float | None


def rank(mnist_accuracy: dict[int, float], class_probabilities: dict[int, np.ndarray],
         labels: np.ndarray) -> tuple[list[Standing], str]:
    """Posts in order, best first, and what ranks them: class accuracy (MNIST breaks ties) once the class set
    has MIN_CLASS_DIGITS digits, MNIST accuracy before that. Equal scores share a place."""
    by_class = len(labels) >= MIN_CLASS_DIGITS
    scores = {post: (accuracy(class_probabilities[post], labels) if post in class_probabilities and len(labels)
                     else None) for post in mnist_accuracy}

    def key(post: int) -> tuple[float, float]:
        mnist = mnist_accuracy[post]
        return ((scores[post] if scores[post] is not None else -1.0), mnist) if by_class else (mnist, 0.0)

    order = sorted(mnist_accuracy, key=key, reverse=True)
    standings, place = [], 0
    for index, post in enumerate(order):
        if index == 0 or key(post) != key(order[index - 1]):
            place = index + 1
        standings.append(Standing(place, post, mnist_accuracy[post], scores[post]))
    what = (f"class accuracy on {len(labels):,} held-out class digits (MNIST breaks ties)" if by_class
            else f"MNIST test accuracy (the class set has {len(labels)} of the {MIN_CLASS_DIGITS} digits it needs)")
    return standings, what


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The share of `labels` the probabilities' top digit gets right."""
    return float(np.mean(np.asarray(probabilities).argmax(axis=1) == labels)) if len(labels) else 0.0


def lead_sentence(first: str, second: str, probabilities_first: np.ndarray, probabilities_second: np.ndarray,
                  labels: np.ndarray) -> str:
    """Whether the leader's lead on the class set is real, in one plain sentence (McNemar's exact test)."""
    comparison = compare(labels, probabilities_first, probabilities_second)
    only_first, only_second = comparison.only_a, comparison.only_b
    if only_first == only_second:
        return f"{first} and {second} get exactly as many class digits right: a tie."
    luck = ("could be luck" if comparison.p_value >= LIKELY_LUCK else "is very unlikely to be luck")
    return (f"{first}'s lead over {second} {luck}: of the class digits only one of them reads, {first} reads "
            f"{only_first} and {second} {only_second} (McNemar's exact test, p = {comparison.p_value:.2g}).")


def times_missed(class_probabilities: dict[int, np.ndarray], labels: np.ndarray) -> np.ndarray:
    """For each class digit, how many of the posts read it wrong."""
    wrong = np.zeros(len(labels), np.int64)
    for probabilities in class_probabilities.values():
        wrong += probabilities.argmax(axis=1) != labels
    return wrong


def most_missed(class_probabilities: dict[int, np.ndarray], labels: np.ndarray, count: int = 12) -> np.ndarray:
    """Indices of the class digits the most posts read wrong (ties: the lower index first), at most `count`."""
    wrong = times_missed(class_probabilities, labels)
    order = np.argsort(-wrong, kind="stable")
    return order[wrong[order] > 0][:count]
