"""Number boxes that show their limits and never keep an old value silently.

Streamlit's own min_value/max_value leave an out-of-range number red in the browser while the old
value stays in force, unseen by the script. These boxes take any number and bring one outside
the limits to the nearest limit, with a message under the box.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

CLAMPED = "clamped_numbers"  # box key -> the message saying what was changed, shown once


def bounded_number(where: Any, label: str, low: float, high: float, value: float, key: str, *, help: str = "",
                   **options: Any) -> float:
    """A number box for `low`..`high` starting at `value`; a number outside is set to the nearest limit, visibly."""
    st.session_state.setdefault(key, value)
    if isinstance(value, int):
        options.setdefault("step", 1)
    number = where.number_input(label, value=None, key=key, on_change=_clamp, args=(key, label, low, high, value),
                                placeholder=f"{low:,g} to {high:,g}", help=f"{help} Allowed: {low:,g} to {high:,g}.",
                                **options)
    message = st.session_state.get(CLAMPED, {}).pop(key, None)
    if message:
        where.warning(message, icon=":material/warning:")
    return number


def _clamp(key: str, label: str, low: float, high: float, default: float) -> None:
    number = st.session_state[key]
    if number is None:
        fixed, why = default, "was left empty"
    elif number < low:
        fixed, why = low, f"{number:,g} is below the lowest allowed, {low:,g}"
    elif number > high:
        fixed, why = high, f"{number:,g} is above the highest allowed, {high:,g}"
    else:
        return
    st.session_state[key] = fixed
    st.session_state.setdefault(CLAMPED, {})[key] = f"{label}: {why}, so it is set to {fixed:,g}."
