"""A student without a browser: one Streamlit session spoken over the app's own websocket protocol.

Thirty Chromium tabs on the server's two cores measure the browsers more than the server (the
draw-only class: 1,170 CPU seconds for the tabs against 69 for the server). A light session sends
the server what a browser sends, recorded from Chromium on Draw: a page's first run, then on each
mouse release a rerun carrying the canvas's value (the drawing as a PNG data URL beside Fabric's
paths). It reads the Prediction from the replies and fetches the images they name, as a browser
would, so the server does a class's work while the two cores stay the server's.

On Train it presses a button as a browser does (a rerun carrying the button's trigger), then
keeps the page alive as Streamlit's front end does: each fragment with `run_every` is rerun at
its interval until a whole run of the page replaces it, and every reply is read.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Callable, Sequence

from PIL import Image, ImageDraw
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect

CANVAS_PX, PEN_PX = 280, 20  # ui.draw's canvas and the stroke slider's default
CANVAS_COMPONENT = "streamlit-drawable-canvas.streamlit_drawable_canvas"
MAX_MESSAGE = 64 * 2**20  # a page's replies carry Plotly figures and grids of images

Point = tuple[float, float]


def canvas_value(strokes: Sequence[Sequence[Point]]) -> str:
    """The canvas's value after drawing `strokes` (points 0-1) with the default pen: what the browser sends."""
    picture = Image.new("RGBA", (CANVAS_PX, CANVAS_PX), "black")
    pen = ImageDraw.Draw(picture)
    paths = []
    for stroke in strokes:
        points = [(x * CANVAS_PX, y * CANVAS_PX) for x, y in stroke]
        pen.line(points, fill="white", width=PEN_PX, joint="curve")
        for x, y in (points[0], points[-1]):  # Fabric's round caps
            pen.ellipse((x - PEN_PX / 2, y - PEN_PX / 2, x + PEN_PX / 2, y + PEN_PX / 2), fill="white")
        paths.append({"type": "Path", "stroke": "#FFFFFF", "strokeWidth": PEN_PX, "strokeLineCap": "round",
                      "path": [["M", *points[0]], *(["L", *point] for point in points[1:])]})
    png = io.BytesIO()
    picture.save(png, format="PNG")
    data_url = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    return json.dumps({"drawing": {"raw": {"version": "7.4.0", "objects": paths, "background": "#000000"},
                                   "data": data_url}})


@dataclass
class Reply:
    """What one script run sent back: the Prediction shown (and when), metrics, info boxes, progress bars, error
    texts, image URLs, widget ids."""

    prediction: str | None = None
    predicted_at: float | None = None  # perf_counter seconds when the Prediction arrived
    metrics: dict[str, str] = field(default_factory=dict)
    infos: list[str] = field(default_factory=list)
    progress: bool = False
    errors: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    canvas_id: str | None = None
    buttons: dict[str, str] = field(default_factory=dict)  # label: widget id
    numbers: dict[str, str] = field(default_factory=dict)  # a number box's label: its widget id

    def read(self, message: ForwardMsg) -> None:
        """Take what matters from one delta of the run."""
        element = message.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "metric":
            self.metrics[element.metric.label] = element.metric.body
            if element.metric.label == "Prediction":
                self.prediction, self.predicted_at = element.metric.body, time.perf_counter()
        elif kind == "exception":
            self.errors.append(element.exception.message)
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            self.errors.append(element.alert.body)
        elif kind == "alert" and element.alert.format == Alert.INFO:
            self.infos.append(element.alert.body)
        elif kind == "progress":
            self.progress = True
        elif kind == "button":
            self.buttons[element.button.label] = element.button.id
        elif kind == "number_input":
            self.numbers[element.number_input.label] = element.number_input.id
        elif kind == "imgs":
            self.media += [image.url for image in element.imgs.imgs]
        elif kind == "bidi_component" and element.bidi_component.component_name == CANVAS_COMPONENT:
            self.canvas_id = element.bidi_component.id


class LightSession:
    """One session on the app at `url`, opened on the page at `page` ("" for Home); use `async with`."""

    def __init__(self, url: str, page: str):
        self.url, self.page = url, page.strip("/")
        self.socket: ClientConnection | None = None
        self.canvas_id: str | None = None
        self.buttons: dict[str, str] = {}
        self.numbers: dict[str, str] = {}
        self.page_hash = ""  # the page's script hash, which a browser sends with every rerun once it knows it
        self.reruns: dict[str, tuple[float, float]] = {}  # fragment id: (interval, next time due), as the front end

    async def __aenter__(self) -> LightSession:
        stream = self.url.replace("http", "ws", 1) + "/_stcore/stream"
        self.socket = await connect(stream, subprotocols=["streamlit"], origin=self.url, max_size=MAX_MESSAGE)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.socket.close()

    async def run(self, widgets: dict[str, str] | None = None, pressed: str | None = None,
                  numbers: dict[str, int] | None = None) -> Reply:
        """Rerun the page with the canvas's value `widgets` {widget id: JSON}, as a release does, or with the
        button labelled `pressed` clicked (and whole `numbers` typed in the boxes they name); wait for the end."""
        message = self._rerun()
        for widget_id, value in (widgets or {}).items():
            state = message.rerun_script.widget_states.widgets.add()
            state.id, state.json_value = widget_id, value
        for label, number in (numbers or {}).items():
            state = message.rerun_script.widget_states.widgets.add()
            state.id, state.int_value = self.numbers[label], number
        if pressed is not None:
            state = message.rerun_script.widget_states.widgets.add()
            state.id, state.trigger_value = self.buttons[pressed], True
        await self.socket.send(message.SerializeToString())
        reply = Reply()
        while True:
            forward = await self._receive(reply)
            if forward.WhichOneof("type") == "script_finished":
                await asyncio.to_thread(self._fetch, reply.media)
                return reply

    async def follow(self, until: Callable[[Reply], bool], timeout: float) -> Reply:
        """Keep the page open as a browser does, rerunning its fragments at their intervals, until a run's reply
        satisfies `until` (TimeoutError after `timeout` seconds)."""
        deadline, reply = time.perf_counter() + timeout, Reply()
        while True:
            now = time.perf_counter()
            if now > deadline:
                raise TimeoutError(f"the page never showed what was waited for in {timeout:.0f} s")
            due = min((at for _, at in self.reruns.values()), default=now + 1.0)
            try:
                forward = await asyncio.wait_for(self._receive(reply), max(due - now, 0.0))
            except TimeoutError:
                await self._rerun_due_fragments()
                continue
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                reply = Reply()
            elif kind == "script_finished":
                if until(reply):
                    return reply

    async def _receive(self, reply: Reply) -> ForwardMsg:
        """The next message from the server, read into `reply` and into what the session keeps (ids, timers)."""
        forward = ForwardMsg()
        forward.ParseFromString(await self.socket.recv())
        kind = forward.WhichOneof("type")
        if kind == "delta":
            reply.read(forward)
            self.canvas_id = reply.canvas_id or self.canvas_id
            self.buttons.update(reply.buttons)
            self.numbers.update(reply.numbers)
        elif kind == "new_session" and not forward.metadata.run.fragment_ids:
            self.reruns.clear()  # a whole run: its fragments announce their timers again
        elif kind == "navigation":
            self.page_hash = forward.navigation.page_script_hash
        elif kind == "auto_rerun":
            interval = forward.auto_rerun.interval
            if self.reruns.get(forward.auto_rerun.fragment_id, (None,))[0] != interval:
                self.reruns[forward.auto_rerun.fragment_id] = interval, time.perf_counter() + interval
        elif kind == "stop_auto_rerun":
            for fragment_id in forward.stop_auto_rerun.fragment_ids:
                self.reruns.pop(fragment_id, None)
        return forward

    def _rerun(self) -> BackMsg:
        """A rerun of this session's page: without its script hash, a rerun the server starts itself shows Home."""
        message = BackMsg()
        message.rerun_script.page_name, message.rerun_script.page_script_hash = self.page, self.page_hash
        return message

    async def _rerun_due_fragments(self) -> None:
        now = time.perf_counter()
        for fragment_id, (interval, due) in list(self.reruns.items()):
            if due <= now:
                message = self._rerun()
                message.rerun_script.fragment_id, message.rerun_script.is_auto_rerun = fragment_id, True
                await self.socket.send(message.SerializeToString())
                self.reruns[fragment_id] = interval, now + interval

    async def draw(self, strokes: Sequence[Sequence[Point]]) -> tuple[float | None, Reply]:
        """Release a drawing of `strokes` on the canvas: seconds from sending it to the Prediction, and the reply."""
        if self.canvas_id is None:
            raise RuntimeError(f"no drawing canvas on the page /{self.page}")
        value = canvas_value(strokes)  # drawn before the clock starts: a browser has it ready on release
        sent = time.perf_counter()
        reply = await self.run({self.canvas_id: value})
        return (None if reply.predicted_at is None else reply.predicted_at - sent), reply

    def _fetch(self, paths: list[str]) -> None:
        """GET the images a reply names, as the browser does to show them."""
        for path in paths:
            with urllib.request.urlopen(self.url + path, timeout=60) as answer:
                answer.read()
