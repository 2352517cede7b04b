"""ui.plots: reading a click on the confusion-matrix chart back as its cell."""

from __future__ import annotations

import numpy as np
import pytest

from ui.plots import cell_from_point, confusion_figure


@pytest.mark.parametrize(
    ("point", "cell"),
    [
        ({"x": 5, "y": 3}, (3, 5)),
        ({"x": 5.0, "y": 3.0}, (3, 5)),
        ({"x": "2", "y": "7"}, (7, 2)),
        ({"x": 0, "y": 9, "z": 12}, (9, 0)),
        ({"x": 5}, None),
        ({}, None),
        (None, None),
        ({"x": 10, "y": 3}, None),
        ({"x": -1, "y": 3}, None),
        ({"x": "five", "y": 3}, None),
        ({"x": float("nan"), "y": 3}, None),
        ({"x": float("inf"), "y": 3}, None),
        ({"x": 9.4, "y": 0.2}, (0, 9)),
        ("x=3", None),
        ([3, 5], None),
    ],
)
def test_cell_from_point(point, cell):
    assert cell_from_point(point) == cell


def test_every_marker_of_the_chart_decodes_to_its_own_cell():
    confusion = np.arange(100).reshape(10, 10)
    markers = confusion_figure(confusion).data[1]
    for x, y, count in zip(markers.x, markers.y, markers.customdata):
        true, predicted = cell_from_point({"x": x, "y": y})
        assert confusion[true, predicted] == count
