"""Explore: browse the images, look at one closely, and see the dataset's shape and balance."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from digits_core.preprocess import upscale
from digits_core.stats import digit_mean_and_spread, facts
from ui.charts import chart
from ui.describe import counts_summary, digit_alt
from ui.glossary import explain, meaning
from ui.layout import fixed_and_beside
from ui.nav import leave_legacy_navigation
from ui.palette import ORDERED
from ui.plots import class_balance, digit_figure, digit_grid, pixel_heatmap
from ui.state import mnist

leave_legacy_navigation()
GRID = 40  # images per page of the grid
SAMPLE_PX = 260  # the sample up close, its index and its label


@st.cache_data(show_spinner="Computing per-digit statistics...")
def split_stats(split: str) -> tuple[np.ndarray, np.ndarray, dict[str, str]]:
    images, labels = _split(split)
    return (*digit_mean_and_spread(images, labels), facts(images, labels))


@st.cache_resource(show_spinner=False)
def digit_grids(split: str) -> tuple[go.Figure, go.Figure]:
    """The split's mean and spread grids, made once per server: px.imshow took about 0.1 s a grid here, most of an
    Explore run's work, and in a class every student opens Explore. (st.plotly_chart copies a figure, never
    changes it, so one object serves every session.)"""
    mean, spread, _ = split_stats(split)
    return (digit_grid(mean, f"Mean image of each digit ({split} set)"),
            digit_grid(spread, "Pixel spread (standard deviation)", ORDERED))  # a phone's width: the caption says more


def _split(split: str) -> tuple[np.ndarray, np.ndarray]:
    data = mnist()
    return (data.x_train, data.y_train) if split == "train" else (data.x_test, data.y_test)


@st.cache_data(show_spinner=False)
def order(split: str, digit: str, seed: int) -> np.ndarray:
    """Indices of the split shown in the grid: filtered by digit, shuffled unless seed is 0."""
    labels = _split(split)[1]
    indices = np.arange(len(labels)) if digit == "all" else np.flatnonzero(labels == int(digit))
    return np.random.default_rng(seed).permutation(indices) if seed else indices


st.title("Explore the data")
controls = st.columns([1, 1, 1, 1])
split = controls[0].radio("Set", ["train", "test"], horizontal=True,
                          help=f"train: {meaning('training set')} test: {meaning('test set')}")
digit = controls[1].selectbox("Digit", ["all"] + [str(d) for d in range(10)])
if controls[2].button("Shuffle", help="Show the images in a random order"):
    st.session_state["explore_seed"] = int(np.random.default_rng().integers(1, 2**31))
if controls[2].button("In order"):
    st.session_state["explore_seed"] = 0
indices = order(split, digit, st.session_state.get("explore_seed", 0))
pages = max(1, -(-len(indices) // GRID))
page = controls[3].number_input(f"Page (of {pages:,})", 1, pages, 1)

images, labels = _split(split)
shown = indices[(page - 1) * GRID: page * GRID]
st.image([upscale(images[i], 2) for i in shown], caption=[f"#{i}: {labels[i]}" for i in shown], width=64,
         alt=[digit_alt(labels[i], f"from the {split} set") for i in shown])

st.subheader("One sample up close")
pick = fixed_and_beside(SAMPLE_PX, "heatmap")  # the heatmap goes under the sample where it would be too small
index = pick[0].number_input(f"Index in the {split} set (0-{len(labels) - 1:,})", 0, len(labels) - 1,
                             int(shown[0]) if len(shown) else 0)
pick[0].metric("Label", int(labels[index]))
chart(digit_figure(images[index], height=260), pick[0])
chart(pixel_heatmap(images[index]), pick[1])
pick[1].caption("The 784 numbers the network reads: 0 is black background, 255 full white ink.",
                help=meaning("pixel"))

st.subheader("The dataset at a glance")
explain("class balance", "mean image", "spread")
data = mnist()
chart(class_balance(data.y_train, data.y_test))
st.caption(counts_summary(data.y_train, data.y_test))
for grid in digit_grids(split):
    chart(grid)
st.caption("The digits 0 to 9, one small image each: first the average of all their images, bright where most "
           "writers put ink; then the spread, bright where the writers disagree.")
st.table(pd.DataFrame({name: split_stats(name)[2] for name in ("train", "test")}))
