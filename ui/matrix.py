"""A confusion matrix on a page: the chart, its numbers as a table, and a cell picked with the mouse or the keyboard.

A click on the chart and the list under it set the same cell: the click writes the list's value (in the chart's
on_select callback, before the page runs), so a student without a mouse picks every cell a click can.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from . import charts
from .describe import confusion_table, table_behind
from .plots import confusion_figure, selected_cell

Cell = tuple[int, int]  # (true digit, digit read)


def show_confusion(confusion: np.ndarray, key: str, difference: bool = False, clickable: bool = True) -> None:
    """The chart (clicks go to pick_cell's list when `clickable`) and, folded under it, the matrix as a table."""
    figure = confusion_figure(confusion, difference)
    if clickable:
        charts.chart(figure, key=key, on_select=lambda: _take_click(key), selection_mode="points")
    else:
        charts.chart(figure, key=key)
    table_behind(confusion_table(confusion, signed=difference), "The matrix as a table")


def pick_cell(confusion: np.ndarray, key: str, first: Cell | None, difference: bool = False) -> Cell | None:
    """The cell clicked on the chart `key` or chosen in the list (largest counts first); `first` until either."""
    st.session_state.setdefault(_picked(key), first)
    return st.selectbox("Cell (or click one on the chart)", _cells_by_size(confusion), key=_picked(key),
                        format_func=lambda cell: _cell_label(cell, confusion, difference),
                        placeholder="Click a cell on the chart, or choose one here")


def _cells_by_size(confusion: np.ndarray) -> list[Cell]:
    """Every cell, the mistakes before the diagonal, each part largest (by absolute value) first."""
    cells = [(true, read) for true in range(10) for read in range(10)]
    return sorted(cells, key=lambda cell: (cell[0] == cell[1], -abs(int(confusion[cell]))))


def _cell_label(cell: Cell, confusion: np.ndarray, difference: bool) -> str:
    count = int(confusion[cell])
    return f"true {cell[0]}, read as {cell[1]}: {count:+,d}" if difference else \
        f"true {cell[0]}, read as {cell[1]}: {count:,} image(s)"


def _picked(key: str) -> str:
    return f"{key}-cell"


def _take_click(key: str) -> None:
    """on_select of the chart: the clicked cell becomes the list's value."""
    cell = selected_cell(st.session_state.get(key))
    if cell is not None:
        st.session_state[_picked(key)] = cell
