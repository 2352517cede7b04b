"""python -m benchmarks.classroom --quick: a small class runs end to end (figures printed, not timed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def quick_class(*options: str) -> tuple[list[str], dict]:
    """Run the quick class with `options`: the printed table's lines and the figures."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.classroom", "--quick", "--json", *options],
                          cwd=REPO, capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, done.stderr[-3000:]
    *table, last = done.stdout.strip().splitlines()
    return table, json.loads(last)


@pytest.mark.e2e
def test_quick_class_reads_every_drawing_and_ends_the_closed_tabs_runs():
    table, figures = quick_class("--students", "5", "--browsers", "4")
    assert not figures["failures"] and not figures["errors"], table
    assert figures["readings"] >= 4 * 2 and figures["missing"] == 0 and not figures["wrong"], table
    assert figures["light_readings"] >= 2, table  # the fifth student, without a browser, drew while the runs went on
    assert len(figures["trainings"]) == 2 and figures["queue_in_order"], table
    assert [run["places"][0] for run in figures["trainings"]] == [1, 2], table  # each waiting student saw a place
    assert [c["when"] for c in figures["closed"]] == ["mid-run", "queued"], table
    assert all(c["ended_after_s"] is not None for c in figures["closed"]), table
    assert "| release to prediction p50 / p95" in "\n".join(table)
    assert not figures["tensorflow_loaded"], table  # the trainings ran in the training process


@pytest.mark.e2e
def test_a_class_that_only_draws_never_loads_tensorflow():
    table, figures = quick_class("--students", "3", "--browsers", "1", "--draw-only")
    assert not figures["failures"] and not figures["errors"] and not figures["trainings"], table
    assert figures["readings"] == 2 and figures["light_readings"] == 2 * 2, table
    assert figures["missing"] == 0 and not figures["wrong"], table
    assert not figures["tensorflow_loaded"], table
