"""A class where everyone trains: thirty students press Train at the page's defaults within a minute.

`python -m benchmarks.classroom --all-train` runs this. On a fresh server, students open Train
(most as light sessions that speak Streamlit's websocket protocol, a few in Chromium); once all
have it open, each presses Train at a moment drawn at random within the next `--within` seconds,
and the runs queue behind each other, one at a time (the server's default). Meanwhile a few light sessions draw on
Draw, as students who wait do, and their readings are timed. Every student keeps the Train page
open as a browser does (its fragments rerun at their intervals) until the run's Test accuracy shows.

It prints each student's wait and duration, the start each one was first told to expect against
the real one, when the last result arrived after the first press, the drawing students' p95 while
trainings ran, and the resident memory of the server and of its training process.

    python -m benchmarks.classroom --all-train [--students 30] [--browsers 3] [--drawers 5] [--within 60]
        [--one-core] [--class-images N] [--servers 2] [--clients-nice 19] [--json]

`--one-core` holds the server and its training process to one core (`taskset -c 0`, as a busy
Community Cloud container gives; with `--servers 2`, each server its own core); the clients keep
both. `--class-images N` has the teacher set the class's default training images to N on the Train
page first (the page's defaults are then N). `--servers 2` runs two app servers, each with its own
training process, on one throwaway PostgreSQL (a school's replicas behind sticky sessions):
students alternate between them.

In a class the students' browsers run on their own devices; here the clients (light sessions, Chromium)
share the server's two cores. `--clients-nice N` (default 19) runs them at that nice value, so they take
what the server and its training process leave, as remote devices would take nothing; `--clients-nice 0`
lets them compete as equals. Their CPU seconds are printed either way.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

import psutil

from benchmarks.appserver import PAGES, VIEWPORT, launch_chromium, running_app, scratch_env, scratch_models
from benchmarks.classroom import CpuSampler, Class, latency_figures, light_draw_some
from benchmarks.lightclient import LightSession, Reply
from benchmarks.memory import MB
from benchmarks.postgres import running_postgres
from tests.e2e.st_page import button, metric

TRAIN_PAGE = PAGES["Train"]
PLACE = re.compile(r"Queued: number (\d+) in line")
ESTIMATE = re.compile(r"should start in about (?:(\d+) min )?(\d+) s")
RESULT, FIT = "Test accuracy", "Training time"
LESSON_SECONDS = 1800  # a run not ended by then is lost


@dataclass
class Student:
    """One student's training, as seen from the page; times are perf_counter seconds."""

    who: str
    client: str  # "light" or "chromium"
    pressed: float = 0.0
    places: list[int] = field(default_factory=list)
    told: float | None = None  # when the first estimate showed
    estimate: float | None = None  # the start it said, as a perf_counter time
    started: float | None = None
    ended: float | None = None
    accuracy: str | None = None
    fit: str | None = None  # the page's Training time: the fit alone, as the training process measured it
    errors: list[str] = field(default_factory=list)

    def saw(self, texts: list[str], running: bool, now: float) -> None:
        """Note the queue place and first estimate shown in `texts`, and the start once the run shows progress."""
        for text in texts:
            if (place := PLACE.search(text)) and (not self.places or self.places[-1] != int(place[1])):
                self.places.append(int(place[1]))
            if (said := ESTIMATE.search(text)) and self.estimate is None:
                self.told, self.estimate = now, now + int(said[1] or 0) * 60 + int(said[2])
        if running and self.started is None:
            self.started = now


class MemorySampler(threading.Thread):
    """Resident memory of each server process and of its training process, sampled every half second: the peaks of
    the largest one."""

    def __init__(self, servers: list[psutil.Process], period: float = 0.5):
        super().__init__(daemon=True)
        self.servers, self.period, self.done = servers, period, threading.Event()
        self.peaks = {"server_mb": 0.0, "training_process_mb": 0.0}

    def run(self) -> None:
        while not self.done.wait(self.period):
            for server in self.servers:
                for key, rss in self.now(server).items():
                    self.peaks[key] = max(self.peaks[key], rss)

    @staticmethod
    def now(server: psutil.Process) -> dict[str, float]:
        sizes = {"server_mb": 0.0, "training_process_mb": 0.0}
        try:
            sizes["server_mb"] = server.memory_info().rss / MB
            for child in server.children(recursive=True):
                if "digits_core.worker" in " ".join(child.cmdline()):
                    sizes["training_process_mb"] += child.memory_info().rss / MB
        except psutil.Error:
            pass
        return sizes


@contextmanager
def class_servers(count: int, log: Path) -> Iterator[list[tuple[str, psutil.Process]]]:
    """`count` app servers writing only to scratch, each with its own training process: (base URL, process) each.
    Two or more share one throwaway PostgreSQL, as a school's replicas share the class database."""
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        env = scratch_env(scratch_models(folder / "models"), folder)
        if count > 1:
            env["DIGITS_DATABASE_URL"] = stack.enter_context(running_postgres())
        started = [stack.enter_context(running_app(log.with_suffix(f".{i}.log"), env)) for i in range(count)]
        yield [(url, psutil.Process(proc.pid)) for url, proc in started]


class Bell:
    """The moment the class is told to train: once every student has Train open (or one of them failed to)."""

    def __init__(self, students: int):
        self.everyone = asyncio.Barrier(students)
        self.rang: float | None = None

    async def wait(self, after: float) -> None:
        """Wait for every student, then `after` seconds more."""
        try:
            await self.everyone.wait()
        except asyncio.BrokenBarrierError:  # a student could not open Train: the others go on
            pass
        self.rang = self.rang or time.perf_counter()
        await asyncio.sleep(max(self.rang + after - time.perf_counter(), 0))

    async def absent(self) -> None:
        await self.everyone.abort()


async def set_class_images(url: str, images: int) -> None:
    """The teacher sets the class's default training images on the Train page (no passcode is set here)."""
    async with LightSession(url, TRAIN_PAGE) as teacher:
        await teacher.run()
        await teacher.run(pressed="Set for the class", numbers={"Class training images": images})


async def light_trainer(url: str, student: Student, bell: Bell, after: float) -> None:
    """Open Train, press Train `after` seconds after the bell, keep the page open until the test accuracy shows."""
    async with LightSession(url, TRAIN_PAGE) as session:
        try:
            await session.run()
        except Exception:
            await bell.absent()
            raise
        await bell.wait(after)
        student.pressed = time.perf_counter()

        def seen(reply: Reply) -> bool:
            student.errors += reply.errors
            student.saw(reply.infos, reply.progress or RESULT in reply.metrics, time.perf_counter())
            student.accuracy = reply.metrics.get(RESULT, student.accuracy)
            student.fit = reply.metrics.get(FIT, student.fit)
            return RESULT in reply.metrics

        if not seen(await session.run(pressed="Train")):
            await session.follow(seen, LESSON_SECONDS)
        student.ended = time.perf_counter()


async def chromium_trainer(browser, url: str, student: Student, bell: Bell, after: float) -> None:
    """The same in a Chromium tab: the clock stops when the page shows the test accuracy."""
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    try:
        train = button(page, "Train").and_(page.locator(":enabled"))
        try:
            await page.goto(url + TRAIN_PAGE, timeout=LESSON_SECONDS * 1000)
            await train.wait_for(timeout=LESSON_SECONDS * 1000)
        except Exception:
            await bell.absent()
            raise
        await bell.wait(after)
        student.pressed = time.perf_counter()
        await train.click()
        result = metric(page, RESULT)
        while not await result.count():
            texts = await page.get_by_test_id("stAlertContentInfo").all_inner_texts()
            running = await page.get_by_test_id("stProgress").count() > 0
            student.saw(texts, running, time.perf_counter())
            if time.perf_counter() - student.pressed > LESSON_SECONDS:
                return
            await asyncio.sleep(0.25)
        student.saw([], True, time.perf_counter())
        student.ended = time.perf_counter()
        student.accuracy = (await result.first.inner_text()).strip()
        student.fit = (await metric(page, FIT).first.inner_text()).strip()
    finally:
        await context.close()


def lower_the_clients(nice: int) -> None:
    """This thread (the light sessions) and the processes it starts from now on (Playwright's driver, Chromium)
    at nice `nice`: the students' devices, which in class are not the server's."""
    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


async def lesson(students: int, browsers: int, drawers: int, within: float, one_core: bool, class_images: int | None,
                 servers: int, clients_nice: int, log: Path) -> dict:
    from playwright.async_api import async_playwright

    seen = Class()
    class_ = [Student(f"student {i + 1}", "chromium" if i < browsers else "light") for i in range(students)]
    with class_servers(servers, log) as started:  # started first: the servers keep this process's priority
        lower_the_clients(clients_nice)
        async with async_playwright() as playwright:
            urls = [url for url, _ in started]
            for index, (url, server) in enumerate(started):
                if one_core:  # a core each: two servers are two one-core replicas; the training process inherits it
                    server.cpu_affinity([index % psutil.cpu_count()])
                if class_images:
                    await set_class_images(url, class_images)
            memory, cpu = MemorySampler([server for _, server in started]), CpuSampler(*(s for _, s in started))
            memory.start()
            cpu.start()
            browser = await launch_chromium(playwright)
            trainings_over = asyncio.Event()
            drawing = [asyncio.create_task(light_draw_some(urls[i % servers], f"drawer {i + 1}", seen, 1,
                                                           trainings_over)) for i in range(drawers)]
            bell = Bell(len(class_))
            spread = random.Random(29)
            presses = sorted(spread.uniform(0, within) for _ in class_)
            order = random.Random(30).sample(class_, len(class_))  # Chromium tabs press anywhere in the line
            sticky = [urls[i % servers] for i in range(len(order))]  # each student keeps one server
            ended = await asyncio.gather(*(
                chromium_trainer(browser, url, student, bell, after) if student.client == "chromium" else
                light_trainer(url, student, bell, after) for student, after, url in zip(order, presses, sticky)),
                return_exceptions=True)
            for student, outcome in zip(order, ended):
                if isinstance(outcome, Exception):  # one student's failure is a figure, not the end of the class
                    student.errors.append(f"{type(outcome).__name__}: {str(outcome).splitlines()[0][:160]}")
                    print(f"{student.who}: {student.errors[-1]}", file=sys.stderr, flush=True)
            trainings_over.set()
            await asyncio.gather(*drawing, return_exceptions=True)
            memory.done.set()
            cpu.done.set()
            cpu.sample()
            await browser.close()
    return {**figures(class_, seen, memory.peaks, cpu.totals(), one_core), "class_images": class_images or 60_000,
            "servers": servers, "clients_nice": clients_nice}


def figures(class_: list[Student], seen: Class, memory: dict[str, float], cpu: dict[str, float],
            one_core: bool) -> dict:
    """Plain numbers for the table and the JSON line."""
    done = [s for s in class_ if s.ended is not None and s.started is not None]
    first = min((s.pressed for s in class_ if s.pressed), default=0.0)
    last = max((s.ended for s in done), default=first)
    during = [seconds for sent, seconds in seen.light_readings if first <= sent <= last]
    told = [s for s in done if s.estimate is not None and s.started > s.told]
    errors = [((s.estimate - s.pressed) - (s.started - s.pressed)) / (s.started - s.pressed) for s in told]
    return {
        "students": len(class_), "one_core": one_core,
        "last_result_seconds": last - first,
        "draw_p95_seconds": latency_figures("", during)["p95_s"],
        "draw_p50_seconds": latency_figures("", during)["p50_s"], "draw_readings": len(during),
        "lost": len(class_) - len(done),
        "estimates_within_25_percent": sum(abs(e) <= 0.25 for e in errors), "estimates_shown": len(errors),
        "worst_estimate_error": max(errors, key=abs, default=None),
        "peak_server_mb": memory["server_mb"], "peak_training_process_mb": memory["training_process_mb"],
        "server_cpu_s": cpu["server"], "browsers_cpu_s": cpu["browsers"], "light_sessions_cpu_s": cpu["light"],
        "missing_readings": seen.missing,
        "errors": [f"{s.who}: {text[:120]}" for s in class_ for text in s.errors] + seen.errors,
        "trainings": [{**asdict(s), "wait_s": s.started - s.pressed, "duration_s": s.ended - s.started,
                       "told_wait_s": None if s.estimate is None else s.estimate - s.pressed,
                       "pressed_s": s.pressed - first}
                      for s in sorted(done, key=lambda s: s.started)],
    }


def print_table(f: dict) -> None:
    def s(value) -> str:
        return "-" if value is None else f"{value:.1f} s"

    cores = ("one core (taskset -c 0)" if f["servers"] == 1 else "one core each") if f["one_core"] else "two cores"
    where = "server" if f["servers"] == 1 else f"{f['servers']} servers on one PostgreSQL"
    print(f"| {f['students']} students press Train within a minute ({f['class_images']:,} images), {where} on {cores} "
          "| figure |\n|---|---|")
    print(f"| last result, after the first press | {s(f['last_result_seconds'])} |")
    print(f"| trainings that never ended | {f['lost']} |")
    print(f"| drawing while they trained: p50 / p95 ({f['draw_readings']} readings, light sessions) "
          f"| {s(f['draw_p50_seconds'])} / {s(f['draw_p95_seconds'])} |")
    print(f"| estimated starts within 25% of the real one | {f['estimates_within_25_percent']} of "
          f"{f['estimates_shown']} (worst {f['worst_estimate_error'] or 0:+.0%}) |")
    print(f"| peak memory of one server / its training process | {f['peak_server_mb']:.0f} / "
          f"{f['peak_training_process_mb']:.0f} MB |")
    print(f"| CPU seconds: server and training process / Chromium / light sessions (nice {f['clients_nice']}) "
          f"| {f['server_cpu_s']:.0f} / {f['browsers_cpu_s']:.0f} / {f['light_sessions_cpu_s']:.0f} |")
    print("\n| student | pressed at | first place | told to wait | waited | trained (of which the fit) "
          "| test accuracy |\n|---|---|---|---|---|---|---|")
    for run in f["trainings"]:
        place = run["places"][0] if run["places"] else "-"
        print(f"| {run['who']} ({run['client']}) | {s(run['pressed_s'])} | {place} | {s(run['told_wait_s'])} "
              f"| {s(run['wait_s'])} | {s(run['duration_s'])} ({run['fit']}) | {run['accuracy']} |")
    for line in f["errors"]:
        print(f"  {line}")


def main(students: int, browsers: int, drawers: int, within: float, one_core: bool, class_images: int | None,
         servers: int, clients_nice: int, as_json: bool) -> int:
    result = asyncio.run(lesson(students, browsers, drawers, within, one_core, class_images, servers, clients_nice,
                                Path(tempfile.mkdtemp()) / "streamlit.log"))
    print_table(result)
    if as_json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    from benchmarks.classroom import main as classroom

    sys.exit(classroom(["--all-train", *sys.argv[1:]]))
