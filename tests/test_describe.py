"""ui.describe: the words and tables that stand in for images and charts."""

from __future__ import annotations

import numpy as np

from ui.describe import (confusion_table, counts_summary, curves_summary, digit_alt, neighbourhood_summary,
                         probabilities_summary)


def test_digit_alt_says_what_the_image_shows():
    assert digit_alt(7, "from the test set", 1, 0.62) == "a handwritten 7 from the test set, read as 1 at 62%"
    assert digit_alt(3, "of the class", 3) == "a handwritten 3 of the class, read as 3"
    assert digit_alt(where="as the model saw it") == "a handwritten digit as the model saw it"


def test_probabilities_summary_names_the_digit_read_and_the_runners_up():
    probabilities = np.array([0.0, 0.30, 0.0, 0.0, 0.0, 0.0, 0.0, 0.62, 0.0, 0.08])
    assert probabilities_summary(probabilities) == "Read as 7 at 62%; then 1 at 30%, 9 at 8%."
    assert probabilities_summary(np.eye(10)[4]) == "Read as 4 at 100%; every other digit under 1%."


def test_curves_summary_reads_the_last_epoch():
    history = [{"epoch": 1, "loss": 0.5, "accuracy": 0.9, "val_loss": 0.4, "val_accuracy": 0.91},
               {"epoch": 2, "loss": 0.25, "accuracy": 0.95, "val_loss": 0.3, "val_accuracy": 0.94}]
    assert curves_summary(history) == ("After epoch 2: training accuracy 95.0% (loss 0.250), "
                                       "validation accuracy 94.0% (loss 0.300).")
    assert curves_summary(history[:1], "cnn-1").startswith("cnn-1, after epoch 1: training accuracy 90.0%")
    assert curves_summary([{"epoch": 1, "loss": 0.5, "accuracy": 0.9}]).endswith("(loss 0.500).")
    assert curves_summary([]) == "No finished epoch yet."


def test_confusion_table_has_a_row_per_true_digit_and_signed_differences():
    confusion = np.arange(100).reshape(10, 10) - 50
    table = confusion_table(confusion, signed=True)
    assert table.shape == (10, 10)
    assert table.loc["true 0", "read as 1"] == "-49" and table.loc["true 9", "read as 9"] == "+49"
    assert table.loc["true 5", "read as 0"] == "0"


def test_counts_and_neighbourhood_summaries(mnist):
    assert counts_summary(mnist.y_train, mnist.y_test) == (
        "Images per digit: the training set from 5,421 images of 5 to 6,742 of 1; "
        "the test set from 892 images of 5 to 1,135 of 1.")
    positions = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0], [5.0, 5.1]])
    labels = np.array([1, 1, 7, 7, 2])
    assert neighbourhood_summary(positions, labels, np.array([5.0, 5.0]), count=3) == (
        "On the map your digit lies among the 7s: 2 of the 3 test images nearest to it are labelled 7.")

