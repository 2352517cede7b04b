"""The class board on the class database (SQLite and a real PostgreSQL server): posting and its limits, taking down,
renaming, closing, refusing models that cannot read digits, and the ranking on the class's held-out digits."""

from __future__ import annotations

from dataclasses import replace
import time

import numpy as np
import pytest
from sqlalchemy import inspect

from digits_core.classroom.board import (ANONYMOUS, CUSTOM, FRESH_SECONDS, MAX_POSTS, Board, BoardError, Entry,
                                         PostingClosed, PostLimit)
from digits_core.classroom.database import ClassDatabaseError
from digits_core.classroom.roles import RoleError
from digits_core.classroom.samples import Collection
from digits_core.classroom.scoring import MIN_CLASS_DIGITS, ClassSet, held_out_mask
from digits_core.handwriting import LabelledSet


@pytest.fixture(scope="module")
def tiny_lite(tiny_model) -> bytes:
    from digits_core.lite import convert

    return convert(tiny_model)


@pytest.fixture(scope="module")
def tiny_entry(tiny_training, tiny_lite) -> Entry:
    from digits_core.store import model_to_bytes

    model = tiny_training.model
    return Entry("dense-128x2-1", model_to_bytes(model), tiny_lite, model.count_params(), tiny_training.test_accuracy,
                 "dense-128x2", tiny_training.spec, 1, 6000, tiny_training.train_seconds)


@pytest.fixture(scope="module")
def conv_entry(tiny_conv_training) -> Entry:
    from digits_core.lite import convert
    from digits_core.store import model_to_bytes

    model = tiny_conv_training.model
    return Entry("cnn-small-1", model_to_bytes(model), convert(model), model.count_params(),
                 tiny_conv_training.test_accuracy, "cnn-small", tiny_conv_training.spec, 1, 3000,
                 tiny_conv_training.train_seconds)


@pytest.fixture
def board(class_url) -> Board:
    return Board(class_url)


def test_a_post_is_listed_with_its_figures(board, tiny_entry):
    post = board.post(tiny_entry, "browser-a", "Ada")
    (listed,) = board.posts()
    assert listed == post
    assert (listed.nickname, listed.name, listed.preset, listed.epochs) == ("Ada", "dense-128x2-1", "dense-128x2", 1)
    assert listed.params == tiny_entry.params and listed.mnist_accuracy == pytest.approx(tiny_entry.mnist_accuracy)
    assert listed.spec == tiny_entry.spec and listed.posted_at.tzinfo is not None
    assert board.lite(post.id) == tiny_entry.lite and board.model(post.id) == tiny_entry.model


def test_a_changed_network_is_custom_and_a_missing_nickname_anonymous(board, tiny_entry):
    wider = tiny_entry.spec.with_changes(dense=[{"units": 256}])
    post = board.post(replace(tiny_entry, spec=wider), "browser-a", None)
    assert (post.preset, post.nickname) == (CUSTOM, ANONYMOUS)
    slower = tiny_entry.spec.with_changes(learning_rate=0.01)  # training settings aside, the network is the preset's
    assert board.post(replace(tiny_entry, spec=slower), "browser-a", "Ada").preset == "dense-128x2"


def test_markup_and_sql_in_a_nickname_stay_plain_text(board, tiny_entry):
    nickname = "<b>';DROP TABLE posts--"
    board.post(tiny_entry, "browser-a", nickname)
    assert [post.nickname for post in board.posts()] == [nickname]
    assert inspect(board.db._engine()).has_table("posts")


def test_a_browser_has_at_most_three_posts_and_a_fourth_names_the_one_it_replaces(board, tiny_entry):
    mine = [board.post(tiny_entry, "browser-a", "Ada") for _ in range(MAX_POSTS)]
    theirs = board.post(tiny_entry, "browser-b", "Bo")
    with pytest.raises(PostLimit, match="choose the one this post replaces"):
        board.post(tiny_entry, "browser-a", "Ada")
    with pytest.raises(BoardError, match="not one of yours"):
        board.post(tiny_entry, "browser-a", "Ada", replace=theirs.id)
    newest = board.post(tiny_entry, "browser-a", "Ada", replace=mine[0].id)
    assert [post.id for post in board.posts_of("browser-a")] == [mine[1].id, mine[2].id, newest.id]
    assert len(board.posts()) == MAX_POSTS + 1


def test_a_student_takes_their_own_post_down_and_the_teacher_any(board, tiny_entry):
    ada, bo = board.post(tiny_entry, "browser-a", "Ada"), board.post(tiny_entry, "browser-b", "Bo")
    with pytest.raises(BoardError, match="not yours"):
        board.take_down(bo.id, "browser-a", teacher=False)
    board.take_down(ada.id, "browser-a", teacher=False)
    board.take_down(bo.id, None, teacher=True)
    assert board.posts() == []
    with pytest.raises(BoardError, match="no post"):
        board.take_down(bo.id, None, teacher=True)


def test_only_the_teacher_renames_and_closes_posting(board, tiny_entry):
    post = board.post(tiny_entry, "browser-a", "Ada")
    with pytest.raises(RoleError):
        board.rename(post.id, "best", teacher=False)
    with pytest.raises(RoleError):
        board.set_open(False, teacher=False)
    assert board.rename(post.id, "  the best  ", teacher=True).name == "the best"
    with pytest.raises(BoardError, match="printable"):
        board.rename(post.id, "x" * 41, teacher=True)
    board.set_open(False, teacher=True)
    assert not board.is_open() and not Board(board.db.url).is_open()  # kept in the database, not this object
    with pytest.raises(PostingClosed, match="closed"):
        board.post(tiny_entry, "browser-b", "Bo")
    board.set_open(True, teacher=True)
    board.post(tiny_entry, "browser-b", "Bo")


def test_a_model_that_cannot_read_digits_is_refused(board, tiny_entry):
    from digits_core.backend import keras
    from digits_core.lite import convert

    with pytest.raises(BoardError, match="does not read 28x28 digits"):
        board.post(replace(tiny_entry, lite=b"not a model"), "browser-a", "Ada")
    colour = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.raises(BoardError, match="does not read 28x28 digits"):
        board.post(replace(tiny_entry, lite=convert(colour)), "browser-a", "Ada")
    three = keras.Sequential([keras.Input((28, 28, 1), dtype="uint8"), keras.layers.Flatten(), keras.layers.Dense(3)])
    with pytest.raises(BoardError, match="not ten"):
        board.post(replace(tiny_entry, lite=convert(three)), "browser-a", "Ada")
    assert board.posts() == []


def keras_reads(model, images: np.ndarray) -> np.ndarray:
    """The digits Keras reads (the model called directly: predict() would keep a function traced for the shared
    session model)."""
    return np.asarray(model(images[..., None], training=False)).argmax(axis=1)


def add_class_digits(mnist, start: int, count: int) -> None:
    """MNIST test digits as the class's own, as an import would add them."""
    Collection().add_many(LabelledSet(mnist.x_test[start:start + count], mnist.y_test[start:start + count]))


def test_the_class_set_is_the_held_out_fifth_of_the_collection(board, mnist):
    add_class_digits(mnist, 0, 200)
    ids = [sample.id for sample in reversed(Collection().samples())]
    class_set = board.class_set()
    mask = held_out_mask(ids)
    assert class_set.ids == tuple(str(i) for i in np.array(ids)[mask])
    assert np.array_equal(class_set.images, mnist.x_test[:200][mask])
    assert class_set.version == ClassSet.of(ids, mnist.x_test[:200], mnist.y_test[:200]).version
    assert board.class_set() is class_set  # unchanged: not read again


def test_the_board_ranks_by_mnist_until_the_class_set_has_fifty_digits(board, tiny_entry, conv_entry, mnist):
    board.post(tiny_entry, "browser-a", "Ada")
    board.post(conv_entry, "browser-b", "Bo")
    add_class_digits(mnist, 0, 40)
    ranking = board.ranking()
    assert "MNIST" in ranking.ranked_by and ranking.lead is None
    best_on_mnist = max((tiny_entry, conv_entry), key=lambda e: e.mnist_accuracy).name
    assert ranking.rows[0].post.name == best_on_mnist
    assert all(row.class_accuracy is not None for row in ranking.rows) == (len(ranking.class_set) > 0)


def test_the_board_ranks_on_the_class_digits_as_keras_reads_them(board, tiny_entry, conv_entry, tiny_training,
                                                                  tiny_conv_training, mnist):
    ada, bo = board.post(tiny_entry, "browser-a", "Ada"), board.post(conv_entry, "browser-b", "Bo")
    add_class_digits(mnist, 0, 400)
    ranking = board.ranking()
    class_set = ranking.class_set
    assert len(class_set) >= MIN_CLASS_DIGITS and "class accuracy" in ranking.ranked_by
    keras = {ada.id: tiny_training.model, bo.id: tiny_conv_training.model}
    expected = {post: float(np.mean(keras_reads(model, class_set.images) == class_set.labels))
                for post, model in keras.items()}
    assert {row.post.id: row.class_accuracy for row in ranking.rows} == pytest.approx(expected)
    assert [row.post.id for row in ranking.rows] == sorted(expected, key=expected.get, reverse=True)
    assert "luck" in ranking.lead and ("Ada" in ranking.lead and "Bo" in ranking.lead)
    assert len(ranking.missed) and (ranking.missed_by >= 1).all()
    for index, wrong in zip(ranking.missed, ranking.missed_by):
        read = [keras_reads(model, class_set.images[index][None])[0] for model in keras.values()]
        assert sum(digit != class_set.labels[index] for digit in read) == wrong

    assert board.ranking().rows is ranking.rows  # nothing changed: not worked out again for the next redraw
    board.set_open(False, teacher=True)
    assert not board.ranking().posting_open

    add_class_digits(mnist, 400, 300)  # the set grows: scores follow it (only the new digits are read)
    grown = board.ranking()
    assert grown.class_set.version != class_set.version and len(grown.class_set) > len(class_set)
    for row in grown.rows:
        read = keras_reads(keras[row.post.id], grown.class_set.images)
        assert row.class_accuracy == pytest.approx(float(np.mean(read == grown.class_set.labels)))


def test_one_board_shares_a_post_with_another_server(class_url, tiny_entry):
    first, second = Board(class_url), Board(class_url)
    assert second.posts() == []
    post = first.post(tiny_entry, "browser-a", "Ada")
    time.sleep(FRESH_SECONDS)  # a listing is reused this long
    assert [p.id for p in second.posts()] == [post.id]


def test_an_unreachable_database_is_asked_again_only_after_a_while():
    board = Board("postgresql://nobody@127.0.0.1:9/nothing")
    with pytest.raises(ClassDatabaseError, match="cannot be reached") as first:
        board.posts()
    with pytest.raises(ClassDatabaseError) as again:
        board.posts()
    assert again.value is first.value  # the pickers of every page do not each wait for the database
