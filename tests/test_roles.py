"""The teacher's passcode gate and the student's identity: core rules, and the sidebar under AppTest."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from digits_core.classroom.identity import NicknameError, clean_nickname, is_browser_id, new_browser_id
from digits_core.classroom.roles import PASSCODE_ENV, PasscodeGate, RoleError, TryLater

APP = str(Path(__file__).resolve().parents[1] / "app.py")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_passcode_opens_and_a_wrong_one_does_not():
    gate = PasscodeGate("owl-42")
    assert gate.check("owl-42")
    assert not gate.check("owl-43")
    assert not gate.check("")


def test_five_wrong_tries_make_every_try_wait_a_minute():
    clock = Clock()
    gate = PasscodeGate("owl-42", clock=clock)
    for _ in range(5):
        assert not gate.check("guess")
    with pytest.raises(TryLater) as waiting:
        gate.check("owl-42")  # even the right passcode waits
    assert waiting.value.seconds == 60
    clock.now = 59.5
    with pytest.raises(TryLater):
        gate.check("owl-42")
    clock.now = 60.5
    assert gate.check("owl-42")


def test_wrong_tries_from_many_threads_are_counted_together():
    gate = PasscodeGate("owl-42", clock=Clock())
    threads = [threading.Thread(target=gate.check, args=(f"guess-{i}",)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with pytest.raises(TryLater):
        gate.check("owl-42")


def test_without_a_passcode_everyone_is_the_teacher():
    gate = PasscodeGate(None)
    assert not gate.enabled
    assert gate.check("anything")
    gate.require(None)


def test_the_command_line_needs_the_passcode_when_one_is_set():
    gate = PasscodeGate("owl-42")
    gate.require("owl-42")
    with pytest.raises(RoleError, match="passcode"):
        gate.require(None)
    with pytest.raises(RoleError):
        gate.require("nope")


def test_browser_ids_are_random_and_only_their_form_is_accepted():
    ids = {new_browser_id() for _ in range(100)}
    assert len(ids) == 100 and all(is_browser_id(i) for i in ids)
    for junk in ["", "../../etc/passwd", "<b>x</b>", "a" * 17, None, 42]:
        assert not is_browser_id(junk)


@pytest.mark.parametrize("text, expected", [("  Anna  ", "Anna"), ("Anna's dense 🙂", "Anna's dense 🙂"),
                                            ("<b>x</b>'; DROP TABLE x", "<b>x</b>'; DROP TABLE x"),
                                            ("a  b", "a b")])
def test_nicknames_are_trimmed_and_kept_as_plain_text(text, expected):
    assert clean_nickname(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "x" * 25, "bell\x07"])
def test_bad_nicknames_say_the_rule(text):
    with pytest.raises(NicknameError):
        clean_nickname(text)


def test_a_reload_keeps_the_browser_id_from_the_url():
    at = AppTest.from_file(APP, default_timeout=60).run()
    given = at.query_params["id"]
    assert is_browser_id(given[0] if isinstance(given, list) else given)
    again = AppTest.from_file(APP, default_timeout=60)
    again.query_params["id"] = "abcdefghijklmnop"
    again.run()
    assert again.session_state["browser_id"] == "abcdefghijklmnop"


def test_a_junk_id_in_the_url_is_replaced(monkeypatch):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["id"] = "../<script>"
    at.run()
    assert is_browser_id(at.session_state["browser_id"])
    assert at.session_state["browser_id"] != "../<script>"


def _unlock(at: AppTest, attempt: str) -> AppTest:
    field = next(t for t in at.sidebar.text_input if t.label == "Teacher passcode")
    field.input(attempt)
    next(b for b in at.sidebar.button if b.label == "Unlock").click()
    return at.run()


@pytest.fixture
def passcode(monkeypatch):
    """A teacher passcode for the app; the server-wide gate is made anew around the test."""
    from ui.identity import teacher_gate

    monkeypatch.setenv(PASSCODE_ENV, "owl-42")
    teacher_gate.clear()
    yield "owl-42"
    teacher_gate.clear()


def test_the_teacher_unlocks_in_the_sidebar_and_five_wrong_tries_wait(passcode):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.session_state["teacher"] = False
    for _ in range(5):
        _unlock(at, "guess")
        assert any("Wrong passcode" in e.value for e in at.sidebar.error)
    _unlock(at, passcode)
    assert any("Try again in" in w.value for w in at.sidebar.warning)
    assert not at.session_state["teacher"]
    assert not at.exception


def test_the_right_passcode_unlocks_for_the_session(passcode):
    at = AppTest.from_file(APP, default_timeout=60).run()
    _unlock(at, passcode)
    assert at.session_state["teacher"]
    assert any("unlocked" in s.value for s in at.sidebar.success)


def _handwriting(mnist, teacher: str | None = None) -> AppTest:
    """Handwriting with a few class digits, as a student (or the teacher, once unlocked with `teacher`)."""
    from digits_core.classroom.samples import Collection
    from digits_core.handwriting import LabelledSet

    if not Collection().counts().sum():
        Collection().add_many(LabelledSet(mnist.x_test[:12], mnist.y_test[:12]))
    at = AppTest.from_file(APP, default_timeout=120).run()
    if teacher:
        _unlock(at, teacher)
    return at.switch_page("pages/handwriting.py").run()


def test_a_student_sees_the_teachers_controls_disabled_with_the_reason(passcode, mnist):
    at = _handwriting(mnist)
    assert not at.exception
    assert any("the teacher's" in c.value for c in at.caption)
    deletes = [b for b in at.button if b.label == "Delete"]
    assert deletes and all(b.disabled for b in deletes)
    assert all("Only the teacher" in (b.help or "") for b in deletes)
    assert all(b.disabled for b in at.button if b.label == "Add its digits to the collection")


def test_the_unlocked_teacher_can_delete(passcode, mnist):
    from digits_core.classroom.samples import Collection

    at = _handwriting(mnist, teacher=passcode)
    delete = next(b for b in at.button if b.label == "Delete")
    assert not delete.disabled
    delete.click().run()
    assert not at.exception and Collection().counts().sum() == 11


def test_without_a_passcode_the_page_says_how_to_set_one(mnist, monkeypatch):
    from ui.identity import teacher_gate

    monkeypatch.delenv(PASSCODE_ENV, raising=False)
    teacher_gate.clear()
    at = _handwriting(mnist)
    assert any(PASSCODE_ENV in c.value for c in at.caption)
    assert not any(b.disabled for b in at.button if b.label == "Delete")


def test_a_model_saved_by_one_browser_cannot_be_overwritten_by_another(passcode):
    from digits_core.classroom.owners import Owners
    from digits_core.store import StoreError

    owners = Owners()
    owners.claim("anna-best", "annaannaannaanna", "Anna", False)
    with pytest.raises(StoreError, match="someone else"):
        owners.claim("anna-best", "bobbobbobbobbobb", "Bob", False)
    owners.claim("anna-best", "annaannaannaanna", "Anna", False)  # the owner may save again
    owners.claim("anna-best", "bobbobbobbobbobb", None, True)  # and so may the teacher
