"""The training process: real trainings through a real Job, a stop, a closed tab, a crash and the idle exit."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import psutil
import pytest

from digits_core import get_preset
from digits_core.classroom.scoring import held_out_mask
from digits_core.data import DataError, REPO_ROOT
from digits_core.jobs import DONE, FAILED, STOPPED, Job, Slots
from digits_core.lite import LiteModel
from digits_core.store import ModelStore, StoreError
from digits_core.explained import ExplainError
from digits_core.handwriting import LabelledSet
from digits_core.worker import ModelSource, Worker, WorkerError

SPEC = get_preset("dense-128x2").spec.with_changes(epochs=2, batch_size=32)
# Progress updates come at most 4 a second, the first a quarter second into an epoch: epochs of 30,000 images
# (about 1.2 s here) give several on any machine, where 6,000 took 0.25 s and sometimes gave none (a stop
# asked at the first update then came after the run had ended).
SAMPLES = 30_000


@pytest.fixture(scope="module")
def worker():
    worker = Worker(idle=600)
    yield worker
    worker.close()


def run_job(worker: Worker, samples: int = SAMPLES, alive=lambda: True, on_batch=None) -> Job:
    """A real Job whose target is a training in the worker; returned once it has ended."""
    job = Job("train", lambda job: worker.train_plan([("dense-128x2", SPEC)], samples, job), Slots(1), alive=alive)
    if on_batch is not None:
        job.on_batch = on_batch(job, job.on_batch)
    job.start().join(timeout=300)
    assert job.finished, "the job did not end within 5 minutes"
    return job


def test_a_training_in_the_worker_reports_each_epoch_and_returns_its_run(worker):
    snap = run_job(worker).snapshot()
    assert snap.state == DONE, snap.error
    [run] = snap.result
    assert [record["epoch"] for record in snap.epochs] == [1, 2] and snap.batches
    assert run.preset == "dense-128x2" and len(run.history) == 2 and not run.stopped
    assert run.test_accuracy > 0.8 and run.probabilities.shape == (10_000, 10) and run.model_bytes


@pytest.fixture(scope="module")
def trained_run(worker):
    return run_job(worker).snapshot().result[0]


def test_a_run_converted_by_the_worker_reads_as_the_training_scored_it(worker, trained_run, mnist):
    model = LiteModel(worker.lite(trained_run.model_bytes), "converted")
    read = model.probabilities(mnist.x_test[:500])
    assert np.abs(read - trained_run.probabilities[:500]).max() < 1e-2  # float16 probabilities in the run
    assert (read.argmax(1) == trained_run.probabilities[:500].argmax(1)).mean() > 0.99


def test_save_through_the_worker_writes_every_file_and_refuses_a_bad_name(worker, trained_run, tmp_path):
    saved = worker.save(tmp_path, "mine", trained_run.model_bytes, trained_run.meta, trained_run.probabilities)
    assert saved.name == "mine" and [entry.name for entry in ModelStore(tmp_path).list()] == ["mine"]
    assert {path.suffix for path in tmp_path.iterdir()} == {".keras", ".json", ".tflite", ".npy"}
    with pytest.raises(StoreError, match="name"):
        worker.save(tmp_path, "../evil", trained_run.model_bytes, trained_run.meta, trained_run.probabilities)


def test_the_worker_completes_a_model_saved_by_an_older_version(worker, trained_run, tmp_path):
    worker.save(tmp_path, "old", trained_run.model_bytes, trained_run.meta, trained_run.probabilities)
    meta = json.loads((tmp_path / "old.json").read_text())
    del meta["parameters"]
    (tmp_path / "old.json").write_text(json.dumps(meta))
    (tmp_path / "old.test.npy").unlink()
    completed = worker.complete(tmp_path, "old")
    assert completed.meta["parameters"] == trained_run.parameters and ModelStore(tmp_path).is_complete("old")
    probs = ModelStore(tmp_path).test_probabilities("old")
    assert (probs.argmax(1) == trained_run.probabilities.argmax(1)).mean() > 0.999


def run_finetune(worker: Worker, run, mnist, alive=lambda: True, on_batch=None) -> Job:
    """A real fine-tune Job of `run` in the worker on forty shifted test digits; returned once it has ended."""
    digits = LabelledSet(np.roll(mnist.x_test[:40], 2, axis=2), mnist.y_test[:40])
    job = Job("finetune", lambda job: worker.finetune(ModelSource.run(run), run.spec, digits, "tuned", job), Slots(1),
              alive=alive)
    if on_batch is not None:
        job.on_batch = on_batch(job, job.on_batch)
    job.start().join(timeout=300)
    assert job.finished, "the fine-tune did not end within 5 minutes"
    return job


def test_a_fine_tune_in_the_worker_reports_each_epoch_and_returns_a_run_with_its_held_out_figures(
        worker, trained_run, mnist):
    snap = run_finetune(worker, trained_run, mnist).snapshot()
    assert snap.state == DONE, snap.error
    run = snap.result
    assert [record["epoch"] for record in snap.epochs] == [1, 2, 3] and snap.batches
    assert run.preset == "tuned" and run.spec == trained_run.spec and run.model_bytes != trained_run.model_bytes
    held = int(held_out_mask(range(1, 41)).sum())  # the board's fifth, by place: the digits have no sample ids
    assert run.meta["held_out"]["count"] == held > 0 and 0 <= run.meta["held_out"]["after"] <= 1
    assert run.probabilities.shape == (10_000, 10) and run.test_accuracy > 0.8 and run.id != trained_run.id


def test_a_fine_tune_stops_after_its_batch_and_one_nobody_waits_for_ends(worker, trained_run, mnist):
    snap = run_finetune(worker, trained_run, mnist, on_batch=stop_at_first).snapshot()
    assert snap.state == STOPPED and snap.result.stopped and len(snap.result.history) == 1
    snap = run_finetune(worker, trained_run, mnist, alive=lambda: False).snapshot()
    assert snap.state == STOPPED and snap.result is None


def test_an_explainer_in_the_worker_answers_like_one_here(worker, trained_run, mnist):
    from digits_core.explain import Explainer
    from digits_core.store import model_from_bytes

    here = Explainer(model_from_bytes(trained_run.model_bytes), mnist)
    there = worker.explainer(ModelSource.run(trained_run))
    image = mnist.x_test[3]
    for near, far in zip(here.layer_outputs(image), there.layer_outputs(image)):
        assert (near.name, near.kind) == (far.name, far.kind) and np.allclose(near.values, far.values, atol=1e-5)
    assert np.allclose(here.saliency(image, 5).integrated_gradients, there.saliency(image, 5).integrated_gradients,
                       atol=1e-5)
    assert [n.index for n in here.nearest(image)] == [n.index for n in there.nearest(image)]
    assert there.embedding(2000).positions.shape == (2000, 2) and there.first_filters() is None


def test_a_model_the_worker_cannot_look_inside_raises_here(worker, tmp_path):
    (tmp_path / "broken.keras").write_bytes(b"not a keras file")
    with pytest.raises(StoreError):
        worker.explainer(ModelSource.stored(tmp_path, "broken", None))
    with pytest.raises(ExplainError):
        worker.explainer(ModelSource(key="no rescaling", model_bytes=no_rescaling_model()))


def no_rescaling_model() -> bytes:
    from digits_core.backend import keras
    from digits_core.store import model_to_bytes

    inputs = keras.Input((28, 28, 1))
    return model_to_bytes(keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(inputs))))


def test_runs_from_the_worker_get_ids_of_this_process(worker):
    first, second = (run_job(worker).snapshot().result[0] for _ in range(2))
    assert first.id != second.id


def stop_at_first(job, on_batch):
    """job.on_batch that asks the job to stop after the first batch update."""
    def first_batch(update):
        on_batch(update)
        job.request_stop()
    return first_batch


def test_stop_ends_the_run_after_its_batch_and_keeps_the_model(worker):
    snap = run_job(worker, on_batch=stop_at_first).snapshot()
    assert snap.state == STOPPED and snap.result[0].stopped and len(snap.result[0].history) == 1


def test_a_run_nobody_waits_for_ends_in_the_worker_too(worker):
    snap = run_job(worker, alive=lambda: False).snapshot()  # asked at the first batch update
    assert snap.state == STOPPED and snap.result is None
    assert worker.summary(SPEC)  # the process is still there for the next request


def test_an_error_in_the_worker_is_raised_where_the_training_was_asked_for(worker):
    snap = run_job(worker, samples=0).snapshot()
    assert snap.state == FAILED and DataError.__name__ in snap.error and "at least 1" in snap.error


def test_a_killed_worker_fails_the_run_with_a_message_and_the_next_request_starts_a_new_one(worker):
    def kill_at_first(job, on_batch):
        def first_batch(update):
            os.kill(worker.pid, signal.SIGKILL)
            on_batch(update)
        return first_batch

    killed = worker.pid
    snap = run_job(worker, on_batch=kill_at_first).snapshot()
    assert snap.state == FAILED and WorkerError.__name__ in snap.error and "ended" in snap.error
    assert worker.summary(SPEC) and worker.pid not in (None, killed)


def test_the_worker_stops_once_unused_for_its_idle_time(worker):
    worker.summary(SPEC)
    pid, worker.idle = worker.pid, 1.0
    deadline = time.monotonic() + 10
    while worker.pid is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert worker.pid is None and not os.path.exists(f"/proc/{pid}")


def test_warm_up_starts_the_process_in_the_background_and_returns_at_once():
    worker = Worker(idle=600)
    try:
        asked = time.monotonic()
        worker.warm_up()
        assert time.monotonic() - asked < 1.0  # TensorFlow's import takes seconds: it is not waited for
        deadline = asked + 300
        while worker.pid is None and time.monotonic() < deadline:
            time.sleep(0.2)
        started = worker.pid
        worker.warm_up()  # already running: nothing more
        assert started is not None and worker.summary(SPEC) and worker.pid == started
    finally:
        worker.close()


def test_a_warm_up_after_a_pause_holds_every_start_until_then():
    """The page that asks paints first: neither the warm-up nor a request made meanwhile starts the process early."""
    worker = Worker(idle=600)
    before = worker_processes()
    try:
        worker.warm_up(after=3.0)
        time.sleep(1.0)
        with ThreadPoolExecutor(1) as pool:
            asked = pool.submit(worker.summary, SPEC)  # a click on Train during the pause
            time.sleep(1.5)
            assert worker_processes() == before  # none started 2.5 s after the warm-up
            assert asked.result(timeout=300) and worker.pid is not None  # the request is answered after the pause
    finally:
        worker.close()


def worker_processes() -> set[int]:
    """The training processes this test process has started."""
    return {child.pid for child in psutil.Process().children() if "digits_core.worker" in " ".join(child.cmdline())}


def test_the_caller_never_imports_tensorflow_and_leaves_no_socket_behind():
    script = textwrap.dedent("""
        import json, os, sys, threading
        from digits_core import get_preset
        from digits_core.worker import Worker

        class Job:
            stop = threading.Event()
            def on_epoch(self, record): pass
            def on_batch(self, update): pass

        worker = Worker()
        rows = worker.summary(get_preset("cnn-fast").spec)
        [run] = worker.train_plan([("dense-128x2", get_preset("dense-128x2").spec.with_changes(epochs=1))], 2000, Job())
        print(json.dumps({"layers": len(rows), "accuracy": run.test_accuracy,
                          "imported": [m for m in ("tensorflow", "keras") if m in sys.modules],
                          "socket_dir": os.path.dirname(worker._address)}))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    figures = json.loads(done.stdout.splitlines()[-1])
    assert figures["layers"] > 5 and figures["accuracy"] > 0.5 and figures["imported"] == [], done.stderr[-2000:]
    assert not os.path.exists(figures["socket_dir"])  # removed when the caller exits


def test_a_cross_validation_in_the_worker_gives_every_fold(worker):
    job = Job("cv", lambda job: worker.cross_validate(SPEC.with_changes(epochs=1), 3000, 3, job), Slots(1)).start()
    job.join(timeout=300)
    snap = job.snapshot()
    assert snap.state == DONE, snap.error
    assert len(snap.result.fold_accuracies) == 3 and all(0.5 < a <= 1 for a in snap.result.fold_accuracies)
    assert [record["run"] for record in snap.epochs] == [1, 2, 3]  # one curve a fold
