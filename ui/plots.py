"""Plotly figures the pages share: digit images, probability bars, learning curves, matrices.

pandas and plotly.express load where a figure needs them: Home and Draw need neither, and
importing them took about 0.7 s of a cold server's first page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .palette import (CATEGORIES, DIGIT_COLOURS, DIVERGING, GREY, HIGHLIGHT, LAYER_FILLS, MUTED, ORDERED, PATTERNS,
                      SYMBOLS, TRAIN, VALIDATION, YOURS)

if TYPE_CHECKING:
    import pandas as pd

DIGITS = list(range(10))
MARGIN = dict(l=10, r=10, t=40, b=10)  # every chart's: room for its title, little else
# A legend under the x axis's title: one at the side left a phone's chart a third of its width
LEGEND_BELOW = dict(orientation="h", yanchor="top", y=-0.3)


def _compact(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, margin=MARGIN)
    return fig


def _image_figure(trace: go.Heatmap | go.Image, title: str, height: int) -> go.Figure:
    """A figure of one image trace: square pixels, row 0 at the top, no axes. Built in one go with graph objects:
    px.imshow validates a layout call by call and took about 25 ms a figure, which the Inside page felt."""
    square = dict(visible=False, constrain="domain")
    return go.Figure(trace, layout=dict(
        title=title, height=height, margin=MARGIN, plot_bgcolor="rgba(0,0,0,0)",
        xaxis=square, yaxis=dict(square, autorange="reversed", scaleanchor="x")))


def digit_figure(image: np.ndarray, title: str = "", height: int = 300) -> go.Figure:
    """One 28x28 uint8 image, white on black, square pixels, no axes."""
    return _image_figure(go.Heatmap(z=image, colorscale=GREY, zmin=0, zmax=255, showscale=False,
                                    hovertemplate="(%{x}, %{y}): %{z}<extra></extra>"), title, height)


def pixel_heatmap(image: np.ndarray, height: int = 620) -> go.Figure:
    """The raw pixel values, printed in their cells: what the network really receives."""
    fig = go.Figure(go.Heatmap(
        z=image, text=image, texttemplate="%{text}", textfont={"size": 8}, colorscale=GREY,
        zmin=0, zmax=255, showscale=False, hovertemplate="row %{y}, column %{x}: %{z}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain", dtick=4)
    fig.update_xaxes(side="top", dtick=4, constrain="domain")
    return _compact(fig, height)


def probability_bars(probabilities: np.ndarray, height: int = 280) -> go.Figure:
    """Ten bars, the winning digit highlighted; only the probabilities of 1% or more are printed.

    Built in one go: Draw shows it on every reading, and the same figure made call by call (update_xaxes,
    update_yaxes, then the height) took 11 to 14 ms against 3.5 to 4.5 ms, 14.5% of a busy server's samples."""
    best = int(np.argmax(probabilities))
    colours = [HIGHLIGHT if d == best else MUTED for d in DIGITS]
    bars = go.Bar(x=DIGITS, y=probabilities, marker_color=colours, textposition="outside",
                  text=[f"{p:.0%}" if p >= 0.01 else "" for p in probabilities])
    return go.Figure(bars, layout=dict(height=height, margin=MARGIN,
                                       xaxis=dict(tickmode="array", tickvals=DIGITS, title="digit"),
                                       yaxis=dict(range=[0, 1.15], tickformat=".0%", title="probability")))


def class_balance(train_labels: np.ndarray, test_labels: np.ndarray) -> go.Figure:
    """How many images of each digit the training and test sets hold."""
    fig = go.Figure([
        go.Bar(name="train", x=DIGITS, y=np.bincount(train_labels, minlength=10), marker_color=TRAIN),
        go.Bar(name="test", x=DIGITS, y=np.bincount(test_labels, minlength=10), marker_color=VALIDATION,
               marker_pattern_shape=PATTERNS[1]),
    ])
    fig.update_layout(barmode="group", title="Images per digit")
    fig.update_xaxes(tickmode="array", tickvals=DIGITS, title="digit")
    return _compact(fig, 320)


def digit_grid(images: np.ndarray, title: str, scale: str = GREY) -> go.Figure:
    """Ten images, one per digit, in two rows of five (mean or spread images)."""
    import plotly.express as px

    fig = px.imshow(images, facet_col=0, facet_col_wrap=5, facet_row_spacing=0.08, facet_col_spacing=0.02,
                    color_continuous_scale=scale, title=title)
    fig.for_each_annotation(lambda a: a.update(text=f"digit {a.text.split('=')[-1]}"))
    fig.update_xaxes(visible=False).update_yaxes(visible=False)
    fig.update_coloraxes(showscale=False)
    return _compact(fig, 330).update_layout(margin_t=64)  # the title above the digits' labels, not over them


def learning_curves(epochs: list[dict[str, Any]], batches: list[tuple[int, Any]] = (), total_epochs: int | None = None,
                    by_run: bool = False, names: dict[int, str] | None = None, colours: dict[int, str] | None = None,
                    x: str = "epoch", height: int = 320) -> go.Figure:
    """Loss and accuracy per epoch, train solid and validation dashed; one colour and marker per run (fold, model)
    when by_run.

    `batches` ((run, progress.BatchUpdate) pairs) add the running train curve within each
    epoch, so a one-epoch run grows live too; `total_epochs` fixes the x axis to the whole
    run. Runs are named by `names` (default "fold N") and coloured by `colours` (default
    the palette's categories); `x` is the column of the records to plot against ("epoch" or seconds).
    """
    import pandas as pd

    names, colours = names or {}, colours or {}

    def style(run: int | None, prefix: str = "") -> tuple[str, str, str]:
        if not by_run:
            return ("validation" if prefix else "train"), (VALIDATION if prefix else TRAIN), SYMBOLS[0]
        label = ("validation " if prefix else "train ") + names.get(run, f"fold {run}")
        return label, colours.get(run, CATEGORIES[(run - 1) % len(CATEGORIES)]), SYMBOLS[(run - 1) % len(SYMBOLS)]

    fig = make_subplots(rows=1, cols=2, subplot_titles=("loss", "accuracy"))
    if batches:
        _running_curves(fig, batches, lambda run: style(run)[1] if by_run else TRAIN)
    frame = pd.DataFrame(epochs)
    for run, rows in (frame.groupby("run") if by_run and not frame.empty else [(None, frame)]):
        for col, metric in enumerate(("loss", "accuracy"), start=1):
            for prefix, dash in (("", "solid"), ("val_", "dash")):
                name = prefix + metric
                if name not in rows or rows[name].isna().all():
                    continue
                label, colour, symbol = style(run, prefix)
                fig.add_trace(go.Scatter(x=rows[x], y=rows[name], name=label, legendgroup=label,
                                         showlegend=col == 1, mode="lines+markers", marker_symbol=symbol,
                                         line=dict(color=colour, dash=dash)), row=1, col=col)
    if x == "epoch":
        span = total_epochs or (frame[x].max() if x in frame else 1)
        ticks = dict(dtick=1) if span <= 5 else dict(nticks=6)  # whole epochs, never so many that labels overlap
        fig.update_xaxes(title="epoch", range=[0, total_epochs] if total_epochs else None, **ticks)
    else:
        fig.update_xaxes(title="seconds of training")
    fig.update_layout(legend=LEGEND_BELOW)
    return _compact(fig, height)


def _running_curves(fig: go.Figure, batches: list[tuple[int, Any]], colour: Any) -> None:
    """The train metrics as they stand during each epoch, one line per run: x is the fraction of epochs done."""
    import pandas as pd

    for run, group in pd.DataFrame(batches, columns=["run", "update"]).groupby("run"):
        updates = list(group["update"])
        x = [b.epoch - 1 + b.samples_done / b.samples_total for b in updates]
        for col, metric in enumerate(("loss", "accuracy"), start=1):
            fig.add_trace(go.Scatter(x=x, y=[getattr(b, metric) for b in updates], name="train, during the epoch",
                                     legendgroup="running", showlegend=col == 1 and run == batches[0][0],
                                     mode="lines", opacity=0.45, line=dict(color=colour(run), width=1.5)),
                          row=1, col=col)


def confusion_figure(confusion: np.ndarray, difference: bool = False) -> go.Figure:
    """The confusion matrix as a heatmap, with an invisible square marker on each cell.

    With `difference`, `confusion` is one model's matrix minus another's, drawn red-blue
    around zero; otherwise on viridis. Heatmap clicks come back empty in Streamlit (streamlit#8760); the markers
    return the clicked point, with x = predicted and y = true (selected_cell reads it).
    """
    true, predicted = np.meshgrid(DIGITS, DIGITS, indexing="ij")
    shown = np.sign(confusion) * np.log1p(np.abs(confusion))  # the diagonal would otherwise wash out every mistake
    colours = dict(colorscale=DIVERGING, zmid=0) if difference else dict(colorscale=ORDERED)
    fig = go.Figure(go.Heatmap(z=shown, x=DIGITS, y=DIGITS, text=confusion, texttemplate="%{text}",
                               showscale=False, hoverinfo="skip", **colours))
    fig.add_trace(go.Scatter(
        x=predicted.ravel(), y=true.ravel(), mode="markers", customdata=confusion.ravel(),
        marker=dict(symbol="square", size=34, opacity=0), showlegend=False,
        hovertemplate="true %{y}, predicted %{x}: %{customdata" + (":+d} images more" if difference else "} images")
                      + "<extra></extra>",
    ))
    fig.update_xaxes(title="predicted", tickmode="array", tickvals=DIGITS, side="top")
    fig.update_yaxes(title="true", tickmode="array", tickvals=DIGITS, autorange="reversed")
    fig.update_layout(clickmode="event+select", dragmode=False)
    return _compact(fig, 480)


def cell_from_point(point: dict) -> tuple[int, int] | None:
    """(true, predicted) of a point clicked on confusion_figure (x = predicted, y = true), or None."""
    try:
        true, predicted = _digit(point["y"]), _digit(point["x"])
    except (KeyError, TypeError):  # a missing coordinate, or no point at all
        return None
    if true is None or predicted is None:
        return None
    return true, predicted


def _digit(value: object) -> int | None:
    """A digit 0..9 from an int, a float such as 3.0 or a numeric string; None for anything else."""
    try:
        digit = int(round(float(value)))
    except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite coordinate
        return None
    return digit if 0 <= digit <= 9 else None


def selected_cell(event: Any) -> tuple[int, int] | None:
    """The (true, predicted) cell clicked on a confusion_figure chart shown with on_select, or None."""
    points = event.selection.points if event and event.selection else []
    return cell_from_point(points[0]) if points else None


def recall_bars(recalls: dict[str, np.ndarray], colours: dict[str, str]) -> go.Figure:
    """Each model's recall per digit, side by side in its colour and pattern."""
    fig = go.Figure([go.Bar(name=name, x=DIGITS, y=values, marker_color=colours[name],
                            marker_pattern_shape=PATTERNS[number % len(PATTERNS)])
                     for number, (name, values) in enumerate(recalls.items())])
    low = min(float(np.min(values)) for values in recalls.values())
    fig.update_layout(barmode="group", legend=LEGEND_BELOW)
    fig.update_xaxes(tickmode="array", tickvals=DIGITS, title="digit")
    fig.update_yaxes(tickformat=".1%", title="recall", range=[max(0.0, low - 0.02), 1.0])
    return _compact(fig, 320)


def accuracy_time_scatter(points: pd.DataFrame, colours: dict[str, str]) -> go.Figure:
    """Test accuracy against training time, one marker per model sized by its parameters: the compared ones in their
    colours, named in the legend; the others grey, named on hover (names beside the markers overlapped)."""
    size = 12 + 40 * np.sqrt(points["parameters"] / max(points["parameters"].max(), 1))
    compared = points["name"].isin(list(colours))
    groups = [(name, points["name"] == name, colours[name]) for name in colours if name in set(points["name"])]
    groups.append(("other models", ~compared, MUTED))
    fig = go.Figure([go.Scatter(
        x=points["seconds"][mine], y=points["accuracy"][mine], mode="markers", name=name, text=points["name"][mine],
        customdata=points["parameters"][mine], marker=dict(size=size[mine], color=colour, opacity=0.8),
        hovertemplate="%{text}: %{y:.2%} in %{x:.0f} s, %{customdata:,} parameters<extra></extra>",
    ) for name, mine, colour in groups if mine.any()])
    fig.update_xaxes(title="training time (s)", type="log")
    fig.update_yaxes(title="test accuracy", tickformat=".1%")
    fig.update_layout(legend=LEGEND_BELOW)
    return _compact(fig, 420)


def board_scatter(points: pd.DataFrame, groups: list[str], accuracy: str, height: int = 420,
                  font_size: int | None = None) -> go.Figure:
    """Each post's accuracy against its training time, its marker sized by its parameters: one colour and symbol per
    preset (`groups`, in order), named in the legend. `points` has preset, who, seconds, accuracy and parameters."""
    biggest = max(float(points["parameters"].max()), 1.0) if len(points) else 1.0
    traces = []
    for number, group in enumerate(groups):
        part = points[points["preset"] == group]
        if len(part):
            traces.append(go.Scatter(
                name=group, x=part["seconds"], y=part["accuracy"], mode="markers", text=part["who"],
                customdata=part["parameters"], hovertemplate="%{text}: %{y:.1%} in %{x:.0f} s, %{customdata:,} "
                                                             "parameters<extra>" + group + "</extra>",
                marker=dict(size=10 + 36 * np.sqrt(part["parameters"] / biggest), opacity=0.8,
                            color=CATEGORIES[number % len(CATEGORIES)], symbol=SYMBOLS[number % len(SYMBOLS)],
                            line=dict(width=1, color="black"))))
    font = dict(size=font_size)  # each part's own: Streamlit's chart theme sets the figure's
    fig = go.Figure(traces, layout=dict(legend=dict(title=dict(text="preset", font=font), itemsizing="constant",
                                                    font=font)))
    fig.update_xaxes(title=dict(text="training time (s)", font=font), type="log", dtick=1, tickfont=font)
    low = float(points["accuracy"].min()) if len(points) else 0.0
    fig.update_yaxes(title=dict(text=accuracy, font=font), tickformat=".0%", tickfont=font,
                     range=[max(0.0, low - 0.05), 1.02])  # not up to 105% for the big markers
    return _compact(fig, height)


def fold_box(accuracies: list[float]) -> go.Figure:
    """The spread of the folds' held-out accuracies."""
    fig = go.Figure(go.Box(y=accuracies, boxpoints="all", name="folds", jitter=0.3, marker_color=CATEGORIES[0]))
    fig.update_yaxes(tickformat=".2%", title="held-out accuracy")
    return _compact(fig, 320)


def feature_grid(grid: np.ndarray, height: int = 300) -> go.Figure:
    """Feature maps tiled into one image (NaN between them), as small heatmaps: bright is strong."""
    return _image_figure(go.Heatmap(z=grid, colorscale=ORDERED, zmin=0, zmax=1, showscale=False,
                                    hovertemplate="%{z:.2f}<extra></extra>"), "", height)


def unit_strip(values: np.ndarray, height: int = 90) -> go.Figure:
    """A dense layer's units as one coloured strip: bright is a strongly active unit."""
    fig = go.Figure(go.Heatmap(z=values[None, :], colorscale=ORDERED, showscale=False,
                               hovertemplate="unit %{x}: %{z:.2f}<extra></extra>"))
    fig.update_yaxes(visible=False)
    fig.update_xaxes(title="unit")
    return _compact(fig, height).update_layout(margin=dict(l=10, r=10, t=10, b=10))


def picture(rgb: np.ndarray, title: str = "", height: int = 300) -> go.Figure:
    """An RGB uint8 picture (an overlay) with square pixels and no axes."""
    return _image_figure(go.Image(z=rgb, hoverinfo="skip"), title, height)


def embedding_scatter(positions: np.ndarray, labels: np.ndarray, star: np.ndarray, star_digit: int,
                      hover: list[str], height: int = 520) -> go.Figure:
    """Test images as points, each digit in its colour and symbol with its number at the middle of its points; the
    current digit as a large star among them."""
    fig = go.Figure()
    for digit in DIGITS:
        mine = np.flatnonzero(labels == digit)
        fig.add_trace(go.Scattergl(x=positions[mine, 0], y=positions[mine, 1], mode="markers", name=str(digit),
                                   marker=dict(size=5, color=DIGIT_COLOURS[digit], symbol=SYMBOLS[digit], opacity=0.7),
                                   customdata=mine, text=[hover[i] for i in mine],
                                   hovertemplate="%{text}<extra></extra>"))
        if len(mine):
            middle = np.median(positions[mine], axis=0)
            fig.add_annotation(x=middle[0], y=middle[1], text=f"<b>{digit}</b>", showarrow=False,
                               font=dict(size=18, color="black"), bgcolor="rgba(255,255,255,0.8)")
    fig.add_trace(go.Scatter(x=[star[0]], y=[star[1]], mode="markers", name=f"yours ({star_digit})",
                             marker=dict(symbol="star", size=26, color=YOURS, line=dict(color="black", width=2)),
                             hovertemplate="your digit<extra></extra>"))
    fig.update_xaxes(visible=False).update_yaxes(visible=False)
    fig.update_layout(legend=dict(title="digit", itemsizing="constant"))
    return _compact(fig, height)


def network_dot(outputs: list[Any]) -> str:
    """The layers (explain.LayerOutput) left to right as a Graphviz DOT string: one box per convolution or dense
    layer with its normalisation and activation, one per other layer, each with its kind and output shape."""
    from digits_core.explained import blocks

    ends = dict(blocks([o.kind for o in outputs]))
    inside = {i for start, end in ends.items() for i in range(start + 1, end + 1)}
    nodes = [f'  input [label="input\\n28x28x1", fillcolor="{LAYER_FILLS["input"]}"];']
    for i, output in enumerate(outputs):
        if i in inside:
            continue
        last = outputs[ends.get(i, i)]
        kinds = " + ".join(o.kind for o in outputs[i:ends.get(i, i) + 1])
        size = "x".join(str(n) for n in last.shape)
        nodes.append(f'  n{i} [label="{output.name}\\n{kinds}\\n{size}", '
                     f'fillcolor="{LAYER_FILLS.get(output.kind, LAYER_FILLS["other"])}"];')
    chain = " -> ".join(["input", *(f"n{i}" for i in range(len(outputs)) if i not in inside)])
    return ("digraph {\n  rankdir=LR; node [shape=box, style=\"rounded,filled\", fontname=Helvetica, fontsize=11];\n"
            + "\n".join(nodes) + f"\n  {chain};\n}}")
