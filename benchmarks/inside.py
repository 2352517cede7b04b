"""The Inside page's speed: server time for one full update with every panel, and the first embedding of a model.

Prints a table: the page's script run under Streamlit's AppTest for a new test image each time
(layer outputs, two saliency maps, the map with its star, the nearest training images, every
chart built), median and worst; the core alone (the same TensorFlow and scikit-learn work without
Streamlit); and, for the default model seen for the first time, its 2,000-point map (features and
PCA) and its nearest-neighbour index (features of 10,000 training images). The machine is shared:
compare the figures of one run with each other.

    python -m benchmarks.inside            # 20 updates
    python -m benchmarks.inside --quick    # 3 updates, to check that it runs
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from digits_core import load_mnist
from digits_core.explain import Explainer
from digits_core.store import ModelStore
from ui.inside import INDEX, SOURCE, SOURCES

REPO = Path(__file__).resolve().parents[1]
UPDATE_TARGET_MS, EMBEDDING_TARGET_S = 150, 5


def page_updates(count: int) -> list[float]:
    """Seconds of the Inside page's script run for `count` different test images (after a first, warm-up run)."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300).run()
    at.switch_page("pages/inside.py").run()
    at.radio(key=SOURCE).set_value(SOURCES[2]).run()
    times = []
    for index in range(1, count + 1):
        at.number_input(key=INDEX).set_value(index)
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
        assert not at.exception, at.exception
    return times


def core_updates(helper: Explainer, count: int) -> list[float]:
    """Seconds of the core's work for one update: layers, saliency for the digit read and another, star, neighbours."""
    images, times = load_mnist().x_test, []
    for image in images[1:count + 1]:
        started = time.perf_counter()
        read = int(helper.layer_outputs(image)[-1].values.argmax())
        helper.saliency(image, read)
        helper.saliency(image, (read + 1) % 10)
        helper.embedding(2000).place(helper.features(image[None]))
        helper.nearest(image)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 updates instead of 20")
    updates = 3 if parser.parse_args().quick else 20
    model = ModelStore().load()

    fresh = Explainer(model)
    started = time.perf_counter()
    fresh.embedding(2000)
    map_seconds = time.perf_counter() - started
    started = time.perf_counter()
    fresh.nearest(load_mnist().x_test[0])
    index_seconds = time.perf_counter() - started
    fresh.saliency(load_mnist().x_test[0])  # trace the saliency graph outside the timed runs
    core = core_updates(fresh, updates)
    page = page_updates(updates)

    def ms(times: list[float]) -> str:
        return f"median {statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms ({len(times)} runs)"

    print("| measure | figure | target |\n|---|---|---|")
    print(f"| Inside page, one full update (default model, AppTest run) | {ms(page)} | <= {UPDATE_TARGET_MS} ms |")
    print(f"| the core's part of it (no Streamlit) | {ms(core)} |  |")
    print(f"| first map of a model: 2,000 test images, features and PCA | {map_seconds:.2f} s |  |")
    print(f"| first nearest-neighbour index: 10,000 training images | {index_seconds:.2f} s |  |")
    first = map_seconds + index_seconds
    print(f"| both, a model seen for the first time | {first:.2f} s | <= {EMBEDDING_TARGET_S} s |")


if __name__ == "__main__":
    main()
