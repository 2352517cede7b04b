"""cross_validate(): per-fold accuracy and history, mean and std, and refusal of silly fold counts."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from digits_core import SpecError, get_preset
from digits_core.crossval import cross_validate

SPEC = get_preset("dense-128x2").spec.with_changes(epochs=1)


@pytest.mark.parametrize("folds", [2, 3])
def test_folds(mnist, folds):
    result = cross_validate(SPEC, mnist.subset(1200), folds=folds)
    assert len(result.fold_accuracies) == folds and len(result.histories) == folds
    assert not result.stopped
    assert all(0.5 < accuracy <= 1 for accuracy in result.fold_accuracies)
    assert all(len(history) == 1 and history[0]["epoch"] == 1 for history in result.histories)
    assert result.mean == pytest.approx(np.mean(result.fold_accuracies))
    assert result.std == pytest.approx(np.std(result.fold_accuracies))


@pytest.mark.parametrize("folds", [0, 1, 11, -3])
def test_invalid_folds(mnist, folds):
    with pytest.raises(SpecError, match="folds"):
        cross_validate(SPEC, mnist.subset(100), folds=folds)


def test_more_folds_than_images_refused(mnist):
    with pytest.raises(SpecError, match="5 folds need at least 5 training images, got 3"):
        cross_validate(SPEC, mnist.subset(3), folds=5)


def test_stop_ends_after_the_current_fold(mnist):
    stop = threading.Event()
    stop.set()
    result = cross_validate(SPEC, mnist.subset(600), folds=3, stop=stop)
    assert result.stopped and len(result.fold_accuracies) == 1
