"""Two app servers on one PostgreSQL serve one class, as replicas behind a load balancer would: a correction and a
board post made by a student on server A are seen by the teacher on server B, the post on B's projector within 5 s
without a reload, the correction at B's next rerun (nothing about the class is cached in a server; how soon a
write is readable on the other server is a figure of `python -m benchmarks.classdb`)."""

from __future__ import annotations

import re
from contextlib import ExitStack
from typing import Iterator

import pytest
from playwright.sync_api import expect

from benchmarks.appserver import running_app, scratch_env, scratch_models
from benchmarks.postgres import create_database, drop_database
from st_page import (SCREENSHOTS, SLOW_MS, TRAIN_MS, correct_drawing, metric, no_exception, open_page, post_to_board,
                     start_training, tab_on)

APPEARS_MS = 5_000  # the class board's promise: a new post on the projector within 5 s
NICKNAME = "Grace on A"


@pytest.fixture(scope="module")
def two_servers(postgres_server, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """Servers A and B, each with its own model store, on one new PostgreSQL database; yields their base URLs."""
    url = create_database(postgres_server, "two_servers")
    SCREENSHOTS.mkdir(exist_ok=True)
    with ExitStack() as servers:
        bases = []
        for name in "ab":
            env = {**scratch_env(scratch_models(tmp_path_factory.mktemp(f"models_{name}")),
                                 tmp_path_factory.mktemp(f"scratch_{name}")), "DIGITS_DATABASE_URL": url}
            base, _ = servers.enter_context(running_app(SCREENSHOTS / f"streamlit-{name}.log", env))
            bases.append(base)
        yield bases[0], bases[1]
    drop_database(postgres_server, "two_servers")


def test_a_students_correction_and_post_on_server_a_are_seen_on_server_b(browser, two_servers):
    on_a, on_b = two_servers
    with tab_on(browser, on_b, "two_servers_teacher") as teacher, \
            tab_on(browser, on_b, "two_servers_projector") as projector, \
            tab_on(browser, on_a, "two_servers_student") as pupil:
        open_page(teacher, "/handwriting")
        expect(metric(teacher, "Digits in the collection")).to_have_text("0")
        open_page(projector, "/board?view=projector")
        projector.evaluate("window.notReloaded = true")

        correct_drawing(pupil, 7, 1)  # "it was a 1"

        teacher.get_by_test_id("stButtonGroup").get_by_role("radio", name="1 (").first.click()  # a rerun on B
        expect(metric(teacher, "Digits in the collection")).to_have_text("1", timeout=SLOW_MS)
        expect(teacher.get_by_text("read as 7").first).to_be_visible()

        start_training(pupil, samples=300, epochs=1)
        expect(metric(pupil, "Test accuracy")).to_have_text(re.compile(r"\d+(\.\d+)?\s*%"), timeout=TRAIN_MS)
        post_to_board(pupil, NICKNAME)
        row = projector.get_by_test_id("stTable").locator("tr").filter(has_text=NICKNAME)
        expect(row).to_have_count(1, timeout=APPEARS_MS)
        assert projector.evaluate("window.notReloaded") is True  # B's fragment redrew it in place
        for page in (teacher, projector, pupil):
            no_exception(page)
