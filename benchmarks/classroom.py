"""A class on one server: students draw while trainings queue, and two students close their tab.

Starts the real server (`streamlit run app.py`) and one headless Chromium, then a browser context
per student, a second apart. Every student opens Home, Explore and Draw and draws one-stroke
digits with the mouse, timing each from the mouse release to the Prediction shown. Meanwhile the
first students go to Train: one starts a long run, three ("trainers") press Train at the same
moment and queue behind it, one more queues behind them; the first closes its tab mid-run and the
last while queued. The rest draw until every training is over. Then every tab closes.

It prints release-to-prediction p50/p95, predictions missing (none within a minute) or wrong,
error elements seen, each training's wait and duration and the queue places its student saw,
how long after a tab closed its run ended (the server's log line) and the next run started, and
the server's memory (idle, warmed up, peak, and a while after every session closed), and the CPU
seconds the server and the browsers used.

With `--browsers K` only the first K students use Chromium (at least the five with a part in the
trainings); the others are light sessions (benchmarks/lightclient.py) that send the server what a
browser sends on opening a page and releasing a drawing. Thirty tabs on the server's two cores
measure the browsers more than the server; on a real class each browser runs on its student's
own machine. Their release-to-prediction is timed apart: from the drawing sent to the Prediction
received, the part of a reading that the server's load decides.

    python -m benchmarks.classroom [--students 30] [--browsers K] [--quick] [--json]
    python -m benchmarks.classroom --draw-only     # the same class, drawing only: no TensorFlow in the server
    python -m benchmarks.classroom --all-train     # everyone presses Train within a minute: benchmarks/alltrain.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import psutil

from benchmarks.appserver import PAGES, VIEWPORT, launch_chromium, running_app, tensorflow_loaded
from benchmarks.lightclient import LightSession
from benchmarks.memory import MB, Sampler
from tests.e2e.st_page import DIGITS, EXCEPTION, button, canvas, metric, on_screen

ONE_STROKE = [digit for digit, strokes in DIGITS.items() if len(strokes) == 1]  # the first answer is the final one
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"][data-test-connection-state="CONNECTED"]'
ERRORS = f'{EXCEPTION}, [data-testid="stAlertContentError"]'
RESET = "Reset canvas & history"  # the canvas toolbar's reset button
ENDED_LINE = "nobody is waiting for it any more"  # what digits_core.jobs logs when a closed tab's run ends
QUEUED = re.compile(r"Queued: number (\d+) in line")
PAGE_MS, READ_MS, TRAIN_MS = 180_000, 60_000, 1_800_000
# Seconds a light student takes between releases (drawing the next digit, looking at the answer): 3 on average, as
# the browser students here, and random, as people are: with one fixed pause 25 sessions fell into step and
# released together every cycle, which queued each reading behind all the others (p50 1.1 s against 0.05 s).
LIGHT_PAUSE = (2.0, 4.0)


@dataclass(frozen=True)
class Plan:
    """How much each part does: the full class, or a quick run that checks the benchmark works."""

    students: int
    drawings: int  # digits each student draws at least (drawers go on while trainings run)
    run: tuple[int, int]  # samples and epochs of the trainers' runs
    long_run: tuple[int, int] = (20_000, 20)  # the run whose tab closes mid-run: it would last minutes
    mid_run_seconds: float = 5.0  # how long that run goes on before its tab closes
    after_seconds: float = 60.0  # memory is read this long after every tab closed
    draw_only: bool = False  # a class that only draws: no training, no tab closed early
    browsers: int | None = None  # students in Chromium (the first ones); the rest are light sessions. None: all

    @property
    def roles(self) -> int:
        """Students with a part in the trainings (the first ones); the others only draw."""
        return 0 if self.draw_only else 2 + self.trainers

    @property
    def trainers(self) -> int:
        return max(1, min(3, self.students - 3))  # two students close their tab, at least one only draws

    @property
    def in_chromium(self) -> int:
        return self.students if self.browsers is None else self.browsers


class CpuSampler(threading.Thread):
    """CPU seconds (user + system) of the servers' process trees, of every Chromium process and of this process (the
    light sessions), sampled every half second so that processes which end during the lesson (a closed tab's
    renderer) still count."""

    def __init__(self, *servers: psutil.Process, period: float = 0.5):
        super().__init__(daemon=True)
        self.servers, self.period, self.done = servers, period, threading.Event()
        self.seconds: dict[int, tuple[str, float]] = {}  # pid -> (whose, CPU seconds so far)

    def run(self) -> None:
        while not self.done.wait(self.period):
            self.sample()

    def sample(self) -> None:
        server = {pid for tree in self.servers for pid in (tree.pid, *(child.pid for child in self._children(tree)))}
        for proc in psutil.process_iter(["cmdline", "cpu_times"]):
            whose = "server" if proc.pid in server else "light" if proc.pid == os.getpid() else (
                "browsers" if "chromium" in " ".join(proc.info["cmdline"] or []) else None)
            if whose and proc.info["cpu_times"]:
                self.seconds[proc.pid] = whose, proc.info["cpu_times"].user + proc.info["cpu_times"].system

    def totals(self) -> dict[str, float]:
        totals = {"server": 0.0, "browsers": 0.0, "light": 0.0}
        for whose, seconds in self.seconds.values():
            totals[whose] += seconds
        return totals

    @staticmethod
    def _children(server: psutil.Process) -> list[psutil.Process]:
        try:
            return server.children(recursive=True)
        except psutil.Error:
            return []


@dataclass
class Class:
    """What every student saw, gathered as they go; times are perf_counter seconds."""

    readings: list[float] = field(default_factory=list)
    later_readings: list[float] = field(default_factory=list)  # Chromium, each tab's first reading left out
    read_by: set[str] = field(default_factory=set)
    light_readings: list[tuple[float, float]] = field(default_factory=list)  # light sessions: (sent, seconds to read)
    missing: int = 0
    wrong: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    trainings: list[dict] = field(default_factory=list)
    closed: list[dict] = field(default_factory=list)
    ended_lines: list[float] = field(default_factory=list)
    first_run_at: float | None = None  # when the first training showed its progress
    first_reading: asyncio.Event = field(default_factory=asyncio.Event)
    ready: asyncio.Barrier = field(default_factory=lambda: asyncio.Barrier(1))  # lesson() sets the real one
    running_started: asyncio.Event = field(default_factory=asyncio.Event)
    trainers_queued: asyncio.Event = field(default_factory=asyncio.Event)
    trainings_over: asyncio.Event = field(default_factory=asyncio.Event)

    def note_errors(self, who: str, texts: list[str]) -> None:
        self.errors += [f"{who}: {text.strip()[:120]}" for text in texts]


async def open_page(page, url: str) -> None:
    await page.goto(url, timeout=PAGE_MS)
    await page.wait_for_selector(IDLE, state="attached", timeout=PAGE_MS)
    await page.locator("h1").first.wait_for(timeout=PAGE_MS)


async def note_errors(page, who: str, seen: Class) -> None:
    """Record the text of every exception or error box on the page now."""
    seen.note_errors(who, await page.locator(ERRORS).all_inner_texts())


async def read_digit(page, digit: int, who: str, seen: Class) -> None:
    """Draw `digit`, time release to Prediction, check it, then reset the canvas."""
    rect = await canvas(page).bounding_box()
    for points in on_screen(rect, DIGITS[digit]):
        await page.mouse.move(*points[0])
        await page.mouse.down()
        for point in points[1:]:
            await page.mouse.move(*point, steps=6)
        await page.mouse.up()
    released, value = time.perf_counter(), metric(page, "Prediction")
    try:
        await value.wait_for(timeout=READ_MS)
    except Exception:  # Playwright's TimeoutError: the drawing was never read
        seen.missing += 1
        return
    seen.readings.append(time.perf_counter() - released)
    if who in seen.read_by:
        seen.later_readings.append(seen.readings[-1])
    seen.read_by.add(who)
    seen.first_reading.set()
    if (read := (await value.inner_text()).strip()) != str(digit):
        seen.wrong.append(f"{who}: drew {digit}, read {read}")
    await note_errors(page, who, seen)
    await page.get_by_role("button", name=RESET, exact=True).click()
    await value.wait_for(state="detached", timeout=PAGE_MS)


def digits_to_draw(count: int, until: asyncio.Event | None) -> Iterator[int]:
    """The digits a student draws in turn: `count` of them, and on until `until` is set."""
    drawn = 0
    while drawn < count or (until is not None and not until.is_set()):
        yield ONE_STROKE[drawn % len(ONE_STROKE)]
        drawn += 1


async def draw_some(page, url: str, who: str, seen: Class, count: int, until: asyncio.Event | None = None) -> None:
    """Open Home, Explore and Draw, then draw `count` digits (and on until `until` is set)."""
    for path in ("/", PAGES["Explore"], PAGES["Draw"]):
        await open_page(page, url + path)
        await note_errors(page, who, seen)
    await canvas(page).wait_for(timeout=PAGE_MS)
    for digit in digits_to_draw(count, until):
        await read_digit(page, digit, who, seen)
        await asyncio.sleep(1.0)  # a student looks at the answer before the next digit


async def light_draw_some(url: str, who: str, seen: Class, count: int, until: asyncio.Event | None = None) -> None:
    """draw_some without a browser: open Home and Explore, then on Draw release `count` digits (and on until
    `until` is set), timing each from the drawing sent to the Prediction received."""
    for path in ("/", PAGES["Explore"]):
        async with LightSession(url, path) as session:
            seen.note_errors(who, (await session.run()).errors)
    pause = random.Random(who).uniform
    async with LightSession(url, PAGES["Draw"]) as session:
        await session.run()
        for digit in digits_to_draw(count, until):
            released = time.perf_counter()
            try:
                seconds, reply = await asyncio.wait_for(session.draw(DIGITS[digit]), READ_MS / 1000)
            except TimeoutError:  # the run never finished: the session is half-way through a reply, so it stops
                seen.missing += 1
                return
            seen.note_errors(who, reply.errors)
            if seconds is None:
                seen.missing += 1
            else:
                seen.light_readings.append((released, seconds))
                seen.first_reading.set()
                if reply.prediction != str(digit):
                    seen.wrong.append(f"{who} (light): drew {digit}, read {reply.prediction}")
            await asyncio.sleep(pause(*LIGHT_PAUSE))


async def set_number(page, label: str, value: int) -> None:
    field_ = page.get_by_label(re.compile(rf"^{label}", re.I)).first
    await field_.fill(str(value))
    await field_.press("Enter")
    await page.wait_for_selector(IDLE, state="attached", timeout=PAGE_MS)


async def prepare_training(page, url: str, samples: int, epochs: int) -> None:
    """Open Train and set the sample and epoch counts, ready to press Train."""
    await open_page(page, url + PAGES["Train"])
    await set_number(page, "Training samples", samples)
    await page.get_by_text("Customise the network and its training").click()
    await set_number(page, "Epochs", epochs)


async def follow_run(page, who: str, seen: Class) -> dict:
    """Press Train and follow the run: queue places seen, wait, duration."""
    record = {"student": who, "places": []}
    clicked = time.perf_counter()
    await button(page, "Train").click()
    record["clicked"] = clicked
    last_sign = clicked  # when the page last showed a queue place
    while True:
        texts = " ".join(await page.get_by_test_id("stAlertContentInfo").all_inner_texts())
        if match := QUEUED.search(texts):
            last_sign = time.perf_counter()
            if not record["places"] or record["places"][-1] != int(match[1]):
                record["places"].append(int(match[1]))
        elif await page.get_by_test_id("stProgress").count() or await metric(page, "Test accuracy").count():
            break
        elif time.perf_counter() - last_sign > PAGE_MS / 1000:
            shot = Path(tempfile.gettempdir()) / f"classroom-{who.replace(' ', '-')}.png"
            await page.screenshot(path=shot, full_page=True)
            raise RuntimeError(f"no run and no queue place {PAGE_MS / 1000:.0f} s after Train; the page: {shot}")
        await asyncio.sleep(0.25)
    record["started"] = time.perf_counter()
    await metric(page, "Test accuracy").wait_for(timeout=TRAIN_MS)
    record["ended"] = time.perf_counter()
    await note_errors(page, who, seen)
    return record


async def trainer(page, url: str, who: str, seen: Class, plan: Plan) -> None:
    await draw_some(page, url, who, seen, plan.drawings)
    await prepare_training(page, url, *plan.run)
    await seen.ready.wait()
    await seen.running_started.wait()
    seen.trainings.append(await follow_run(page, who, seen))


async def closer_mid_run(page, url: str, who: str, seen: Class, plan: Plan) -> None:
    """Start the long run first, let it go on, then close the tab once the others queue behind it."""
    await draw_some(page, url, who, seen, plan.drawings)
    await prepare_training(page, url, *plan.long_run)
    await seen.ready.wait()
    await button(page, "Train").click()
    await page.get_by_test_id("stProgress").wait_for(timeout=TRAIN_MS)
    seen.first_run_at = time.perf_counter()
    seen.running_started.set()
    await seen.trainers_queued.wait()
    await asyncio.sleep(plan.mid_run_seconds)
    await close_tab(page, who, "mid-run", seen)


async def closer_queued(page, url: str, who: str, seen: Class, plan: Plan) -> None:
    """Queue behind the trainers, then close the tab while still in line (after the mid-run tab's run ended)."""
    await draw_some(page, url, who, seen, plan.drawings)
    await prepare_training(page, url, *plan.run)
    await seen.ready.wait()
    await seen.running_started.wait()
    await asyncio.sleep(1.0)  # the trainers press first
    await button(page, "Train").click()
    await page.get_by_text(QUEUED).wait_for(timeout=PAGE_MS)
    seen.trainers_queued.set()
    for _ in range(600):  # up to two minutes for the mid-run tab's run to end: then this one is told apart in the log
        if seen.ended_lines:
            break
        await asyncio.sleep(0.2)
    if await page.get_by_text(QUEUED).count():
        await close_tab(page, who, "queued", seen)


async def close_tab(page, who: str, when: str, seen: Class) -> None:
    seen.closed.append({"student": who, "when": when, "closed": time.perf_counter()})
    await page.context.close()


async def watch_log(log: Path, seen: Class, done: asyncio.Event) -> None:
    """Note when each 'nobody is waiting' line reaches the server's log."""
    while not done.is_set():
        count = log.read_text(errors="replace").count(ENDED_LINE)
        seen.ended_lines += [time.perf_counter()] * (count - len(seen.ended_lines))
        await asyncio.sleep(0.2)


async def student(browser, url: str, index: int, plan: Plan, seen: Class) -> None:
    await asyncio.sleep(index)  # students arrive a second apart
    who = f"student {index + 1}"
    try:
        if index < plan.in_chromium:
            await in_chromium(browser, url, index, who, plan, seen)
        else:
            await light_draw_some(url, who, seen, plan.drawings, seen.trainings_over)
    except Exception as exc:  # one student's failure is a figure, not the end of the class
        seen.failures.append(f"{who}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
        print(seen.failures[-1], file=sys.stderr, flush=True)
        await seen.ready.abort()  # the others stop waiting for this student at the Train button


async def in_chromium(browser, url: str, index: int, who: str, plan: Plan, seen: Class) -> None:
    """A student in a browser context of their own: a part in the trainings, or drawing until they are over."""
    context = await browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(PAGE_MS)  # a click waits for the rerun before it on a busy server
    page = await context.new_page()
    roles = ([closer_mid_run] + [trainer] * plan.trainers + [closer_queued])[:plan.roles]
    try:
        if index < len(roles):
            await roles[index](page, url, who, seen, plan)
        else:
            await draw_some(page, url, who, seen, plan.drawings, seen.trainings_over)
    finally:
        if who not in (tab["student"] for tab in seen.closed):  # a closer's tab is closed already
            await context.close()


async def lesson(plan: Plan, log: Path) -> dict:
    """The whole class on a fresh server; returns the figures."""
    from playwright.async_api import async_playwright

    seen = Class(ready=asyncio.Barrier(max(plan.roles, 1)))
    async with async_playwright() as playwright:
        with running_app(log) as (url, proc):
            sampler = Sampler(psutil.Process(proc.pid))
            sampler.start()
            cpu = CpuSampler(psutil.Process(proc.pid))
            cpu.start()
            await asyncio.sleep(3)  # idle means idle: let start-up settle
            memory = {"idle_mb": sampler.now() / MB}
            browser = await launch_chromium(playwright)
            done = asyncio.Event()
            watcher = asyncio.create_task(watch_log(log, seen, done))
            sampler.phase = "class"
            students = [asyncio.create_task(student(browser, url, i, plan, seen)) for i in range(plan.students)]
            await seen.first_reading.wait()
            memory["warm_mb"] = sampler.now() / MB
            await asyncio.gather(*students[:plan.roles])
            seen.trainings_over.set()
            await asyncio.gather(*students)
            sampler.phase = "after"
            await asyncio.sleep(plan.after_seconds)
            memory["after_close_mb"] = sampler.now() / MB
            tensorflow = tensorflow_loaded(psutil.Process(proc.pid))
            memory["peak_mb"] = sampler.peaks.get("class", 0) / MB
            sampler.done.set()
            cpu.done.set()
            cpu.sample()
            memory.update({f"{whose}_cpu_s": seconds for whose, seconds in cpu.totals().items()})
            done.set()
            await watcher
            await browser.close()
    return {**summary(seen, memory, plan), "tensorflow_loaded": tensorflow}


def latency_figures(prefix: str, readings: list[float]) -> dict[str, int | float | None]:
    """How many `readings` (seconds), their p50 and p95, under keys that start with `prefix`."""
    ordered = sorted(readings)
    p50 = statistics.median(ordered) if ordered else None
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else None
    return {f"{prefix}readings": len(ordered), f"{prefix}p50_s": p50, f"{prefix}p95_s": p95}


def summary(seen: Class, memory: dict, plan: Plan) -> dict:
    """The figures the table shows, as plain numbers."""
    runs = sorted(seen.trainings, key=lambda run: run["started"])
    first_place = [run["places"][0] if run["places"] else 0 for run in runs]
    mid = next((c for c in seen.closed if c["when"] == "mid-run"), None)
    trained = (seen.first_run_at, max(run["ended"] for run in runs)) if runs and seen.first_run_at else (0, -1)
    during = [seconds for sent, seconds in seen.light_readings if trained[0] <= sent <= trained[1]]
    return {
        "students": plan.students, "in_chromium": plan.in_chromium,
        **latency_figures("", seen.readings),
        **latency_figures("later_", seen.later_readings),
        **latency_figures("light_", [seconds for _, seconds in seen.light_readings]),
        **latency_figures("light_training_", during),
        "missing": seen.missing, "wrong": seen.wrong, "errors": seen.errors, "failures": seen.failures,
        "trainings": [{"student": run["student"], "places": run["places"],
                       "wait_s": run["started"] - run["clicked"], "duration_s": run["ended"] - run["started"]}
                      for run in runs],
        "queue_in_order": first_place == sorted(first_place),
        "closed": [{"student": c["student"], "when": c["when"],
                    "ended_after_s": next((t - c["closed"] for t in seen.ended_lines if t >= c["closed"]), None)}
                   for c in seen.closed],
        "next_started_after_s": runs[0]["started"] - mid["closed"] if mid and runs else None,
        **{key: round(value, 1) for key, value in memory.items()},
    }


def print_table(f: dict) -> None:
    def s(value) -> str:
        return "-" if value is None else f"{value:.2f} s"

    light = f["students"] - f["in_chromium"]
    print(f"| measure ({f['students']} students: {f['in_chromium']} in Chromium, {light} light sessions) | figure |"
          "\n|---|---|")
    print(f"| release to prediction p50 / p95, in Chromium ({f['readings']} readings) "
          f"| {s(f['p50_s'])} / {s(f['p95_s'])} |")
    print(f"| the same without each tab's first reading ({f['later_readings']} readings) "
          f"| {s(f['later_p50_s'])} / {s(f['later_p95_s'])} |")
    if light:
        print(f"| drawing sent to prediction received p50 / p95, light sessions ({f['light_readings']} readings) "
              f"| {s(f['light_p50_s'])} / {s(f['light_p95_s'])} |")
    if light and f["trainings"]:
        print(f"| the same while trainings ran ({f['light_training_readings']} readings) "
              f"| {s(f['light_training_p50_s'])} / {s(f['light_training_p95_s'])} |")
    print(f"| predictions missing / wrong | {f['missing']} / {len(f['wrong'])} |")
    print(f"| error elements seen | {len(f['errors'])} |")
    for run in f["trainings"]:
        print(f"| training of {run['student']}: wait / duration (places seen {run['places']}) "
              f"| {s(run['wait_s'])} / {s(run['duration_s'])} |")
    if f["trainings"]:
        print(f"| queue served in order | {'yes' if f['queue_in_order'] else 'NO'} |")
    for closed in f["closed"]:
        print(f"| tab of {closed['student']} closed {closed['when']}: its run ended after | "
              f"{s(closed['ended_after_s'])} |")
    if f["closed"]:
        print(f"| next run started after the mid-run tab closed | {s(f['next_started_after_s'])} |")
    print(f"| server memory idle / warm / peak / after close | {f['idle_mb']:.0f} / {f['warm_mb']:.0f} / "
          f"{f['peak_mb']:.0f} / {f['after_close_mb']:.0f} MB |")
    print(f"| TensorFlow loaded in the server | {'yes' if f['tensorflow_loaded'] else 'no'} |")
    print(f"| CPU seconds: server (trainings included) / the browsers / the light sessions, on the same cores "
          f"| {f['server_cpu_s']:.0f} / {f['browsers_cpu_s']:.0f} / {f['light_cpu_s']:.0f} |")
    for line in f["wrong"] + f["errors"] + f["failures"]:
        print(f"  {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30, help="students, started a second apart (>= 4)")
    parser.add_argument("--browsers", type=int, help="students in Chromium (default: all); the others are light "
                                                     "sessions that speak the websocket protocol")
    parser.add_argument("--quick", action="store_true", help="short runs and waits: checks the benchmark works")
    parser.add_argument("--draw-only", action="store_true",
                        help="a class that only draws: server memory without TensorFlow (target: under 400 MB)")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    parser.add_argument("--all-train", action="store_true",
                        help="every student presses Train at the page's defaults within --within seconds")
    parser.add_argument("--drawers", type=int, default=5, help="--all-train: light sessions drawing meanwhile")
    parser.add_argument("--within", type=float, default=60.0, help="--all-train: seconds in which all press Train")
    parser.add_argument("--one-core", action="store_true",
                        help="--all-train: the server and its training process on one core (taskset -c 0; "
                             "with --servers 2, a core each)")
    parser.add_argument("--class-images", type=int,
                        help="--all-train: the teacher first sets the class's default training images to this")
    parser.add_argument("--servers", type=int, default=1,
                        help="--all-train: app servers on one throwaway PostgreSQL, students alternating")
    parser.add_argument("--clients-nice", type=int, default=19, choices=range(20), metavar="0-19",
                        help="--all-train: the clients' nice value (students' devices are not the server's)")
    args = parser.parse_args(argv)
    if args.all_train:
        from benchmarks import alltrain

        return alltrain.main(args.students, 3 if args.browsers is None else args.browsers, args.drawers,
                             args.within, args.one_core, args.class_images, args.servers, args.clients_nice,
                             args.json)
    if args.students < 4 and not args.draw_only:
        parser.error("--students must be at least 4 (two close their tab, one trains, one draws)")
    # Quick runs still last long enough that the queued tab's 10 s of grace end while it waits in line: the two
    # trainers' runs together well over 10 s, even with the network kept compiled (one epoch of 20,000 took 1.3 s).
    quick = {"drawings": 2, "run": (20_000, 8), "after_seconds": 5}
    size = quick if args.quick else {"drawings": 10, "run": (12_000, 2)}
    plan = Plan(args.students, draw_only=args.draw_only, browsers=args.browsers, **size)
    if plan.in_chromium < plan.roles:
        parser.error(f"--browsers must be at least {plan.roles}: the students with a part in the trainings need one")
    figures = asyncio.run(lesson(plan, Path(tempfile.mkdtemp()) / "streamlit.log"))
    print_table(figures)
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
