"""A student without a browser: one Streamlit session spoken over the app's own websocket protocol.

Thirty Chromium tabs on the server's two cores measure the browsers more than the server (the
draw-only class: 1,170 CPU seconds for the tabs against 69 for the server). A light session sends
the server what a browser sends, recorded from Chromium on Draw: a page's first run, then on each
mouse release a rerun carrying the canvas's value (the drawing as a PNG data URL beside Fabric's
paths). It reads the Prediction from the replies and fetches the images they name, as a browser
would, so the server does a class's work while the two cores stay the server's.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Sequence

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
    """What one script run sent back: the Prediction shown (and when), error texts, image URLs, widget ids."""

    prediction: str | None = None
    predicted_at: float | None = None  # perf_counter seconds when the Prediction arrived
    errors: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    canvas_id: str | None = None

    def read(self, message: ForwardMsg) -> None:
        """Take what matters from one delta of the run."""
        element = message.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "metric" and element.metric.label == "Prediction":
            self.prediction, self.predicted_at = element.metric.body, time.perf_counter()
        elif kind == "exception":
            self.errors.append(element.exception.message)
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            self.errors.append(element.alert.body)
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

    async def __aenter__(self) -> LightSession:
        stream = self.url.replace("http", "ws", 1) + "/_stcore/stream"
        self.socket = await connect(stream, subprotocols=["streamlit"], origin=self.url, max_size=MAX_MESSAGE)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.socket.close()

    async def run(self, widgets: dict[str, str] | None = None) -> Reply:
        """Rerun the page with the canvas's value `widgets` {widget id: JSON}, as a release does; wait for the end."""
        message = BackMsg()
        message.rerun_script.page_name = self.page
        for widget_id, value in (widgets or {}).items():
            state = message.rerun_script.widget_states.widgets.add()
            state.id, state.json_value = widget_id, value
        await self.socket.send(message.SerializeToString())
        reply = Reply()
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self.socket.recv())
            kind = forward.WhichOneof("type")
            if kind == "delta":
                reply.read(forward)
            elif kind == "script_finished":
                self.canvas_id = reply.canvas_id or self.canvas_id
                await asyncio.to_thread(self._fetch, reply.media)
                return reply

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
