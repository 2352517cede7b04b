"""Compiled networks kept between runs: a lent network trains exactly as a new one, for any seed and length."""

import numpy as np

from digits_core import get_preset
from digits_core.compiled import CompiledModels
from digits_core.training import train

# Dropout, augmentation and batch norm: every kind of weight and random state a network has.
SPEC = get_preset("cnn-fast").spec.with_changes(batch_size=64, epochs=2, validation_split=0.1)


def test_a_kept_network_trains_the_same_weights_as_a_new_one(mnist):
    models = CompiledModels()
    with models.lend(SPEC, seed=7) as compiled:  # another seed, another length: the network is used first
        train(SPEC.with_changes(epochs=1), mnist.subset(900), seed=7, compiled=compiled)
        traced = compiled.model.train_function
    new = train(SPEC, mnist.subset(600), seed=3)
    with models.lend(SPEC, seed=3) as compiled:
        kept = train(SPEC, mnist.subset(600), seed=3, compiled=compiled)
        assert compiled.model.train_function is traced  # the same traced step: no new trace
        for mine, reference in zip(kept.model.get_weights(), new.model.get_weights(), strict=True):
            np.testing.assert_array_equal(mine, reference)
    for key in ("loss", "val_loss", "learning_rate"):
        assert [record[key] for record in kept.history] == [record[key] for record in new.history]
    assert kept.test_accuracy == new.test_accuracy


def test_the_schedule_follows_each_runs_length(mnist):
    spec = get_preset("dense-128x2").spec.with_changes(schedule="one-cycle", learning_rate=0.01, batch_size=32)
    models = CompiledModels()
    for samples, epochs in ((3200, 1), (640, 2)):
        with models.lend(spec) as compiled:
            result = train(spec.with_changes(epochs=epochs), mnist.subset(samples), compiled=compiled)
        assert result.history[-1]["learning_rate"] < 0.001  # the one cycle ends low whatever the run's length


def test_one_network_is_lent_to_one_run_at_a_time_and_a_few_are_kept():
    models = CompiledModels(size=2)
    spec = get_preset("dense-128x2").spec
    with models.lend(spec) as first, models.lend(spec) as second:
        assert first is not second
    with models.lend(spec) as again:
        assert again in (first, second)
    for units in (8, 16):
        with models.lend(spec.with_changes(dense=[{"units": units}])):
            pass
    with models.lend(spec) as renewed:
        assert renewed not in (first, second)  # the two newer networks pushed it out
