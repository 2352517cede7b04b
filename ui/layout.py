"""Parts of a page side by side that go one under the other where the screen is too narrow for them.

st.columns keep their share of a row however narrow it gets (they stack only on a phone), so a table, a canvas or a
metric beside another is cut off on a tablet. Each part made here has a least width, set by ui/screens.css: with
less room it starts a new line and takes the whole width.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

LEAST_REM = (10, 20, 24)  # the least widths ui/screens.css has a rule for, in rem


def side_by_side(name: str, *least_rem: int, gap: str = "medium") -> list[Any]:
    """One container per least width (in rem, one of LEAST_REM) in a row; `name` makes their keys unique."""
    row = st.container(horizontal=True, gap=gap)
    return [row.container(key=_key(name, part, rem)) for part, rem in enumerate(least_rem)]


def fixed_and_beside(width_px: int, name: str, least_rem: int = 24, gap: str = "medium") -> tuple[Any, Any]:
    """A container `width_px` wide (a drawing pad, a form) and one beside it, which goes under the first where it
    would be narrower than `least_rem`."""
    row = st.container(horizontal=True, gap=gap)
    return row.container(width=width_px), row.container(key=_key(name, 1, least_rem))


def _key(name: str, part: int, least_rem: int) -> str:
    if least_rem not in LEAST_REM:
        raise ValueError(f"no least width of {least_rem} rem in ui/screens.css: use one of {LEAST_REM}")
    return f"least{least_rem}-{name}-{part}"
