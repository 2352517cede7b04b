"""Where a picked model comes from, and the one way from a picker's label to what reads digits with it.

Models come from three places: the store (models/), a run of this session, and a post on the class
board. A picker lists `Models.labels()`; `find` says which model a label names, and `reader`,
`as_run`, `evaluation`, `keras_model` and `worker_source` give what the pages read with it, the
same way for all three. Nothing is cached here: the app caches by `Picked.key`, which changes
whenever the model does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Protocol, Sequence

from .data import MnistData
from .runs import Run, stored_run, with_new_id
from .spec import ModelSpec
from .store import ModelStore, StoreError, StoredModel, model_from_bytes
from .worker import ModelSource

if TYPE_CHECKING:  # pandas (evaluation) and LiteRT (predictor) load with the first page that reads a model
    import keras

    from .classroom.board import Post
    from .evaluation import Evaluation
    from .predictor import Predictor

STORED, RUN, POST = "stored", "run", "post"
BOARD = "Class board"  # how pickers mark the board's posts


class PostReader(Protocol):
    """Where a post's model bytes are read (classroom.board.Board)."""

    def lite(self, post_id: int) -> bytes: ...

    def model(self, post_id: int) -> bytes: ...


@dataclass(frozen=True)
class Picked:
    """One model a picker offers: its label, where it comes from, and a key that changes whenever it does."""

    label: str
    kind: str  # STORED, RUN or POST
    key: str  # unique in the server for this version of the model: what shared caches are keyed by
    name: str  # the store's name, the run's or the post's
    accuracy: float | None  # on MNIST's test set
    spec: ModelSpec | None
    version: str | None = None  # a stored model's created_at
    run: Run | None = None
    post: Post | None = None

    @property
    def stored(self) -> bool:
        return self.kind == STORED


def post_label(post: Post) -> str:
    """How pickers list a post: marked as the board's, its number first (names and nicknames may repeat)."""
    return f"{BOARD} #{post.id}: {post.name} by {post.nickname}"


def convert_here(model_bytes: bytes) -> bytes:
    """A .keras model's LiteRT form, converted in this process (the command line; the app asks the training process)."""
    from .lite import convert

    return convert(model_from_bytes(model_bytes))


class Models:
    """Every model a page may pick: this session's runs (newest first), the stored models, the board's posts."""

    def __init__(self, runs: Sequence[Run], store: ModelStore, posts: Sequence[Post] = (),
                 board: PostReader | None = None, to_lite: Callable[[bytes], bytes] = convert_here):
        self.runs, self.store, self.posts, self.board, self.to_lite = runs, store, posts, board, to_lite

    @cached_property
    def choices(self) -> list[Picked]:
        """What a picker lists, in order."""
        return ([_of_run(run) for run in reversed(self.runs)] + [_of_stored(entry) for entry in self._stored()]
                + [_of_post(post) for post in reversed(self.posts)])

    def labels(self) -> list[str]:
        return [picked.label for picked in self.choices]

    def find(self, label: str | None) -> Picked | None:
        """The model a picker lists as `label`, or None when there is none (a run dropped, a post taken down)."""
        return next((picked for picked in self.choices if picked.label == label), None)

    def reader(self, picked: Picked) -> Predictor:
        """What reads a digit with the model: LiteRT where it is installed, no TensorFlow in the server."""
        from . import lite
        from .predictor import Predictor

        if picked.kind == STORED:
            return Predictor.load(picked.name, self.store)
        if not lite.available():
            return Predictor(self.keras_model(picked), picked.label)
        content = self.to_lite(picked.run.model_bytes) if picked.kind == RUN else self._post_bytes(picked, "lite")
        return Predictor(lite.LiteModel(content, picked.label), picked.label)

    def as_run(self, picked: Picked, data: MnistData) -> Run:
        """The model as a Run, which Compare shows: a stored model's or a post's test probabilities read here."""
        from .evaluation import scores

        if picked.kind == RUN:
            return picked.run
        if picked.kind == STORED:
            return stored_run(self.store, picked.name, data.x_test)
        post, probabilities = picked.post, self.reader(picked).probabilities(data.x_test)
        loss, accuracy = scores(probabilities, data.y_test)
        return with_new_id(Run(0, post.name, post.preset, post.spec, (), (), post.train_seconds, False, loss, accuracy,
                               post.train_samples, post.params, len(self._post_bytes(picked, "model")),
                               probabilities.astype("float16"), {"preset": post.preset, "nickname": post.nickname}))

    def evaluation(self, picked: Picked, data: MnistData) -> Evaluation:
        """Everything Evaluate shows of the model on MNIST's test set."""
        from .evaluation import evaluate_stored, from_probabilities

        if picked.kind == STORED:
            return evaluate_stored(self.store, picked.name, data)
        if picked.kind == RUN:
            return from_probabilities(picked.run.probabilities, data.y_test)
        return from_probabilities(self.reader(picked).probabilities(data.x_test), data.y_test)

    def keras_model(self, picked: Picked) -> keras.Model:
        """The Keras model itself (loads TensorFlow: for the training process and the command line)."""
        if picked.kind == STORED:
            return self.store.load(picked.name)
        return model_from_bytes(picked.run.model_bytes if picked.kind == RUN else self._post_bytes(picked, "model"))

    def worker_source(self, picked: Picked) -> ModelSource:
        """The model as the training process loads it (to look inside it, to fine-tune it)."""
        if picked.kind == STORED:
            return ModelSource.stored(self.store.root, picked.name, picked.version)
        if picked.kind == RUN:
            return ModelSource.run(picked.run)
        return ModelSource(picked.key, model_bytes=self._post_bytes(picked, "model"))

    def _stored(self) -> list[StoredModel]:
        try:
            return self.store.list()
        except (OSError, StoreError):
            return []

    def _post_bytes(self, picked: Picked, form: str) -> bytes:
        """A post's model as "lite" or "model" (.keras) bytes; StoreError, as for a stored model, when it cannot be
        read (taken down since it was listed, or the class database cannot be reached)."""
        from .classroom.board import BoardError
        from .classroom.database import ClassDatabaseError

        if self.board is None:
            raise StoreError("the class board is not available here")
        try:
            return getattr(self.board, form)(picked.post.id)
        except (BoardError, ClassDatabaseError) as exc:
            raise StoreError(f"{picked.label} cannot be read: {exc}") from exc


def _of_run(run: Run) -> Picked:
    return Picked(run.label, RUN, f"run {run.id}", run.name, run.test_accuracy, run.spec, run=run)


def _of_stored(entry: StoredModel) -> Picked:
    spec, version = entry.meta.get("spec"), entry.meta.get("created_at")
    return Picked(entry.name, STORED, f"stored {entry.name} {version}", entry.name, entry.test_accuracy,
                  ModelSpec.from_dict(spec) if isinstance(spec, dict) else None, version)


def _of_post(post: Post) -> Picked:
    return Picked(post_label(post), POST, f"post {post.id}", post.name, post.mnist_accuracy, post.spec, post=post)

