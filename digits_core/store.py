"""Saved models in models/: NAME.keras, NAME.json (spec, metrics, history, versions), and for reading them
without TensorFlow NAME.tflite (LiteRT) and NAME.test.npy (the test set's probabilities, float16).

Shipped models (metadata "shipped": true) are read-only for everyone but the command that
ships them. Writes go to a temporary file first and are renamed into place, so a crash
never leaves half a model behind.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .data import REPO_ROOT, load_mnist
from .evaluation import probabilities

if TYPE_CHECKING:  # Keras and LiteRT load only when a model is read or written, so listing stays instant
    import keras

    from .lite import LiteModel

MODELS_DIR = REPO_ROOT / "models"
MODELS_ENV = "DIGITS_MODELS_DIR"
DEFAULT_MODEL = "default"
MAX_NAME = 64
_NAME = re.compile(rf"^[A-Za-z0-9_-]{{1,{MAX_NAME}}}$")
NAME_RULE = f"1 to {MAX_NAME} letters (a-z, A-Z), digits, '-' or '_'; a space becomes '-'"  # for runs and models
LITE, TEST_PROBABILITIES = ".tflite", ".test.npy"
EMBEDDING = ".embedding.npz"  # a shipped model's t-SNE map of the test images (explain.ship_embedding)
SUFFIXES = (".keras", LITE, TEST_PROBABILITIES, EMBEDDING, ".json")


class StoreError(Exception):
    """A model name, file or operation the store refuses, with the reason."""


@dataclass(frozen=True)
class StoredModel:
    """One entry of the store: its name and metadata."""

    name: str
    meta: dict[str, Any]

    @property
    def shipped(self) -> bool:
        return bool(self.meta.get("shipped"))

    @property
    def test_accuracy(self) -> float | None:
        return self.meta.get("test_accuracy")


def sanitize_name(name: str) -> str:
    """A safe file stem, and the one naming rule for runs and models: spaces become '-', then only letters, digits,
    '-' and '_' may remain."""
    if not isinstance(name, str):  # str(None) would be the valid name 'None'
        raise StoreError(f"invalid model name {name!r}: a name must be text")
    cleaned = re.sub(r"\s+", "-", name.strip())
    if not _NAME.match(cleaned):
        raise StoreError(f"invalid model name {name!r}: use {NAME_RULE}")
    return cleaned


class ModelStore:
    """List, load, save and delete models in one folder.

    Without `root`, the folder is $DIGITS_MODELS_DIR if set (tests and scripts point it at a
    scratch folder), else the repository's models/.
    """

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root or os.environ.get(MODELS_ENV) or MODELS_DIR)

    def list(self) -> list[StoredModel]:
        """Every model with both files, a valid name and readable metadata, shipped first, then by name.

        Stray files and damaged metadata are skipped, so one bad file cannot hide every other model.
        """
        entries = []
        for path in sorted(self.root.glob("*.keras")):
            if _NAME.match(path.stem) and path.with_suffix(".json").exists():
                try:
                    entries.append(self.info(path.stem))
                except StoreError:
                    continue
        return sorted(entries, key=lambda e: (not e.shipped, e.name))

    def info(self, name: str) -> StoredModel:
        name = sanitize_name(name)
        path = self._path(name, ".json")
        try:
            meta = json.loads(path.read_text())
        except FileNotFoundError:
            raise StoreError(f"no model named {name!r} in {self.root}") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(f"the metadata of model {name!r} is unreadable ({exc})") from exc
        if not isinstance(meta, dict):
            raise StoreError(f"the metadata of model {name!r} is unreadable (not a JSON object)")
        return StoredModel(name, meta)

    def load(self, name: str = DEFAULT_MODEL) -> keras.Model:
        """The saved Keras model, loaded with safe_mode (no arbitrary code) and without its optimizer."""
        self.info(name)
        path = self._path(sanitize_name(name), ".keras")
        if not path.is_file():
            raise StoreError(f"model {name!r} could not be loaded: {path.name} is missing")
        return _load(path, f"model {name!r} could not be loaded: {path.name} is damaged")

    def load_lite(self, name: str = DEFAULT_MODEL) -> LiteModel | None:
        """The model in LiteRT's format, read without TensorFlow; None without NAME.tflite or the LiteRT runtime."""
        from .lite import LiteError, LiteModel, available

        path = self._path(self.info(name).name, LITE)
        if not available() or not path.is_file():
            return None
        try:
            return LiteModel.load(path)
        except LiteError as exc:
            raise StoreError(f"model {name!r} could not be loaded: {exc}") from exc

    def test_probabilities(self, name: str = DEFAULT_MODEL) -> np.ndarray | None:
        """The test set's probabilities (N, 10) float32, computed when the model was saved; None if not stored."""
        path = self._path(self.info(name).name, TEST_PROBABILITIES)
        if not path.is_file():
            return None
        try:
            probs = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            raise StoreError(f"the test predictions of model {name!r} are unreadable: {path.name} is damaged "
                             f"({exc})") from exc
        if probs.ndim != 2 or probs.shape[1] != 10:
            raise StoreError(f"the test predictions of model {name!r} are unreadable: {path.name} holds an array "
                             f"of shape {probs.shape}, not (N, 10)")
        return probs.astype(np.float32)

    def export_lite(self, name: str) -> None:
        """(Re)write NAME.tflite and NAME.test.npy from NAME.keras: for models saved before the store wrote them."""
        _atomic_write(self._light_files(self.info(name).name, self.load(name)))

    def is_complete(self, name: str) -> bool:
        """Whether the model has all the pages read without Keras: its parameter count, NAME.tflite, NAME.test.npy."""
        entry = self.info(name)
        return "parameters" in entry.meta and all(self._path(entry.name, suffix).is_file()
                                                  for suffix in (LITE, TEST_PROBABILITIES))

    def complete(self, name: str) -> StoredModel:
        """Write from NAME.keras what a model saved by an older version lacks (see is_complete), once.

        The metadata keeps its created_at: the model is the same, so what was made from it stays valid."""
        entry, model = self.info(name), self.load(name)
        meta = {**entry.meta, "parameters": model.count_params()}
        writes = {path: write for path, write in self._light_files(entry.name, model).items() if not path.is_file()}
        writes[self._path(entry.name, ".json")] = lambda path: Path(path).write_text(json.dumps(meta, indent=1))
        _atomic_write(writes)  # the metadata last, as save() writes it
        return StoredModel(entry.name, meta)

    def save(self, name: str, model: keras.Model, meta: dict[str, Any], shipped: bool = False,
             test_probabilities: np.ndarray | None = None) -> StoredModel:
        """Write the weights and metadata atomically; a shipped model may only be replaced by shipping.

        `test_probabilities` (10000, 10), when the caller has scored MNIST's test set with this model
        already, are stored as they are instead of scoring it once more."""
        name = self.check_writable(name, shipped)
        self.root.mkdir(parents=True, exist_ok=True)
        meta = {**meta, "name": name, "shipped": shipped, "created_at": _now(), "versions": _versions()}
        meta["parameters"] = model.count_params()  # Compare shows it without loading the model
        _atomic_write({  # the metadata goes last: a reader that sees the new created_at finds the new weights
            self._path(name, ".keras"): lambda path: _save_for_inference(model, path),
            **self._light_files(name, model, test_probabilities),
            self._path(name, ".json"): lambda path: Path(path).write_text(json.dumps(meta, indent=1)),
        })
        return StoredModel(name, meta)

    def check_writable(self, name: str, shipped: bool = False) -> str:
        """The sanitised name if save() may write it; StoreError for a bad name or a shipped model (unless shipping)."""
        name = sanitize_name(name)
        if not shipped and self.exists(name) and self.info(name).shipped:
            raise StoreError(f"{name!r} is a shipped model and read-only: save under another name")
        return name

    def delete(self, name: str) -> None:
        entry = self.info(name)
        if entry.shipped:
            raise StoreError(f"{entry.name!r} is a shipped model and cannot be deleted")
        for suffix in SUFFIXES:
            self._path(entry.name, suffix).unlink(missing_ok=True)

    def exists(self, name: str) -> bool:
        return self._path(sanitize_name(name), ".json").exists()

    def _path(self, name: str, suffix: str) -> Path:
        return self.root / f"{name}{suffix}"

    def _light_files(self, name: str, model: keras.Model,
                     scored: np.ndarray | None = None) -> dict[Path, Callable[[str], Any]]:
        """Writers of the two files that let Draw and Evaluate read the model without TensorFlow (the test
        probabilities `scored` already, if given)."""
        from .lite import convert

        def test_probabilities(path: str) -> None:
            probs = scored if scored is not None else probabilities(model, load_mnist().x_test)
            with open(path, "wb") as handle:  # a handle: np.save would add .npy to a bare path
                np.save(handle, probs.astype(np.float16))

        return {self._path(name, LITE): lambda path: Path(path).write_bytes(convert(model)),
                self._path(name, TEST_PROBABILITIES): test_probabilities}


def model_to_bytes(model: keras.Model) -> bytes:
    """The model as the bytes of a .keras file, without optimizer state, as the store writes it (a download)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        _save_for_inference(model, path)
        return path.read_bytes()


def model_from_bytes(data: bytes) -> keras.Model:
    """A model from the bytes of a .keras file (an upload), loaded as the store loads one; StoreError if damaged."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        path.write_bytes(data)
        return _load(path, "not a model this app can load: the .keras file is damaged")


def _save_for_inference(model: keras.Model, path: str | os.PathLike) -> None:
    """The same layers without optimizer state: a third of the file size, and nothing to restore."""
    from .backend import keras

    keras.Model(model.input, model.output, name=model.name).save(path)  # single tensors: callable on a plain array


def _load(path: Path, damaged: str) -> keras.Model:
    """A .keras file loaded with safe_mode (no arbitrary code) and without its optimizer; StoreError(damaged) if not."""
    from .backend import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # Keras raises many kinds for a damaged archive
        raise StoreError(f"{damaged} ({exc})") from exc


def _atomic_write(writes: dict[Path, Callable[[str], Any]]) -> None:
    """Write every file under a temporary name, then rename them all into place: a failed write changes nothing."""
    temps: dict[Path, str] = {}
    try:
        for target, write in writes.items():
            handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=target.suffix)
            temps[target] = temp
            os.close(handle)
            os.chmod(temp, 0o644)  # mkstemp's 0600 would hide the model from a server run as another user
            write(temp)
        for target, temp in temps.items():
            os.replace(temp, target)
    finally:
        for temp in temps.values():
            Path(temp).unlink(missing_ok=True)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _versions() -> dict[str, str]:
    import numpy

    from .backend import keras, tf

    return {"keras": keras.__version__, "tensorflow": tf.__version__, "numpy": numpy.__version__}
