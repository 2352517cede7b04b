"""The charts' colours in one place, chosen so colour-blind students can tell them apart, and the WCAG contrast ratio
that benchmarks/a11y.py and tests/test_palette.py check them (and the themes' text) with.

Categories take Okabe and Ito's palette (Color Universal Design, 2008), ordered values viridis. A colour never
carries a meaning alone: each category also has a marker symbol (and, for bars, a pattern), and the charts name
their series in legends, labels or the text beside them.
"""

from __future__ import annotations

OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7"}

# Series one to seven (Compare's models, the folds of a cross-validation, the board's presets): Okabe-Ito without
# black, which the dark theme would hide. The first four keep 3:1 against both themes' backgrounds (WCAG 1.4.11).
CATEGORIES = tuple(OKABE_ITO[name] for name in ("blue", "vermillion", "bluish green", "reddish purple", "orange",
                                                 "sky blue", "yellow"))
CATEGORY_NAMES = ("blue", "red", "green", "violet", "orange", "blue", "yellow")  # Streamlit's nearest text colours
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "pentagon", "hexagram",
           "triangle-down")  # Plotly's marker symbols, one a category or digit
PATTERNS = ("", "/", ".", "x", "\\", "+", "-")  # Plotly's bar patterns, one a category

TRAIN, VALIDATION = OKABE_ITO["blue"], OKABE_ITO["vermillion"]  # and solid against dashed lines
HIGHLIGHT, MUTED = OKABE_ITO["vermillion"], "#8a8a8a"  # the digit read; the other bars and models (3:1 on both)
# Ten digits need ten colours, more than Okabe-Ito has: seaborn's "colorblind" palette spreads its hues to ten.
# On the map each digit also has its own symbol and its number written at the middle of its points.
DIGIT_COLOURS = ("#0173B2", "#DE8F05", "#029E73", "#D55E00", "#CC78BC", "#CA9161", "#FBAFE4", "#949494", "#ECE133",
                 "#56B4E9")
YOURS = "#ffd700"  # the student's digit on the map: a large star outlined in black, whatever the colour
LAYER_FILLS = {"input": "#eeeeee", "conv": "#c6dbef", "pool": "#e5f5e0", "dense": "#fdd0a2", "output": "#fcbba1",
               "other": "#f5f5f5"}  # the network's boxes, pale behind black text (their kind is written in them)
ORDERED = "Viridis"  # counts, activations, spread: perceptually even, readable in grey and by colour-blind eyes
DIVERGING = "RdBu"  # differences around zero (one model's confusion matrix minus another's)
GREY = "gray"  # the digits themselves: white ink on black, as the network sees them


def luminance(colour: str) -> float:
    """WCAG 2's relative luminance of a #rrggbb colour: 0 for black, 1 for white."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str, flare: float = 0.0) -> float:
    """WCAG 2's contrast ratio of two #rrggbb colours, 1 to 21 (text needs 4.5, graphics 3).

    `flare` adds that share of white to both, as a projector's grey black in a lit room does."""
    lighter, darker = sorted((luminance(foreground) + flare, luminance(background) + flare), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
