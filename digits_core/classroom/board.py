"""The class board: the class's models posted to the class database, ranked on the class's own held-out digits.

A post keeps the model twice, as .keras (without optimizer state) and in LiteRT's form, which is
what the board reads: no TensorFlow in the server. A browser has at most three posts on the board
at a time; its student takes their own down, the teacher any, renames them and opens or closes
posting. Scores on the class set are kept in memory by post and class set version, and a grown
set reads only its new digits, so a board of 200 posts redraws from memory.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable, Sequence

import numpy as np
from sqlalchemy import Connection, delete, insert, select, update

from ..data import MnistData
from ..lite import LiteError, LiteModel
from ..presets import PRESETS
from ..spec import ModelSpec, SpecError
from .database import ClassDatabase, ClassDatabaseError
from .identity import NicknameError, clean_nickname
from .roles import RoleError, teacher_only_reason
from .schema import as_utc, now, posts, samples, settings
from .scoring import (MIN_CLASS_DIGITS, ClassSet, Standing, held_out_mask, lead_sentence, most_missed, rank,
                      times_missed, version_of)

MAX_POSTS = 3  # posts one browser has on the board at a time
MAX_NAME = 40  # characters of a post's name
ANONYMOUS = "anonymous"  # the nickname of a post whose student picked none
CUSTOM = "custom"  # what the board calls a network that is not one of the presets
POSTING = "board_posting"  # the settings key: "open" or "closed"
MISSED = 12  # most-missed class digits the board shows
FRESH_SECONDS = 1.0  # how long a listing of the posts is reused before the database is asked again
RETRY_SECONDS = 15.0  # how long a database that could not be reached is not asked again for the listing
_IN_CHUNK = 900  # ids per IN (...) list when the held-out images are read


class BoardError(Exception):
    """A post, or an action on one, that the board refuses, with the reason."""


class PostingClosed(BoardError):
    """The teacher has closed posting."""


class PostLimit(BoardError):
    """The browser has MAX_POSTS posts on the board already: a new one must name the one it replaces."""


@dataclass(frozen=True)
class Post:
    """One post as the board lists it (the model's bytes are read only when needed)."""

    id: int
    browser_id: str | None  # None for a post from the command line
    nickname: str
    name: str
    preset: str  # a preset's name, or "custom"
    spec: ModelSpec | None
    params: int
    epochs: int | None
    train_samples: int | None
    train_seconds: float | None
    mnist_accuracy: float
    posted_at: datetime


@dataclass(frozen=True)
class Entry:
    """What a post carries: the model in both forms and the figures the board shows beside it."""

    name: str
    model: bytes = field(repr=False)  # .keras, without optimizer state
    lite: bytes = field(repr=False)  # the same model for LiteRT
    params: int
    mnist_accuracy: float
    preset: str | None = None
    spec: ModelSpec | None = None
    epochs: int | None = None
    train_samples: int | None = None
    train_seconds: float | None = None

    @classmethod
    def of_run(cls, run: Any, lite: bytes) -> Entry:
        """A session's run (digits_core.runs.Run) with its LiteRT form, converted by the training process."""
        return cls(run.name[:MAX_NAME], run.model_bytes, lite, run.parameters, run.test_accuracy, run.preset, run.spec,
                   len(run.history) or None, run.train_samples, run.train_seconds)


@dataclass(frozen=True)
class Row:
    """A post's line in the ranking."""

    place: int
    post: Post
    class_accuracy: float | None  # None while the class set is empty


@dataclass(frozen=True)
class Ranking:
    """Everything the board page and `board list` show, as plain data."""

    rows: list[Row]
    ranked_by: str  # what decides the order, in words
    lead: str | None  # whether the leader's lead on the class set could be luck; None without two posts to test
    class_set: ClassSet
    missed: np.ndarray  # indices into class_set of the digits the most posts read wrong
    missed_by: np.ndarray  # how many posts read each of those wrong
    posting_open: bool


def entry_from_keras(model_bytes: bytes, name: str, mnist: MnistData, meta: dict[str, Any] | None = None) -> Entry:
    """A .keras file as a post, converted and scored on MNIST here: it loads TensorFlow, so it is for the command
    line, never the server. `meta` is the store's JSON beside the file, if there is one (preset, spec, history...)."""
    from ..lite import convert
    from ..store import model_from_bytes, model_to_bytes

    model, meta = model_from_bytes(model_bytes), meta or {}
    try:
        lite = convert(model)
    except Exception as exc:  # noqa: BLE001 - the converter raises many kinds for a model it cannot take
        raise BoardError(f"{name} cannot be posted: it cannot be converted for LiteRT ({exc})") from exc
    check_readable(lite, name)
    accuracy = float(np.mean(LiteModel(lite, name).probabilities(mnist.x_test).argmax(axis=1) == mnist.y_test))
    return Entry(name, model_to_bytes(model), lite, model.count_params(), accuracy, meta.get("preset"),
                 _spec(meta.get("spec")),
                 len(meta.get("history") or ()) or None, meta.get("train_samples"), meta.get("train_seconds"))


def preset_of(preset: str | None, spec: ModelSpec | None) -> str:
    """The preset's name when the network is the preset's own (training settings aside), else "custom"."""
    if preset not in PRESETS or spec is None:
        return CUSTOM
    network = ("conv", "dense", "head", "head_dropout", "activation")
    ours, theirs = spec.to_dict(), PRESETS[preset].spec.to_dict()
    return preset if all(ours[key] == theirs[key] for key in network) else CUSTOM


def check_readable(lite: bytes, name: str) -> None:
    """BoardError unless `lite` is a LiteRT model that reads 28x28 uint8 digits into ten finite scores."""
    try:
        answer = LiteModel(lite, name).probabilities(np.zeros((2, 28, 28), np.uint8))
    except (LiteError, ValueError, RuntimeError) as exc:
        raise BoardError(f"{name} cannot be posted: it does not read 28x28 digits ({exc})") from exc
    if answer.shape != (2, 10) or not np.isfinite(answer).all():
        raise BoardError(f"{name} cannot be posted: it gives {answer.shape[1:]} scores for a digit, not ten")


def clean_name(text: str) -> str:
    """A post's name trimmed; BoardError unless it has 1 to MAX_NAME printable characters."""
    name = " ".join(str(text).split())
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise BoardError(f"a post's name has 1 to {MAX_NAME} printable characters, got {text!r}")
    return name


class Board:
    """The board in the class database at `url` (default: $DIGITS_DATABASE_URL or data/class.sqlite).

    Safe to share between threads: the app keeps one per server, so scores are computed once for all."""

    def __init__(self, url: str | None = None):
        self.db = ClassDatabase(url)
        self._scores = _Scores()
        self._class_set = ClassSet(np.empty((0, 28, 28), np.uint8), np.empty(0, np.uint8), version_of([], []))
        self._listing: tuple[float, list[Post] | ClassDatabaseError] = (-RETRY_SECONDS, [])
        self._ranked: tuple[object, Ranking | None] = (None, None)  # (posts and class set version, their ranking)
        self._lock = threading.Lock()  # guards the listing and the class set
        self._scoring = threading.Lock()  # one thread scores posts; the others then find its scores

    # Posting and taking down.

    def post(self, entry: Entry, browser_id: str | None, nickname: str | None, replace: int | None = None) -> Post:
        """Put `entry` on the board; refused (BoardError) when posting is closed, the model cannot read digits,
        or the browser has MAX_POSTS posts and `replace` does not name one of them."""
        name = clean_name(entry.name)
        try:
            nickname = clean_nickname(nickname) if nickname else ANONYMOUS
        except NicknameError as exc:
            raise BoardError(f"not posted: {exc}") from exc
        check_readable(entry.lite, name)
        spec = None if entry.spec is None else entry.spec.to_json()
        row = {"browser_id": browser_id, "nickname": nickname, "name": name,
               "preset": preset_of(entry.preset, entry.spec), "spec": spec,
               "params": int(entry.params), "epochs": entry.epochs, "train_samples": entry.train_samples,
               "train_seconds": entry.train_seconds, "mnist_accuracy": float(entry.mnist_accuracy),
               "model": entry.model, "lite": entry.lite, "posted_at": now()}
        with self.db.writing() as conn:
            if not _is_open(conn):
                raise PostingClosed("posting to the class board is closed: the teacher reopens it")
            self._make_room(conn, browser_id, replace)
            post_id = conn.execute(insert(posts).values(row)).inserted_primary_key[0]
        self._changed()
        return _post({**row, "id": post_id})

    def take_down(self, post_id: int, browser_id: str | None, teacher: bool) -> Post:
        """Remove a post: the teacher any, a student their own (BoardError otherwise, or when there is none)."""
        with self.db.writing() as conn:
            post = _one(conn, post_id)
            if not teacher and (browser_id is None or post.browser_id != browser_id):
                raise BoardError(f"post #{post_id} is not yours: only its student or the teacher can take it down")
            conn.execute(delete(posts).where(posts.c.id == post_id))
        self._changed()
        return post

    def rename(self, post_id: int, name: str, teacher: bool) -> Post:
        """Give a post another name (the teacher only)."""
        _require(teacher)
        name = clean_name(name)
        with self.db.writing() as conn:
            _one(conn, post_id)
            conn.execute(update(posts).where(posts.c.id == post_id).values(name=name))
            post = _one(conn, post_id)
        self._changed()
        return post

    def set_open(self, open_: bool, teacher: bool) -> None:
        """Open or close posting (the teacher only)."""
        _require(teacher)
        value = "open" if open_ else "closed"
        with self.db.writing() as conn:
            if conn.execute(update(settings).where(settings.c.key == POSTING).values(value=value)).rowcount == 0:
                conn.execute(insert(settings).values(key=POSTING, value=value))

    def is_open(self) -> bool:
        """Whether students may post (it is, until the teacher closes it)."""
        with self.db.reading() as conn:
            return _is_open(conn)

    # Reading.

    def posts(self) -> list[Post]:
        """Every post, oldest first: a listing at most FRESH_SECONDS old, so a redraw a second asks the database
        once; a database that could not be reached is asked again only after RETRY_SECONDS, so the model pickers
        of every page do not each wait for it."""
        with self._lock:
            read_at, listing = self._listing
            age = time.monotonic() - read_at
            if isinstance(listing, ClassDatabaseError) and age < RETRY_SECONDS:
                raise listing
            if isinstance(listing, list) and age < FRESH_SECONDS:
                return listing
        try:
            with self.db.reading() as conn:
                listing = [_post(row._mapping) for row in conn.execute(select(*_LISTED).order_by(posts.c.id))]
        except ClassDatabaseError as exc:
            listing = exc
        with self._lock:
            self._listing = time.monotonic(), listing
        if isinstance(listing, ClassDatabaseError):
            raise listing
        return listing

    def posts_of(self, browser_id: str | None) -> list[Post]:
        """The posts of one browser, oldest first."""
        return [post for post in self.posts() if browser_id is not None and post.browser_id == browser_id]

    def lite(self, post_id: int) -> bytes:
        """A post's model in LiteRT's form."""
        return self._blob(posts.c.lite, post_id)

    def model(self, post_id: int) -> bytes:
        """A post's model as the bytes of a .keras file."""
        return self._blob(posts.c.model, post_id)

    def class_set(self) -> ClassSet:
        """The board's held-out fifth of the class collection; its images are read again only when it changed."""
        with self.db.reading() as conn:
            rows = conn.execute(select(samples.c.id, samples.c.label).order_by(samples.c.id)).all()
        ids = [row.id for row in rows]
        mask = held_out_mask(ids)
        held_ids = [i for i, keep in zip(ids, mask) if keep]
        labels = np.array([row.label for row, keep in zip(rows, mask) if keep], np.uint8)
        version = version_of(held_ids, labels)
        with self._lock:
            if self._class_set.version == version:
                return self._class_set
        images = self._images(held_ids)
        class_set = ClassSet(images, labels, version, tuple(str(i) for i in held_ids))
        with self._lock:
            self._class_set = class_set
        return class_set

    def class_probabilities(self, listed: Sequence[Post], class_set: ClassSet) -> dict[int, np.ndarray]:
        """Each post's (N, 10) probabilities on the class set, from memory or read through LiteRT now.

        A post whose model LiteRT can no longer read is left out (it ranks last)."""
        if not len(class_set):
            return {}
        with self._scoring:
            self._scores.keep_only({post.id for post in listed})
            found = {}
            for post in listed:
                try:
                    found[post.id] = self._scores.get(post.id, class_set, lambda p=post: self.lite(p.id))
                except (LiteError, BoardError):
                    continue
            return found

    def ranking(self) -> Ranking:
        """The board as its page and `board list` show it, worked out again only when a post or the class set has
        changed (a projector asks every two seconds)."""
        listed, class_set = self.posts(), self.class_set()
        key = (tuple(listed), class_set.version)
        with self._lock:
            ranked_for, ranked = self._ranked
        if ranked_for != key:
            ranked = self._rank(listed, class_set)
            with self._lock:
                self._ranked = key, ranked
        return replace(ranked, posting_open=self.is_open())

    def _rank(self, listed: list[Post], class_set: ClassSet) -> Ranking:
        probabilities = self.class_probabilities(listed, class_set)
        standings, ranked_by = rank({post.id: post.mnist_accuracy for post in listed}, probabilities,
                                    class_set.labels)
        by_id = {post.id: post for post in listed}
        rows = [Row(s.place, by_id[s.post_id], s.class_accuracy) for s in standings]
        missed = most_missed(probabilities, class_set.labels, MISSED)
        return Ranking(rows, ranked_by, _lead(standings, by_id, probabilities, class_set), class_set, missed,
                       times_missed(probabilities, class_set.labels)[missed], posting_open=True)

    # The rest.

    def _make_room(self, conn: Connection, browser_id: str | None, replace: int | None) -> None:
        """Take down the post `replace` names (it must be the browser's), or check the browser has room for one."""
        if browser_id is None:  # the command line: the teacher's own terminal
            if replace is not None:
                conn.execute(delete(posts).where(posts.c.id == replace))
            return
        mine = list(conn.scalars(select(posts.c.id).where(posts.c.browser_id == browser_id).order_by(posts.c.id)))
        if replace is not None:
            if replace not in mine:
                raise BoardError(f"post #{replace} is not one of yours, so this post cannot replace it")
            conn.execute(delete(posts).where(posts.c.id == replace))
        elif len(mine) >= MAX_POSTS:
            raise PostLimit(f"you have {len(mine)} posts on the board ({', '.join(f'#{i}' for i in mine)}), "
                            f"the most a student may: choose the one this post replaces")

    def _blob(self, column: Any, post_id: int) -> bytes:
        with self.db.reading() as conn:
            blob = conn.scalar(select(column).where(posts.c.id == int(post_id)))
        if blob is None:
            raise BoardError(f"there is no post #{post_id} on the board (taken down?)")
        return bytes(blob)

    def _images(self, ids: list[int]) -> np.ndarray:
        """The 28x28 images of the samples `ids`, in that order (read in chunks: IN lists have limits)."""
        found: dict[int, bytes] = {}
        with self.db.reading() as conn:
            for start in range(0, len(ids), _IN_CHUNK):
                chunk = ids[start:start + _IN_CHUNK]
                found.update(conn.execute(select(samples.c.id, samples.c.image).where(samples.c.id.in_(chunk))).all())
        pixels = b"".join(bytes(found[i]) for i in ids if i in found)
        return np.frombuffer(pixels, np.uint8).reshape(-1, 28, 28)

    def _changed(self) -> None:
        with self._lock:
            self._listing = (-RETRY_SECONDS, [])


class _Scores:
    """Each post's probabilities on the latest class set it was scored on, with the sample ids they cover."""

    def __init__(self):
        self._by_post: dict[int, tuple[str, tuple[str, ...], np.ndarray]] = {}

    def get(self, post_id: int, class_set: ClassSet, read_lite: Callable[[], bytes]) -> np.ndarray:
        """The post's probabilities on `class_set`: only the digits it has not read yet go through LiteRT."""
        version, ids, known = self._by_post.get(post_id, ("", (), np.empty((0, 10), np.float32)))
        if version == class_set.version:
            return known
        rows = {sample: row for row, sample in enumerate(ids)}
        old = np.array([rows.get(sample, -1) for sample in class_set.ids], np.int64)
        found = np.empty((len(class_set), 10), np.float32)
        found[old >= 0] = known[old[old >= 0]]
        new = np.flatnonzero(old < 0)
        if len(new):
            found[new] = LiteModel(read_lite(), f"post #{post_id}").probabilities(class_set.images[new])
        self._by_post[post_id] = (class_set.version, class_set.ids, found)
        return found

    def keep_only(self, post_ids: set[int]) -> None:
        """Forget the posts no longer on the board."""
        for gone in set(self._by_post) - post_ids:
            del self._by_post[gone]


_LISTED = (posts.c.id, posts.c.browser_id, posts.c.nickname, posts.c.name, posts.c.preset, posts.c.spec,
           posts.c.params, posts.c.epochs, posts.c.train_samples, posts.c.train_seconds, posts.c.mnist_accuracy,
           posts.c.posted_at)


def _post(row: Any) -> Post:
    return Post(row["id"], row["browser_id"], row["nickname"] or ANONYMOUS, row["name"], row["preset"] or CUSTOM,
                _spec(row["spec"]), row["params"] or 0, row["epochs"], row["train_samples"], row["train_seconds"],
                row["mnist_accuracy"] or 0.0, as_utc(row["posted_at"]))


def _spec(data: str | dict | None) -> ModelSpec | None:
    """A spec from its JSON text or dict; None for none, or for one this version cannot read (shown as custom)."""
    try:
        return ModelSpec.from_json(data) if isinstance(data, str) else ModelSpec.from_dict(data) if data else None
    except (SpecError, TypeError, ValueError, AttributeError):
        return None


def _one(conn: Connection, post_id: int) -> Post:
    row = conn.execute(select(*_LISTED).where(posts.c.id == int(post_id))).first()
    if row is None:
        raise BoardError(f"there is no post #{post_id} on the board (taken down already?)")
    return _post(row._mapping)


def _is_open(conn: Connection) -> bool:
    return conn.scalar(select(settings.c.value).where(settings.c.key == POSTING)) != "closed"


def _require(teacher: bool) -> None:
    if not teacher:
        raise RoleError(teacher_only_reason("board"))


def _lead(standings: list[Standing], by_id: dict[int, Post], probabilities: dict[int, np.ndarray],
          class_set: ClassSet) -> str | None:
    """The lead sentence for the first two posts, once the board ranks by the class set and both were read there."""
    top = [standing.post_id for standing in standings[:2]]
    if len(class_set) < MIN_CLASS_DIGITS or len(top) < 2 or any(post not in probabilities for post in top):
        return None
    first, second = (by_id[post] for post in top)
    names = (first.nickname, second.nickname) if first.nickname != second.nickname else (first.name, second.name)
    return lead_sentence(*names, probabilities[top[0]], probabilities[top[1]], class_set.labels)
