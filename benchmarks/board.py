"""The class board's speed and memory: drawing the board, a post reaching the projector, scoring, the server's memory.

A scratch class database gets 5,000 class digits (1,000 or so held out) and posts of three real
networks (dense-128x2 and cnn-small trained briefly here, and the shipped default), posted again
and again under other names, as a class would. Figures:

- scoring one post on the 1,000 held-out digits through LiteRT (the post's bytes read from the
  database, its interpreter built, every digit read), per network: target 0.2 s;
- the board page's server time with 30 and 200 posts, its scores in memory (AppTest's script run of
  /board and of the projector view, median of --repeats): target 0.5 s;
- the real server with Chromium on /board?view=projector: seconds from a post (written to the
  database as another server would) to its row on the screen, over --posts posts: target 5 s;
- the real server's resident memory (psutil) warm with an empty board, then with 60 posts on the
  board and the projector view open: target at most 100 MB more.

    python -m benchmarks.board             # the figures above
    python -m benchmarks.board --quick     # fewer repeats and posts, to check that it runs
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

MB = 1024 * 1024
CLASS_SAMPLES = 5_000  # a fifth held out: about 1,000 class digits to score on
SIZES = (30, 200)
MEMORY_POSTS = 60
SCORE_TARGET_S, DRAW_TARGET_S, APPEAR_TARGET_S, MEMORY_TARGET_MB = 0.2, 0.5, 5.0, 100


def networks() -> dict[str, object]:
    """Three real networks as board entries: two trained here for a moment, and the shipped default model."""
    from digits_core import get_preset, load_mnist
    from digits_core.classroom.board import Entry
    from digits_core.lite import convert
    from digits_core.store import ModelStore, model_to_bytes
    from digits_core.training import train

    data, made = load_mnist(), {}
    for preset, samples in (("dense-128x2", 6000), ("cnn-small", 3000)):
        result = train(get_preset(preset).spec.with_changes(epochs=1), data.subset(samples), seed=0)
        made[preset] = Entry(preset, model_to_bytes(result.model), convert(result.model),
                             result.model.count_params(), result.test_accuracy, preset, result.spec, 1, samples,
                             result.train_seconds)
    store = ModelStore()
    default = store.load()
    meta = store.info("default").meta
    made["default"] = Entry("default", model_to_bytes(default), convert(default), default.count_params(),
                            meta["test_accuracy"], meta.get("preset"), None, len(meta.get("history") or ()) or None,
                            meta.get("train_samples"), meta.get("train_seconds"))
    return made


def fill(url: str, entries: dict[str, object], posts: int, first: int = 0) -> None:
    """`posts` posts cycling through the networks, each under its own nickname and browser id."""
    from digits_core.classroom.board import Board

    board, kinds = Board(url), list(entries.values())
    for number in range(first, first + posts):
        entry = kinds[number % len(kinds)]
        board.post(replace(entry, name=f"{entry.name}-{number}",
                           train_seconds=(entry.train_seconds or 30.0) * (1 + number % 7)),
                   f"bench{number:011d}", f"student {number}")


def add_class_digits(url: str) -> int:
    """MNIST test digits as the class's collection; returns how many the board holds out."""
    from digits_core import load_mnist
    from digits_core.classroom.board import Board
    from digits_core.classroom.samples import Collection
    from digits_core.handwriting import LabelledSet

    data = load_mnist()
    Collection(url).add_many(LabelledSet(data.x_test[:CLASS_SAMPLES], data.y_test[:CLASS_SAMPLES]))
    return len(Board(url).class_set())


def scoring(url: str, entries: dict[str, object], repeats: int) -> dict[str, float]:
    """Seconds to score one post of each network on the class set, from its bytes in the database (median)."""
    from digits_core.classroom.board import Board

    fill(url, entries, len(entries))
    board = Board(url)
    class_set, posts = board.class_set(), board.posts()[-len(entries):]
    seconds = {}
    for post in posts:
        times = []
        for _ in range(repeats):
            fresh = Board(url)  # no scores in memory
            started = time.perf_counter()
            fresh.class_probabilities([post], class_set)
            times.append(time.perf_counter() - started)
        seconds[post.preset if post.preset != "custom" else post.name] = statistics.median(times)
    return seconds


def page_times(posts: int, repeats: int, projector: bool) -> float:
    """Median seconds of the board page's script run under AppTest, its scores already in memory."""
    from streamlit.testing.v1 import AppTest

    from benchmarks.appserver import REPO

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=600).run()
    at.switch_page("pages/board.py")
    if projector:
        at.query_params["view"] = "projector"
    at.run()  # scores every post once
    assert not at.exception, at.exception
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
    rows = len(at.table[0].value) if projector else len(at.dataframe[0].value)
    assert rows == (min(posts, 10) if projector else posts), rows
    return statistics.median(times)


def live_server(url: str, entries: dict[str, object], posts: int) -> dict[str, float]:
    """The real server: memory warm, then with MEMORY_POSTS posts; and seconds from each new post to its row."""
    from playwright.sync_api import sync_playwright

    import psutil

    from benchmarks.appserver import VIEWPORT, launch_chromium, running_app
    from digits_core.classroom.board import Board

    log = Path(tempfile.mkdtemp(prefix="digits-board-")) / "streamlit.log"
    with running_app(log, {"DIGITS_DATABASE_URL": url}) as (base, proc), sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_context(viewport=VIEWPORT, base_url=base).new_page()
        for path in ("/", "/draw", "/board", "/board?view=projector"):
            page.goto(path)
            page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=300_000)
        time.sleep(3)
        server = psutil.Process(proc.pid)  # the server alone: TensorFlow's training process is another
        warm = server.memory_info().rss
        fill(url, entries, MEMORY_POSTS, first=1000)
        page.get_by_text(f"{MEMORY_POSTS} post(s)").wait_for(timeout=120_000)  # every one scored and ranked
        page.goto("/board")
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=120_000)
        page.goto("/board?view=projector")
        page.get_by_test_id("stTable").wait_for(timeout=120_000)
        time.sleep(3)
        with_posts = server.memory_info().rss
        delays, board = [], Board(url)
        best = max(entries.values(), key=lambda entry: entry.mnist_accuracy)  # first place: on the projector's top 10
        for number in range(posts):
            nickname = f"newcomer {number}"
            started = time.monotonic()
            board.post(replace(best, name=f"new-{number}", mnist_accuracy=1.0), f"late{number:012d}", nickname)
            page.get_by_test_id("stTable").locator("tr").filter(has_text=nickname).wait_for(timeout=60_000)
            delays.append(time.monotonic() - started)
            time.sleep(0.5)
        browser.close()
    return {"warm_mb": warm / MB, "with_posts_mb": with_posts / MB, "appear_median_s": statistics.median(delays),
            "appear_max_s": max(delays)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--posts", type=int, default=5, help="posts timed on their way to the projector")
    parser.add_argument("--quick", action="store_true", help="2 repeats, 2 posts timed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    repeats, timed = (2, 2) if args.quick else (args.repeats, args.posts)
    scratch = Path(tempfile.mkdtemp(prefix="digits-board-bench-"))
    entries = networks()
    figures: dict[str, object] = {}

    url = f"sqlite:///{scratch / 'scoring.sqlite'}"
    figures["class_digits"] = add_class_digits(url)
    figures["score_s"] = scoring(url, entries, repeats)

    for posts in SIZES:
        url = f"sqlite:///{scratch / f'board-{posts}.sqlite'}"
        add_class_digits(url)
        fill(url, entries, posts)
        os.environ["DIGITS_DATABASE_URL"] = url
        figures[f"draw_{posts}_s"] = page_times(posts, repeats, projector=False)
        figures[f"projector_{posts}_s"] = page_times(posts, repeats, projector=True)

    url = f"sqlite:///{scratch / 'live.sqlite'}"
    add_class_digits(url)
    figures.update(live_server(url, entries, timed))
    report(figures)
    if args.json:
        print(json.dumps(figures))
    return 0


def report(figures: dict) -> None:
    print(f"class set: {figures['class_digits']:,} held-out digits of {CLASS_SAMPLES:,}")
    print("| figure | measured | target |")
    print("|---|---|---|")
    for network, seconds in figures["score_s"].items():
        print(f"| scoring one post ({network}) on the class set | {seconds:.3f} s | {SCORE_TARGET_S} s |")
    for posts in SIZES:
        print(f"| /board with {posts} posts, server time | {figures[f'draw_{posts}_s']:.3f} s | {DRAW_TARGET_S} s |")
        print(f"| /board?view=projector with {posts} posts, server time | {figures[f'projector_{posts}_s']:.3f} s "
              f"| {DRAW_TARGET_S} s |")
    print(f"| a post to its row on the projector | median {figures['appear_median_s']:.1f} s, "
          f"worst {figures['appear_max_s']:.1f} s | {APPEAR_TARGET_S} s |")
    extra = figures["with_posts_mb"] - figures["warm_mb"]
    print(f"| server memory, warm -> {MEMORY_POSTS} posts | {figures['warm_mb']:.0f} -> "
          f"{figures['with_posts_mb']:.0f} MB (+{extra:.0f} MB) | +{MEMORY_TARGET_MB} MB |")


if __name__ == "__main__":
    raise SystemExit(main())

