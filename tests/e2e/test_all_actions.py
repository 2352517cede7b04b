"""Every page and every action in one real server, after which the server has still not loaded TensorFlow.

The server of this test is its own (its process is inspected) and reads a scratch store holding the shipped
default and "legacy", a model as an older version saved it: no test probabilities and no parameter count in its
JSON. One session trains and stops, saves, draws, uploads, photographs, imports and exports the class collection,
fine-tunes, evaluates "legacy", cross-validates, looks inside and compares its runs with "legacy". TensorFlow's
library must not be mapped into the server's memory then: Keras loads TensorFlow (its only backend here), so
neither is in the server's sys.modules. (tests/test_server_imports.py checks the source for the same.)
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import psutil
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from benchmarks.appserver import running_app, scratch_env, tensorflow_loaded
from digits_core import load_mnist
from st_page import (DIGITS, SCREENSHOTS, SLOW_MS, TRAIN_MS, button, canvas, compare, draw, fine_tune, idle,
                     import_collection, metric, no_exception, open_page, save_run, set_number, switch_to, tab_on,
                     take_photo)
from ui.routes import URLS as PAGES

LEGACY = "legacy"


@pytest.fixture(scope="module")
def own_server(models_dir, tmp_path_factory):
    """(URL, process, store folder) of a server of this test's own, its store holding the default and LEGACY."""
    folder = tmp_path_factory.mktemp("all-actions")
    store = folder / "models"
    store.mkdir()
    for path in models_dir.glob("default.*"):
        shutil.copy2(path, store / path.name)
    shutil.copy2(store / "default.keras", store / f"{LEGACY}.keras")
    meta = json.loads((store / "default.json").read_text())
    meta = {key: value for key, value in meta.items() if key != "parameters"} | {"name": LEGACY, "shipped": False}
    (store / f"{LEGACY}.json").write_text(json.dumps(meta))
    env = scratch_env(store, folder)
    SCREENSHOTS.mkdir(exist_ok=True)
    with running_app(SCREENSHOTS / "streamlit-all-actions.log", env) as (url, proc):
        yield url, proc, store


@pytest.fixture
def tab(camera_browser, own_server, request):
    """A tab of the camera browser on this test's server; its last view is saved as a screenshot."""
    with tab_on(camera_browser, own_server[0], request.node.name, permissions=["camera"],
                accept_downloads=True) as page:
        yield page


def train_and_stop(page: Page) -> None:
    """A training of 20 epochs, stopped once it runs: it ends early and keeps its model as a run."""
    set_number(page, "Training samples", 2000)
    page.get_by_text("Customise the network and its training").click()
    set_number(page, "Epochs", 20)
    button(page, "Train").click()
    expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=TRAIN_MS)
    button(page, "Stop").click()
    expect(page.get_by_text(re.compile("stopped", re.I)).first).to_be_visible(timeout=TRAIN_MS)
    expect(metric(page, "Test accuracy")).to_be_visible(timeout=TRAIN_MS)


def read_on_draw(page: Page, tmp_path: Path) -> None:
    """A digit drawn, a picture uploaded and a photo taken are each read by the session's model."""
    switch_to(page, "Draw")
    expect(canvas(page)).to_be_visible(timeout=SLOW_MS)
    draw(page, DIGITS[1])
    expect(metric(page, "Prediction")).to_have_text(re.compile(r"^\d$"), timeout=SLOW_MS)
    data = load_mnist()
    picture = tmp_path / "digit.png"
    Image.fromarray(data.x_test[0]).resize((112, 112)).save(picture)
    page.get_by_role("tab", name="Upload a picture").click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(picture)
    expect(metric(page, "Prediction")).to_have_text(re.compile(r"^\d$"), timeout=SLOW_MS)
    take_photo(page)
    expect(page.get_by_text("the digit found on the paper").first).to_be_visible(timeout=SLOW_MS)
    no_exception(page)


def export_collection(page: Page) -> None:
    """The Handwriting page's download holds the collection in MNIST's layout."""
    with page.expect_download() as download:
        button(page, "Download the collection (.npz)").click()
    with np.load(download.value.path()) as collection:
        assert collection["x_test"].shape[1:] == (28, 28) and len(collection["y_test"]) >= 40


def evaluate_legacy(page: Page, store: Path) -> None:
    """Evaluate of LEGACY: the training process writes its test probabilities and parameter count, once."""
    switch_to(page, "Evaluate")
    picker = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Model", exact=True)).locator("input")
    picker.fill(LEGACY)  # typed, not clicked: a list opened during a rerun closes again
    picker.press("Enter")
    idle(page)
    expect(metric(page, "Test accuracy")).to_have_text(re.compile(r"\d+\.\d+%"), timeout=SLOW_MS)
    assert (store / f"{LEGACY}.test.npy").is_file()
    assert "parameters" in json.loads((store / f"{LEGACY}.json").read_text())


def cross_validate(page: Page) -> None:
    set_number(page, "Folds", 2)
    set_number(page, "Samples", 500)
    set_number(page, "Epochs per fold", 1)
    button(page, "Run cross-validation").click()
    expect(metric(page, "Mean held-out accuracy")).to_be_visible(timeout=TRAIN_MS)
    no_exception(page)


def look_inside(page: Page) -> None:
    switch_to(page, "Inside")
    page.get_by_text("A test image", exact=True).click()
    expect(metric(page, "Prediction")).to_be_visible(timeout=SLOW_MS)
    expect(page.get_by_text("conv1_relu").first).to_be_visible(timeout=SLOW_MS)
    no_exception(page)


def test_every_page_and_action_leaves_tensorflow_out_of_the_server(tab: Page, own_server, tmp_path):
    _, proc, store = own_server
    for path in PAGES.values():
        open_page(tab, path)
    open_page(tab, "/train")  # the session that does the rest
    train_and_stop(tab)
    save_run(tab, "stopped-run")
    read_on_draw(tab, tmp_path)
    collection = tmp_path / "class.npz"
    data = load_mnist()
    np.savez_compressed(collection, x_test=np.roll(data.x_test[:40], 2, axis=2), y_test=data.y_test[:40])
    import_collection(tab, collection)
    export_collection(tab)
    fine_tune(tab)
    evaluate_legacy(tab, store)
    cross_validate(tab)
    look_inside(tab)
    compare(tab, LEGACY)  # the session's two runs (the stopped one, the tuned one) and the legacy stored model
    assert not tensorflow_loaded(psutil.Process(proc.pid))
