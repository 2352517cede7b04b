"""The app's pages: script, sidebar title, URL and the line Home shows for each. Data only.

app.py builds its navigation from this list; Home, the tests and the benchmarks read it
too, so a new page is added here once. It imports nothing, so anything may read it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    """One page: its script under pages/, sidebar title, Material icon, URL path ("" for Home) and a one-line pitch."""

    script: str
    title: str
    icon: str
    url_path: str
    pitch: str

    @property
    def url(self) -> str:
        """The path a browser opens: "/" for Home, "/explore" for Explore."""
        return f"/{self.url_path}"


ROUTES: tuple[Route, ...] = (
    Route("pages/home.py", "Home", ":material/home:", "", "What the app does and the way through it."),
    Route("pages/lesson.py", "Lesson", ":material/school:", "lesson",
          "A guided path of about 45 minutes: seven steps, a question each, ticked off as you go."),
    Route("pages/explore.py", "Explore", ":material/grid_view:", "explore",
          "Browse the 70,000 images, their pixel values and class balance."),
    Route("pages/train.py", "Train", ":material/model_training:", "train",
          "Pick a preset network or build your own and watch it learn."),
    Route("pages/evaluate.py", "Evaluate", ":material/analytics:", "evaluate",
          "Confusion matrix, per-digit scores and the model's mistakes."),
    Route("pages/compare.py", "Compare", ":material/compare_arrows:", "compare",
          "Two to four models side by side: curves, per-digit recall, and whether a lead is luck."),
    Route("pages/draw.py", "Draw", ":material/draw:", "draw",
          "Draw a digit or upload a photo and see what the model reads."),
    Route("pages/handwriting.py", "Handwriting", ":material/edit_note:", "handwriting",
          "The class's own digits, corrected on Draw: how a model reads them, and a model tuned to them."),
    Route("pages/inside.py", "Inside", ":material/neurology:", "inside",
          "What each layer sees, which pixels decided, and where a digit sits among the others."),
    Route("pages/board.py", "Board", ":material/leaderboard:", "board",
          "Every student's posted model, ranked on the class's own handwriting and on MNIST."),
)

HOME, LESSON = ROUTES[0], ROUTES[1]
URLS: dict[str, str] = {route.title: route.url for route in ROUTES}  # sidebar title -> URL path
