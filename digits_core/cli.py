"""`python -m digits_core`: presets, train, evaluate, predict, explain, models, export-lite, cv, handwriting, compare,
board.

Every subcommand takes --json, which makes the last line of output one JSON value; bad
input (the project's own DataError, SpecError, StoreError, HandwritingError, ClassDatabaseError, a wrong
passcode) ends with a one-line message on stderr and exit status 2, while any other exception is a bug and
keeps its traceback. `handwriting` and `class` work on the class database ($DIGITS_DATABASE_URL); what only
the teacher may do asks for --passcode when $DIGITS_TEACHER_PASSCODE is set.
"""

from __future__ import annotations

import argparse
import hmac
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np
from tqdm import tqdm

from .classroom.board import BoardError
from .classroom.database import ClassDatabaseError
from .classroom.roles import RoleError
from .data import DataError, load_mnist
from .handwriting import HandwritingError
from .presets import PRESETS, get_preset
from .spec import SpecError
from .store import DEFAULT_MODEL, ModelStore, StoreError

EXIT_BAD_INPUT = 2
WITHOUT_TENSORFLOW = {"presets", "models", "handwriting", "class", "board"}  # `board post` imports it itself
PASSCODE_ENV = "DIGITS_TEACHER_PASSCODE"
BOARD_KEYS = ("place", "id", "nickname", "name", "preset", "params", "epochs", "train_seconds", "mnist_accuracy",
              "class_accuracy", "class_digits", "posted_at")


class NotTheTeacher(Exception):
    """A teacher's command without the teacher's passcode."""


# The project's own refusals; anything else is a bug.
BAD_INPUT = (DataError, SpecError, StoreError, HandwritingError, ClassDatabaseError, NotTheTeacher, BoardError,
             RoleError)


class _EpochBar:
    """A tqdm bar over the samples of each epoch, with a line per finished epoch."""

    def __init__(self, quiet: bool):
        self.quiet, self.bar = quiet, None

    def on_batch(self, update) -> None:
        if self.quiet:
            return
        if self.bar is None:
            self.bar = tqdm(total=update.samples_total, desc=f"epoch {update.epoch}/{update.epochs}",
                            unit="img", leave=False, file=sys.stderr)
        self.bar.n = update.samples_done
        self.bar.set_postfix(loss=f"{update.loss:.4f}", acc=f"{update.accuracy:.4f}", refresh=True)

    def on_epoch(self, record: dict) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        val = f"  val_acc {record['val_accuracy']:.4f}" if "val_accuracy" in record else ""
        print(f"epoch {record['epoch']}: loss {record['loss']:.4f}  acc {record['accuracy']:.4f}{val}"
              f"  {record['seconds']:.1f}s", flush=True)


def cmd_presets(args: argparse.Namespace) -> Any:
    rows = [{"name": p.name, "description": p.description, "params": p.spec.to_dict()} for p in PRESETS.values()]
    if not args.json:
        for p in PRESETS.values():
            print(f"{p.name:18} {p.description}")
    return rows


def cmd_train(args: argparse.Namespace) -> Any:
    from .training import train

    preset = get_preset(args.preset)
    changes = {k: v for k, v in (("epochs", args.epochs), ("batch_size", args.batch_size)) if v is not None}
    spec = preset.spec.with_changes(**changes)
    store = ModelStore()
    save_as = None if args.save is None else store.check_writable(args.save, args.ship)  # refused before training
    data = load_mnist().subset(args.limit)
    result = train(spec, data, progress=_EpochBar(args.json), seed=args.seed)
    print(f"test accuracy {result.test_accuracy:.4f}  loss {result.test_loss:.4f}  "
          f"fit {result.train_seconds:.1f}s")
    meta = result.metadata(preset.name)
    if save_as:
        store.save(save_as, result.model, meta, shipped=args.ship, test_probabilities=result.test_probabilities)
        print(f"saved as {save_as}")
        if args.ship:  # the Inside page's map of a shipped model is ready on first visit
            from .explain import ship_embedding

            print(f"t-SNE map of the test images saved as {ship_embedding(store, save_as).name}")
    summary = {key: meta[key] for key in ("preset", "epochs", "test_accuracy", "test_loss", "train_seconds")}
    return {**summary, "test_seconds": result.test_seconds, "saved_as": save_as}


def cmd_evaluate(args: argparse.Namespace) -> Any:
    from .evaluation import evaluate
    from .handwriting import load_labelled

    name = args.model or DEFAULT_MODEL
    digits = load_mnist() if args.on is None else load_labelled(args.on)
    if not len(digits.y_test):
        raise HandwritingError(f"{args.on}: no digits to evaluate")
    result = evaluate(ModelStore().load(name), digits)
    per_class = result.per_class.reset_index().to_dict(orient="records")
    if not args.json:
        where = "test" if args.on is None else f"{args.on} ({len(digits.y_test)} digits):"
        print(f"{name}: {where} accuracy {result.accuracy:.4f}  loss {result.loss:.4f}")
        print(result.per_class.round(4).to_string())
        if args.on is not None:
            print("confusion matrix (rows true, columns predicted):")
            print("\n".join(" ".join(f"{n:5d}" for n in row) for row in result.confusion))
    return {"model": name, "on": args.on, "images": len(digits.y_test), "test_accuracy": result.accuracy,
            "test_loss": result.loss, "confusion_matrix": result.confusion.tolist(), "per_class": per_class}


def cmd_predict(args: argparse.Namespace) -> Any:
    from .predictor import Predictor
    from .preprocess import ImageError

    predictor = Predictor.load(args.model)
    rows = []
    for file in args.files:
        try:
            prediction = predictor.predict(Path(file).read_bytes())
            row = {"file": file, "digit": prediction.digit, "confidence": prediction.confidence,
                   "probabilities": [round(float(p), 6) for p in prediction.probabilities]}
            line = f"{file}: {prediction.digit} ({prediction.confidence:.1%})"
        except (OSError, ImageError) as exc:
            row = {"file": file, "error": str(exc)}
            line = f"{file}: error: {exc}"
        rows.append(row)
        if not args.json:
            print(line)
    return rows


def cmd_explain(args: argparse.Namespace) -> Any:
    from . import explain
    from .preprocess import ImageError, to_mnist

    name = args.model or DEFAULT_MODEL
    try:
        helper = explain.explainer(ModelStore().load(name))
    except explain.ExplainError as exc:
        raise StoreError(f"model {name!r} cannot be looked inside: {exc}") from exc
    rows = []
    for file in args.files:
        try:
            image = to_mnist(Path(file).read_bytes()).image
        except (OSError, ImageError) as exc:
            rows.append({"file": file, "error": str(exc)})
            if not args.json:
                print(f"{file}: error: {exc}")
            continue
        outputs = helper.layer_outputs(image)
        probabilities = outputs[-1].values
        digit = int(probabilities.argmax())
        found, near = helper.saliency(image, digit), helper.nearest(image, args.nearest)
        rows.append({"file": file, "digit": digit, "probabilities": [round(float(p), 6) for p in probabilities],
                     "image": image.tolist(),
                     "layers": [{"name": o.name, "kind": o.kind, "shape": list(o.shape)} for o in outputs],
                     "saliency": np.round(found.integrated_gradients, 6).tolist(),
                     "nearest": [{"index": n.index, "label": n.label, "distance": round(n.distance, 4)} for n in near]})
        if args.out:
            _write_pictures(Path(args.out), Path(file).stem, image, outputs, found)
        if not args.json:
            print(f"{file}: {digit} ({probabilities[digit]:.1%}); nearest training images: "
                  + ", ".join(f"#{n.index} ({n.label})" for n in near))
    return rows


def _write_pictures(out: Path, stem: str, image: np.ndarray, outputs: list, found) -> None:
    """STEM.LAYER.png for each convolution or dense block's output, STEM.saliency.png (and .grad-cam.png)."""
    from .explained import blocks, overlay, tile

    out.mkdir(parents=True, exist_ok=True)
    for _, end in blocks([o.kind for o in outputs]):
        values = outputs[end].values
        grid = tile(values) if values.ndim == 3 else tile(values[None, :, None], columns=1)
        scale = (4, 4) if values.ndim == 3 else (4, 24)  # a dense layer's strip made tall enough to see
        _save_png(np.nan_to_num(grid, nan=0.5) * 255, out / f"{stem}.{outputs[end].name}.png", scale)
    for name, heat in {"saliency": found.integrated_gradients, "grad-cam": found.grad_cam}.items():
        if heat is not None:
            _save_png(overlay(image, heat), out / f"{stem}.{name}.png", (10, 10))


def _save_png(pixels: np.ndarray, path: Path, scale: tuple[int, int]) -> None:
    """A uint8 picture enlarged by whole factors (width, height), pixels kept square-edged."""
    from PIL import Image

    picture = Image.fromarray(pixels.astype(np.uint8))
    picture.resize((picture.width * scale[0], picture.height * scale[1]), Image.Resampling.NEAREST).save(path)


def cmd_models(args: argparse.Namespace) -> Any:
    rows = [{"name": m.name, "preset": m.meta.get("preset"), "test_accuracy": m.test_accuracy,
             "shipped": m.shipped, "created_at": m.meta.get("created_at")} for m in ModelStore().list()]
    if not args.json:
        for row in rows:
            flag = " (shipped)" if row["shipped"] else ""
            print(f"{row['name']:20} {row['preset'] or '-':18} {row['test_accuracy'] or 0:.4f}{flag}")
    return rows


def cmd_export_lite(args: argparse.Namespace) -> Any:
    from .store import LITE, TEST_PROBABILITIES, ModelStore

    store = ModelStore()
    store.export_lite(args.name)
    files = [f"{store.info(args.name).name}{suffix}" for suffix in (LITE, TEST_PROBABILITIES)]
    print(f"wrote {' and '.join(files)} in {store.root}")
    return {"model": args.name, "files": files}


def cmd_cv(args: argparse.Namespace) -> Any:
    from .crossval import cross_validate

    spec = get_preset(args.preset).spec
    if args.epochs is not None:  # --epochs 0 is refused by the spec, not silently ignored
        spec = spec.with_changes(epochs=args.epochs)
    result = cross_validate(spec, load_mnist().subset(args.limit), folds=args.folds, progress=_EpochBar(args.json))
    print(f"fold accuracies {', '.join(f'{a:.4f}' for a in result.fold_accuracies)}; "
          f"mean {result.mean:.4f} +/- {result.std:.4f}")
    return {"preset": args.preset, "folds": args.folds, "fold_accuracies": result.fold_accuracies,
            "mean": result.mean, "std": result.std}


def cmd_compare(args: argparse.Namespace) -> Any:
    from .compare import compare
    from .runs import stored_run
    from .store import ModelStore

    store, data = ModelStore(), load_mnist()
    for name in (args.a, args.b):
        if not store.is_complete(name):  # saved by an older version: written once, as the app does it
            store.complete(name)
    a, b = (stored_run(store, name, data.x_test) for name in (args.a, args.b))
    result = compare(data.y_test, a.probabilities, b.probabilities)
    if not args.json:
        print(f"{a.name}: {result.accuracy_a:.4f}   {b.name}: {result.accuracy_b:.4f}")
        print(f"both right {result.both_right}, only {a.name} {result.only_a}, only {b.name} {result.only_b}, "
              f"both wrong {result.both_wrong}; they disagree on {len(result.disagree)} images")
        print(result.verdict(a.name, b.name))
    return {"a": a.name, "b": b.name, **result.summary()}

def cmd_handwriting(args: argparse.Namespace) -> Any:
    from .classroom.samples import Collection

    collection = Collection()
    where = collection.db.where
    if args.action == "import":
        check_passcode(args)
        batch = collection.import_npz(args.file)
        print(f"imported {batch.count} digits from {args.file} into {where} as import {batch.id}")
        return {"action": "import", "file": args.file, "digits": batch.count, "batch": batch.id, "database": where}
    if args.action == "export":
        written = collection.export_npz(args.file)
        print(f"exported {written} digits from {where} to {args.file}")
        return {"action": "export", "file": args.file, "digits": written, "database": where}
    if args.action == "batches":
        rows = [{"id": b.id, "name": b.name, "browser_id": b.browser_id, "digits": b.count,
                 "created_at": b.created_at.isoformat(timespec="seconds")} for b in collection.batches()]
        if not args.json:
            for row in rows:
                print(f"{row['id']:>5}  {row['created_at']}  {row['digits']:>6} digits  {row['name'] or '-'}"
                      f"  {row['browser_id'] or '-'}")
        return rows
    if args.action == "remove-batch":
        check_passcode(args)
        if args.id not in {b.id for b in collection.batches()}:
            raise HandwritingError(f"no import number {args.id} in {where} (see: handwriting batches)")
        removed = collection.delete_batch(args.id)
        print(f"removed import {args.id}: {removed} digits")
        return {"action": "remove-batch", "batch": args.id, "digits": removed, "database": where}
    stats = collection.stats()
    if not args.json:
        print(f"{where}: {stats.digits} digits, {stats.batches} imports, from {stats.browsers} browsers")
        print("  ".join(f"{digit}: {count}" for digit, count in enumerate(stats.counts)))
        print("  ".join(f"{source}: {count}" for source, count in stats.sources.items()))
    return {"database": where, "digits": stats.digits, "counts": stats.counts, "sources": stats.sources,
            "browsers": stats.browsers, "batches": stats.batches}


def cmd_class(args: argparse.Namespace) -> Any:
    from .classroom.database import ClassDatabase
    from .classroom.retention import wipe

    check_passcode(args)
    if not args.yes:
        raise NotTheTeacher("class wipe removes every sample, import, kept run, board post and model owner: "
                            "add --yes to go ahead")
    removed = wipe()
    print(f"wiped {ClassDatabase().where}: " + ", ".join(f"{count} {table}" for table, count in removed.items()))
    return {"action": "wipe", "removed": removed}


def check_passcode(args: argparse.Namespace) -> None:
    """A teacher's command goes ahead when no passcode is set, or --passcode matches $DIGITS_TEACHER_PASSCODE."""
    expected = os.environ.get(PASSCODE_ENV)
    given = getattr(args, "passcode", None) or ""
    if expected and not hmac.compare_digest(given.encode(), expected.encode()):
        raise NotTheTeacher(f"only the teacher may {args.command} {args.action}: "
                            f"{'wrong' if given else 'give the'} --passcode (${PASSCODE_ENV} is set)")


def cmd_board(args: argparse.Namespace) -> Any:
    from .classroom.board import Board

    board = Board()
    if args.action == "post":
        return _board_post(board, Path(args.file), args.nickname, args.replace)
    if args.action == "remove":
        from .classroom.roles import PasscodeGate, passcode_from_env

        PasscodeGate(passcode_from_env()).require(args.passcode)
        post = board.take_down(args.id, None, teacher=True)
        print(f"took down #{post.id} ({post.nickname}: {post.name})")
        return {"action": "remove", "id": post.id}
    ranking = board.ranking()
    rows = [{"place": row.place, "id": row.post.id, "nickname": row.post.nickname, "name": row.post.name,
             "preset": row.post.preset, "params": row.post.params, "epochs": row.post.epochs,
             "train_seconds": row.post.train_seconds, "mnist_accuracy": row.post.mnist_accuracy,
             "class_accuracy": row.class_accuracy, "class_digits": len(ranking.class_set),
             "posted_at": row.post.posted_at.isoformat(timespec="seconds")} for row in ranking.rows]
    if args.action == "export":
        return _board_export(rows, Path(args.file))
    if not args.json:
        print(f"ranked by {ranking.ranked_by}" + ("" if ranking.posting_open else "; posting is closed"))
        for row in rows:
            on_class = "-" if row["class_accuracy"] is None else f"{row['class_accuracy']:.4f}"
            print(f"{row['place']:>3}. #{row['id']:<4} {row['nickname']:24} {row['name']:24} {row['preset']:18} "
                  f"MNIST {row['mnist_accuracy']:.4f}  class {on_class}")
        if ranking.lead:
            print(ranking.lead)
    return rows


def _board_post(board: Any, path: Path, nickname: str | None, replace: int | None) -> Any:
    """Convert and score a .keras file here (this process may load TensorFlow: it is not the server), then post it."""
    from .classroom.board import entry_from_keras

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BoardError(f"{path} cannot be read ({exc.strerror or exc})") from exc
    import_tensorflow_quietly()
    entry = entry_from_keras(data, path.stem, load_mnist(), _store_meta(path))
    post = board.post(entry, None, nickname, replace)
    print(f"posted {path} as #{post.id} ({post.nickname}: {post.name}), {post.mnist_accuracy:.4f} on MNIST")
    return {"action": "post", "id": post.id, "nickname": post.nickname, "name": post.name,
            "mnist_accuracy": post.mnist_accuracy}


def _store_meta(path: Path) -> dict[str, Any] | None:
    """The store's JSON beside a .keras file (its preset, spec and history), when it has one that reads."""
    try:
        meta = json.loads(path.with_suffix(".json").read_text())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _board_export(rows: list[dict[str, Any]], path: Path) -> Any:
    import csv

    try:
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, BOARD_KEYS)
            writer.writeheader()
            writer.writerows({key: _cell(value) for key, value in row.items()} for row in rows)
    except OSError as exc:
        raise BoardError(f"cannot write {path} ({exc.strerror or exc})") from exc
    print(f"exported {len(rows)} posts to {path}")
    return {"action": "export", "file": str(path), "posts": len(rows)}


def _cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: a nickname starting with = + - @ would otherwise run as a formula."""
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def import_tensorflow_quietly() -> None:
    """Import TensorFlow with descriptor 2 sent to a scratch file, replayed only if the import fails.

    TensorFlow prints native start-up lines straight to file descriptor 2, past
    TF_CPP_MIN_LOG_LEVEL; they would bury the one-line errors. Only the command line does
    this: in the app it would swallow every other thread's stderr while TensorFlow loads.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as scratch:
        os.dup2(scratch.fileno(), 2)
        try:
            from . import backend  # noqa: F401
        except BaseException:
            os.dup2(saved, 2)
            scratch.seek(0)
            sys.stderr.write(scratch.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


class _Parser(argparse.ArgumentParser):
    """argparse with the house style for bad input: one line on stderr, exit status 2, no usage dump."""

    def error(self, message: str) -> None:
        self.exit(EXIT_BAD_INPUT, f"error: {self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m digits_core", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, handler: Callable, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--json", action="store_true", help="make the last line of output one JSON value")
        p.set_defaults(handler=handler)
        return p

    command("presets", cmd_presets, "list the preset networks")
    train = command("train", cmd_train, "train a preset on MNIST")
    train.add_argument("--preset", required=True, choices=list(PRESETS))
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--limit", type=int, help="train on the first N training images only")
    train.add_argument("--save", metavar="NAME", help="save the model to models/ under NAME")
    train.add_argument("--ship", action="store_true", help="mark the saved model as shipped (read-only in the app)")
    evaluate = command("evaluate", cmd_evaluate, "score a stored model on the test set")
    evaluate.add_argument("--model", help="stored model name (default: the shipped default model)")
    evaluate.add_argument("--on", metavar="FILE.npz", help="score a labelled set in MNIST's layout (x_test, y_test)")
    predict = command("predict", cmd_predict, "read the digit in image files")
    predict.add_argument("--model", help="stored model name (default: the shipped default model)")
    predict.add_argument("files", nargs="+", metavar="FILE")
    explain = command("explain", cmd_explain, "what each layer sees, which pixels decided, the nearest training images")
    explain.add_argument("--model", help="stored model name (default: the shipped default model)")
    explain.add_argument("--out", metavar="DIR", help="write PNGs of the feature maps and saliency maps here")
    explain.add_argument("--nearest", type=int, default=8, metavar="K", help="how many nearest training images")
    explain.add_argument("files", nargs="+", metavar="FILE")
    command("models", cmd_models, "list the stored models")
    export = command("export-lite", cmd_export_lite,
                     "(re)write a stored model's LiteRT file and test predictions, which Draw and Evaluate read")
    export.add_argument("name", metavar="NAME")
    cv = command("cv", cmd_cv, "k-fold cross-validation of a preset")
    cv.add_argument("--preset", required=True, choices=list(PRESETS))
    cv.add_argument("--folds", type=int, default=5)
    cv.add_argument("--epochs", type=int)
    cv.add_argument("--limit", type=int, help="use the first N training images only")
    pair = command("compare", cmd_compare, "compare two stored models on the test set (McNemar's exact test)")
    pair.add_argument("a", metavar="A", help="stored model name")
    pair.add_argument("b", metavar="B", help="stored model name")
    handwriting = command("handwriting", cmd_handwriting, "the class collection, in the class database "
                          "($DIGITS_DATABASE_URL)")
    actions = handwriting.add_subparsers(dest="action", required=True, parser_class=_Parser)
    imports = actions.add_parser("import", help="add the digits of an .npz in MNIST's layout, as one import (teacher)")
    imports.add_argument("file", metavar="FILE.npz")
    actions.add_parser("export", help="write the collection as an .npz in MNIST's layout").add_argument(
        "file", metavar="FILE.npz")
    actions.add_parser("stats", help="how many digits of each kind, from where")
    actions.add_parser("batches", help="the imports, each removable whole")
    remove = actions.add_parser("remove-batch", help="remove one import whole (teacher)")
    remove.add_argument("id", type=int, metavar="ID")
    classroom = command("class", cmd_class, "the class database ($DIGITS_DATABASE_URL) as a whole")
    class_actions = classroom.add_subparsers(dest="action", required=True, parser_class=_Parser)
    wiping = class_actions.add_parser("wipe", help="the end of a course: remove everything the class made (teacher)")
    wiping.add_argument("--yes", action="store_true", help="yes, remove it all")
    for teachers in (imports, remove, wiping):
        teachers.add_argument("--passcode", help=f"the teacher's passcode, when ${PASSCODE_ENV} is set")
    for action in [*actions.choices.values(), *class_actions.choices.values()]:
        # --json after the action too; SUPPRESS keeps one given before it
        action.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="one JSON value last")
    board = command("board", cmd_board, "the class board: posts ranked on the class's held-out digits and MNIST")
    posts = board.add_subparsers(dest="action", required=True, parser_class=_Parser)
    posts.add_parser("list", help="the ranking, best first")
    post = posts.add_parser("post", help="post a .keras model (converted and scored on MNIST here)")
    post.add_argument("file", metavar="MODEL.keras")
    post.add_argument("--nickname", help="shown on the board (default: anonymous)")
    post.add_argument("--replace", type=int, metavar="ID", help="the post this one replaces")
    take_down = posts.add_parser("remove", help="take a post down (the teacher's: --passcode when one is set)")
    take_down.add_argument("id", type=int, metavar="ID")
    take_down.add_argument("--passcode", help=f"the teacher's passcode, when ${PASSCODE_ENV} is set")
    posts.add_parser("export", help="write the ranking as CSV").add_argument("file", metavar="board.csv")
    for action in posts.choices.values():  # as for handwriting: --json after the action too
        action.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="one JSON value last")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command not in WITHOUT_TENSORFLOW:
        import_tensorflow_quietly()
    try:
        result = args.handler(args)
    except BAD_INPUT as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(result))
    return 0
