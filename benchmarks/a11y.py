"""Accessibility: axe-core's WCAG 2.2 AA violations on every page after its main action, in the light and the dark
theme, and the contrast ratios of the themes' text and the chart palettes against both backgrounds.

One browser tab is one student: it trains a tiny run on Train, so Evaluate scores it and Compare compares it
with the stored default model, draws a 7 on Draw, imports a few digits on Handwriting and looks inside a test
image on Inside. axe finds what a machine can see (text alternatives, names, HTML text contrast, ARIA);
keyboard use, reading order and whether a text alternative says the right thing need people's checks.

    python -m benchmarks.a11y                       # every page, both themes, then the contrast table
    python -m benchmarks.a11y --pages Home Draw     # some pages (Train first if Evaluate or Compare need a run)
    python -m benchmarks.a11y --contrast            # the contrast table only (no server, no browser)
"""

from __future__ import annotations

import argparse
import re
import tempfile
import tomllib
from collections import Counter
from pathlib import Path
from typing import Callable

import numpy as np

from benchmarks.appserver import REPO, VIEWPORT, launch_chromium, running_app, scratch_env, scratch_models
from tests.e2e.st_page import (DIGITS, SLOW_MS, TRAIN_MS, button, canvas, charts_in_place, draw, idle, metric,
                               no_exception, open_page, start_training)
from ui.palette import CATEGORIES, DIGIT_COLOURS, HIGHLIGHT, MUTED, OKABE_ITO, TRAIN, VALIDATION, contrast
from ui.routes import URLS

TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")  # WCAG 2.0, 2.1 and 2.2 at levels A and AA
THEMES = ("light", "dark")
THEME_COLOURS = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())["theme"]
TRAIN_SAMPLES = 500  # a run of seconds: enough for Evaluate, Compare and Inside to show all they have
IMPORTED = 12  # test images imported on Handwriting: every panel of the page shows
PROJECTOR_FLARE = 0.05  # a projector in a lit room: its black about a twentieth of its white (11:1 at best)


def violations(page) -> list[dict]:
    """axe-core's WCAG 2.2 AA violations in what the tab shows now (each with its rule id and offending nodes)."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": list(TAGS)}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def in_theme(page, theme: str) -> None:
    """Switch the tab to `theme` as a browser set to light or dark would, and wait until the app has repainted."""
    page.emulate_media(color_scheme=theme)
    background = THEME_COLOURS[theme]["backgroundColor"]
    rgb = "rgb({}, {}, {})".format(*(int(background[i:i + 2], 16) for i in (1, 3, 5)))
    page.wait_for_function("rgb => getComputedStyle(document.querySelector('[data-testid=\"stApp\"]'))"
                           ".backgroundColor === rgb", arg=rgb)
    page.wait_for_timeout(300)  # the charts take the new theme a moment after the page


def go(page, title: str) -> None:
    """Open the page titled `title` the way a student does: by the sidebar, so the session (its runs) stays."""
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)
    if not page.url.startswith("http") or not link.count():
        open_page(page, URLS[title])
        return
    heading = page.locator("h1").first.inner_text()
    link.click()
    page.wait_for_url(re.compile(re.escape(URLS[title]) + r"(\?|$)"))  # the query keeps the browser id
    page.wait_for_function("old => (document.querySelector('h1') || {}).innerText !== old", arg=heading)
    idle(page)
    no_exception(page)


def train(page, scratch: Path) -> None:
    """A one-epoch run on a few samples, waited for until it has joined the session's runs."""
    start_training(page, TRAIN_SAMPLES, 1)
    page.get_by_text("This session's runs", exact=True).wait_for(timeout=TRAIN_MS)
    idle(page)


def read_a_drawing(page, scratch: Path) -> None:
    """A 7 drawn with the mouse and read."""
    canvas(page).wait_for(timeout=SLOW_MS)
    draw(page, DIGITS[7])
    metric(page, "Prediction").wait_for(timeout=SLOW_MS)
    idle(page)


def import_digits(page, scratch: Path) -> None:
    """A few test images imported as the class's collection, so the grid and the class's scores show."""
    from digits_core import load_mnist

    data, path = load_mnist(), scratch / "class.npz"
    np.savez_compressed(path, x_test=data.x_test[:IMPORTED], y_test=data.y_test[:IMPORTED])
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(path)
    idle(page)
    button(page, "Add its digits to the collection").click()
    page.get_by_text(re.compile(r"^Added \d+ digits")).wait_for(timeout=SLOW_MS)
    idle(page)


def look_inside_a_test_image(page, scratch: Path) -> None:
    """A test image taken as the input: every panel of the page shows."""
    page.get_by_text("A test image", exact=True).click()
    page.get_by_text("Where it sits among the others", exact=True).wait_for(timeout=SLOW_MS)
    idle(page)


ACTIONS: dict[str, Callable] = {"Train": train, "Draw": read_a_drawing, "Handwriting": import_digits,
                                "Inside": look_inside_a_test_image}  # the other pages show all on opening


def visit(page, title: str, scratch: Path) -> None:
    """Open the page and do its main action (if it has one beyond opening)."""
    go(page, title)
    if title in ACTIONS:
        ACTIONS[title](page, scratch)
    charts_in_place(page)
    no_exception(page)


def audit(page, themes: tuple[str, ...] = THEMES) -> dict[str, list[dict]]:
    """The violations of the page as it stands, in each theme; the tab is left in the light theme."""
    found = {}
    for theme in themes:
        in_theme(page, theme)
        found[theme] = violations(page)
    in_theme(page, "light")
    return found


def report(found: dict[str, list[dict]]) -> str:
    """One line per theme, rule and offending element: what a failing test prints."""
    return "\n".join(f"{theme}: {v['id']} ({v['impact']}) {v['help']}: {node['target']} {node['html'][:160]}"
                     for theme, rules in found.items() for v in rules for node in v["nodes"])


def contrast_table() -> list[str]:
    """Contrast ratios against each theme's background (and washed out by a projector): the themes' text, white on
    their accent, and every palette colour. Text needs 4.5, a chart's lines, bars and markers 3."""
    names = {colour: name for name, colour in OKABE_ITO.items()}
    pairs = [(f"{theme} {part}", THEME_COLOURS[theme][key], THEME_COLOURS[theme][on]) for theme in THEMES
             for part, key, on in (("text on background", "textColor", "backgroundColor"),
                                   ("text on secondary background", "textColor", "secondaryBackgroundColor"),
                                   ("accent on background", "primaryColor", "backgroundColor"))]
    pairs += [(f"{theme} white on the accent", "#ffffff", THEME_COLOURS[theme]["primaryColor"]) for theme in THEMES]
    rows = [f"{'text':38} {'colour':8} {'ratio':>6} {'washed':>6}"]
    rows += [f"{what:38} {fg:8} {contrast(fg, bg):6.2f} {contrast(fg, bg, PROJECTOR_FLARE):6.2f}"
             for what, fg, bg in pairs]
    series = ([(f"series {i + 1} (Okabe-Ito {names[c]})", c) for i, c in enumerate(CATEGORIES)]
              + [("train", TRAIN), ("validation", VALIDATION), ("digit read", HIGHLIGHT), ("other bars", MUTED)]
              + [(f"digit {d} on the map", c) for d, c in enumerate(DIGIT_COLOURS)])
    light, dark = (THEME_COLOURS[theme]["backgroundColor"] for theme in THEMES)
    rows.append(f"{'chart colour':38} {'colour':8} {'light':>6} {'dark':>6} {'washed light':>12} {'washed dark':>11}")
    rows += [f"{what:38} {c:8} {contrast(c, light):6.2f} {contrast(c, dark):6.2f} "
             f"{contrast(c, light, PROJECTOR_FLARE):12.2f} {contrast(c, dark, PROJECTOR_FLARE):11.2f}"
             for what, c in series]
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", default=list(URLS), choices=list(URLS))
    parser.add_argument("--themes", nargs="+", default=list(THEMES), choices=THEMES)
    parser.add_argument("--details", action="store_true", help="print every offending element too")
    parser.add_argument("--contrast", action="store_true", help="print the contrast table only")
    args = parser.parse_args(argv)
    if args.contrast:
        print("\n".join(contrast_table()))
        return 0
    from playwright.sync_api import sync_playwright

    scratch = Path(tempfile.mkdtemp())
    counts: dict[tuple[str, str], Counter] = {}
    env = scratch_env(scratch_models(scratch / "models"), scratch)
    with sync_playwright() as playwright, running_app(scratch / "streamlit.log", env) as (url, _):
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport=VIEWPORT, base_url=url)
        context.set_default_timeout(SLOW_MS)
        page = context.new_page()
        for title in args.pages:
            visit(page, title, scratch)
            found = audit(page, tuple(args.themes))
            for theme, rules in found.items():
                counts[title, theme] = Counter({v["id"]: len(v["nodes"]) for v in rules})
                print(f"{title:12} {theme:5} " + (", ".join(f"{rule} {n}" for rule, n in counts[title, theme].items())
                                                   or "no violations"), flush=True)
            if args.details and any(found.values()):
                print(report(found))
        browser.close()
    total = sum((c for c in counts.values()), Counter())
    print(f"axe-core, tags {', '.join(TAGS)}: {sum(total.values())} offending elements in all"
          + "".join(f"\n  {rule}: {n}" for rule, n in total.most_common()))
    print("\n".join(contrast_table()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
