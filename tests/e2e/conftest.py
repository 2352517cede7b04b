"""Browser tests: the real Streamlit server driven by Playwright in Debian's Chromium.

One server and one browser serve the whole session (starting them costs seconds); every test
gets a fresh tab (a fresh Streamlit session) and leaves a screenshot in screenshots/.
"""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace
from typing import Iterator

import pytest
from PIL import Image

from benchmarks.appserver import VIEWPORT, ChromiumMissing, launch_chromium, running_app, scratch_env, scratch_models
from st_page import SCREENSHOTS, SLOW_MS, tab_on

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    """A scratch copy of the store the app would use ($DIGITS_MODELS_DIR or models/): tests never write to it."""
    return scratch_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def server_env(models_dir, tmp_path_factory) -> dict[str, str]:
    """The server's environment: its scratch model store and class database, so what the tests correct, import,
    train or post never reaches data/. A test may fill the database ($DIGITS_DATABASE_URL) first."""
    return scratch_env(models_dir, tmp_path_factory.mktemp("classdb"))


@pytest.fixture(scope="session")
def server(server_env) -> Iterator[str]:
    """The app served on a free port from 8700 up; yields its base URL. Its log: screenshots/streamlit.log."""
    SCREENSHOTS.mkdir(exist_ok=True)
    with running_app(SCREENSHOTS / "streamlit.log", server_env) as (url, _):
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
    with tab_on(browser, server, request.node.name) as tab:
        yield tab


def y4m(picture: bytes, path: Path, frames: int = 3) -> Path:
    """A short 640x480 YUV 4:2:0 video of one picture, the format Chromium's fake camera plays."""
    image = Image.open(io.BytesIO(picture)).convert("YCbCr")
    y, cb, cr = image.split()
    half = (image.width // 2, image.height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    header = f"YUV4MPEG2 W{image.width} H{image.height} F5:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"".join(b"FRAME\n" + planes for _ in range(frames)))
    return path


@pytest.fixture(scope="session")
def camera_browser(browser, tmp_path_factory):
    """A second Chromium whose camera plays a photo of a test digit 2 on paper (no permission prompt).

    Launched through the session browser's Playwright: a second sync_playwright() in one thread is refused."""
    from digits_core import load_mnist
    from tests.photos import Look, photo

    data = load_mnist()
    index = int((data.y_test == 2).argmax())
    video = y4m(photo(data.x_test[index], index, Look(tilt=4)), tmp_path_factory.mktemp("camera") / "two.y4m")
    chromium = launch_chromium(SimpleNamespace(chromium=browser.browser_type),
                               ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                                f"--use-file-for-fake-video-capture={video}"))
    yield chromium
    chromium.close()
