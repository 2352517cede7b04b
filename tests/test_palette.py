"""ui.palette: the contrast ratio, the themes' text at 4.5:1, the series' colours at 3:1, and no colour elsewhere."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from ui.palette import CATEGORIES, HIGHLIGHT, MUTED, TRAIN, VALIDATION, contrast

REPO = Path(__file__).resolve().parents[1]
THEMES = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())["theme"]
WHITE = "#ffffff"


def test_contrast_matches_wcag_examples():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#ffffff", "#000000") == pytest.approx(21)
    assert contrast("#777777", "#777777") == pytest.approx(1)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest grey with AA on white
    assert contrast("#000000", "#ffffff", flare=0.05) < 21


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_theme_text_reaches_aa_on_both_backgrounds(theme):
    colours = THEMES[theme]
    for background in (colours["backgroundColor"], colours["secondaryBackgroundColor"]):
        assert contrast(colours["textColor"], background) >= 4.5
    assert contrast(WHITE, colours["primaryColor"]) >= 4.5  # a primary button's label, a multiselect's pick
    assert contrast(colours["primaryColor"], colours["backgroundColor"]) >= 4.5  # a slider's value


@pytest.mark.parametrize("colour", [*CATEGORIES[:4], TRAIN, VALIDATION, HIGHLIGHT, MUTED])
def test_series_colours_stand_out_from_both_backgrounds(colour):
    for theme in ("light", "dark"):
        assert contrast(colour, THEMES[theme]["backgroundColor"]) >= 3  # WCAG 1.4.11, graphics


def test_charts_take_their_colours_from_the_palette():
    """No hex colour or named Plotly scale in the chart code and pages: one place to check them all."""
    literal = re.compile(r"#[0-9a-fA-F]{6}\b|colors\.(qualitative|sequential)|colorscale=\"(?!%)")
    offenders = [f"{path.relative_to(REPO)}:{number}: {line.strip()}"
                 for path in [REPO / "ui" / "plots.py", *(REPO / "pages").glob("*.py")]
                 for number, line in enumerate(path.read_text().splitlines(), start=1) if literal.search(line)]
    assert not offenders, "\n".join(offenders)
