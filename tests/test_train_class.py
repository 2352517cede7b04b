"""Train in a class: the teacher's class defaults, and a run waiting in line that is told when it starts and made
smaller. Real Streamlit sessions under AppTest, a real training process."""

from __future__ import annotations

import threading

import pytest

from digits_core.classroom.defaults import ClassDefaults, TrainingDefaults
from digits_core.classroom.roles import PASSCODE_ENV
from digits_core.estimate import Work
from digits_core.jobs import DONE, Job
from digits_core.spec import SpecError
from test_app import TIMEOUT, open_page

PAGE = "pages/train.py"


@pytest.fixture(autouse=True)
def fresh_class():
    """The server-wide class defaults, gate and job slots made anew around each test (AppTests share a process)."""
    from ui.identity import teacher_gate
    from ui.state import class_defaults, job_slots

    for cached in (class_defaults, teacher_gate, job_slots):
        cached.clear()
    yield
    for cached in (class_defaults, teacher_gate, job_slots):
        cached.clear()


def number(at, label: str):
    return next(n for n in at.number_input if n.label == label)


def test_class_defaults_refuse_what_a_training_cannot_take():
    assert TrainingDefaults() == TrainingDefaults(60_000, None)
    for samples, epochs in ((99, None), (60_001, None), (1000.5, None), (1000, 0), (1000, 101)):
        with pytest.raises(SpecError):
            ClassDefaults().set(samples, epochs)


def test_the_teachers_defaults_start_every_students_form():
    teacher = open_page(PAGE)  # no passcode set: everyone is the teacher
    number(teacher, "Class training images").set_value(12_000)
    number(teacher, "Class epochs (empty: each preset's own)").set_value(2)
    next(b for b in teacher.button if b.label == "Set for the class").click().run()
    assert not teacher.exception
    student = open_page(PAGE)
    assert number(student, "Training samples").value == 12_000 and number(student, "Epochs").value == 2
    assert any("12,000 images, 2 epoch(s)" in e.label for e in student.expander)


def test_a_student_sees_the_class_defaults_but_cannot_set_them(monkeypatch):
    monkeypatch.setenv(PASSCODE_ENV, "owl-42")
    student = open_page(PAGE)
    assert number(student, "Class training images").disabled
    assert next(b for b in student.button if b.label == "Set for the class").disabled
    assert any("Only the teacher can set the class's training defaults" in c.value for c in student.caption)


def test_a_waiting_run_is_told_when_it_starts_and_can_train_on_fewer_images():
    from ui.state import job_slots

    slots, release = job_slots(), threading.Event()
    slots.times.add(Work("cnn-fast x1", 60_000), startup=0.5, body=30.0)
    ahead = Job("train", lambda job: release.wait(TIMEOUT), slots, work=Work("cnn-fast x1", 60_000)).start()
    at = open_page(PAGE)
    next(b for b in at.button if b.label == "Train").click().run()
    assert any("Queued: number 1 in line, should start in about" in i.value for i in at.info)
    number(at, "Training images (lower them while you wait)").set_value(300).run()
    job = at.session_state["job"]
    assert job.work.samples == 300
    release.set()
    job.join(TIMEOUT)
    at.run()
    assert job.snapshot().state == DONE and ahead.snapshot().state == DONE
    assert at.session_state["runs"].runs[-1].train_samples == 300
