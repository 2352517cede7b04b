"""Shared fixtures: real MNIST, one tiny trained model for the whole session, a temporary model store, and the class
database, a scratch SQLite file by default or a real PostgreSQL server started for the session."""

from __future__ import annotations

import itertools

import pytest

from digits_core import get_preset, load_mnist
from benchmarks.postgres import PostgresMissing, create_database, drop_database, running_postgres

TINY_PRESET = "dense-128x2"  # trains 6000 samples in a couple of seconds, ~90% on the test set
TINY_SAMPLES = 6000
TINY_CONV_PRESET = "cnn-small"  # one epoch on 3000 samples: a few seconds
TINY_CONV_SAMPLES = 3000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test is marked e2e, so `-m "not e2e and not slow"` is the quick run."""
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def class_database(tmp_path, monkeypatch):
    """Every test gets its own empty class database (a SQLite file) and no former collection file to copy in:
    the repository's data/ is never written by tests. Yields the database's URL."""
    from digits_core.classroom.database import LEGACY_ENV, URL_ENV, ClassDatabase

    url = f"sqlite:///{tmp_path / 'class.sqlite'}"
    monkeypatch.setenv(URL_ENV, url)
    monkeypatch.setenv(LEGACY_ENV, str(tmp_path / "handwriting.sqlite"))
    yield url
    ClassDatabase(url).close()


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server for the whole session (Debian's binaries); yields the URL of its `postgres` database."""
    try:
        with running_postgres() as url:
            yield url
    except PostgresMissing as missing:
        pytest.fail(str(missing), pytrace=False)


_databases = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def class_url(request, class_database, monkeypatch):
    """The test's class database on each backend: the scratch SQLite file, or a new database on the session's
    PostgreSQL server (dropped afterwards). It is also $DIGITS_DATABASE_URL, so defaults and subprocesses use it."""
    from digits_core.classroom.database import URL_ENV, ClassDatabase

    if request.param == "sqlite":
        yield class_database
        return
    server, name = request.getfixturevalue("postgres_server"), f"test_{next(_databases)}"
    url = create_database(server, name)
    monkeypatch.setenv(URL_ENV, url)
    yield url
    ClassDatabase(url).close()
    drop_database(server, name)


@pytest.fixture(scope="session")
def mnist():
    """The repository's MNIST, loaded once."""
    return load_mnist()


@pytest.fixture(scope="session")
def tiny_training(mnist):
    """One short real training (one epoch on a subset), shared by every test that needs a model."""
    from digits_core.training import train

    spec = get_preset(TINY_PRESET).spec.with_changes(epochs=1)
    return train(spec, mnist.subset(TINY_SAMPLES), seed=0)


@pytest.fixture(scope="session")
def tiny_conv_training(mnist):
    """The convolutional counterpart of tiny_training, for what only convolutions have (feature maps, Grad-CAM)."""
    from digits_core.training import train

    spec = get_preset(TINY_CONV_PRESET).spec.with_changes(epochs=1)
    return train(spec, mnist.subset(TINY_CONV_SAMPLES), seed=0)


@pytest.fixture(scope="session")
def tiny_model(tiny_training):
    """The Keras model of tiny_training: do not train it further in a test."""
    return tiny_training.model


@pytest.fixture
def store(tmp_path, monkeypatch):
    """An empty ModelStore in tmp_path, also made the default store via $DIGITS_MODELS_DIR."""
    from digits_core.store import MODELS_ENV, ModelStore

    root = tmp_path / "models"
    monkeypatch.setenv(MODELS_ENV, str(root))
    return ModelStore(root)
