"""Browser tests: the real Streamlit server driven by Playwright in Debian's Chromium.

One server and one browser serve the whole session (starting them costs seconds); every test
gets a fresh tab (a fresh Streamlit session) and leaves a screenshot in screenshots/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest

from benchmarks.appserver import VIEWPORT, ChromiumMissing, launch_chromium, running_app

from digits_core.store import SUFFIXES
from st_page import SLOW_MS

REPO = Path(__file__).resolve().parents[2]

SCREENSHOTS = Path(__file__).with_name("screenshots")
TIMEOUT_MS = 60_000  # a rerun that first imports Keras takes seconds on a busy machine


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    """A scratch copy of the store the app would use ($DIGITS_MODELS_DIR or models/): tests never write to it."""
    source = Path(os.environ.get("DIGITS_MODELS_DIR") or REPO / "models")
    target = tmp_path_factory.mktemp("models")
    for path in source.iterdir():
        if path.name.endswith(SUFFIXES):
            shutil.copy2(path, target / path.name)
    return target


@pytest.fixture(scope="session")
def server_database(tmp_path_factory) -> str:
    """The URL of the app's class database: a scratch SQLite file (and no former collection beside it to copy in),
    so what the tests correct, import, train or post never reaches data/; tests may fill it first."""
    return f"sqlite:///{tmp_path_factory.mktemp('classdb') / 'class.sqlite'}"


@pytest.fixture(scope="session")
def server(models_dir, server_database) -> Iterator[str]:
    """The app served on a free port from 8700 up; yields its base URL. Its log: screenshots/streamlit.log."""
    SCREENSHOTS.mkdir(exist_ok=True)
    scratch = Path(server_database.removeprefix("sqlite:///")).parent
    env = {"DIGITS_MODELS_DIR": str(models_dir), "DIGITS_DATABASE_URL": server_database,
           "DIGITS_HANDWRITING_DB": str(scratch / "handwriting.sqlite")}
    with running_app(SCREENSHOTS / "streamlit.log", env) as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session; a clear failure when Debian's Chromium is missing."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            chromium = launch_chromium(playwright)
        except ChromiumMissing as missing:
            pytest.fail(str(missing), pytrace=False)
        yield chromium
        chromium.close()


@pytest.fixture
def student(browser, server):
    """A factory of fresh tabs, each in its own browser context (its own Streamlit session and browser id)."""
    contexts = []

    def open_tab():
        context = browser.new_context(viewport=VIEWPORT, base_url=server)
        context.set_default_timeout(SLOW_MS)
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture
def page(browser, server, request):
    """A fresh tab at 1280x800 on the app; its last view is saved as screenshots/<test>.png."""
    context = browser.new_context(viewport=VIEWPORT, base_url=server)
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        tab.screenshot(path=SCREENSHOTS / f"{request.node.name}.png", full_page=True)
    finally:
        context.close()
