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
    for left in (4, 3, 2, 1, 0):
        assert not gate.check("guess")
        assert gate.tries_left() == left
    with pytest.raises(TryLater) as waiting:
        gate.check("owl-42")  # even the right passcode waits
    assert waiting.value.seconds == 60
    clock.now = 59.5
    with pytest.raises(TryLater):
        gate.check("owl-42")
    clock.now = 60.5
    assert gate.tries_left() == 5
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
    for left in ("4 more wrong tries", "3 more", "2 more", "1 more wrong try", "one too many"):
        _unlock(at, "guess")
        assert any(e.value.startswith("Wrong passcode.") and left in e.value for e in at.sidebar.error)
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


STUDENT, OTHER = "studentstudent01", "otherotherother1"  # browser ids of the form the app gives


def _train_as(browser: str, teacher: str | None = None) -> AppTest:
    """The Train page in a browser whose id is `browser` (as a reload finds it in the URL), unlocked with `teacher`."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["id"] = browser
    at.run()
    if teacher:
        _unlock(at, teacher)
    return at.switch_page("pages/train.py").run()


def _choose_stored(at: AppTest, name: str):
    """Pick a stored model under Train's Stored models; returns the popover that deletes it."""
    next(s for s in at.selectbox if s.label == "Stored model").select(name).run()
    return next(p for p in at.get("popover") if p.proto.popover.label == f"Delete {name}")


@pytest.fixture
def class_models(store, tiny_training):
    """The shipped default, a model saved by STUDENT and one saved by OTHER."""
    from digits_core.classroom.owners import Owners

    store.save("default", tiny_training.model, {}, shipped=True)
    for name, browser in (("mine", STUDENT), ("theirs", OTHER)):
        Owners().claim(name, browser, name)
        store.save(name, tiny_training.model, {})
    return store


def test_a_student_deletes_their_own_stored_model_only(passcode, class_models):
    at = _train_as(STUDENT)
    assert _choose_stored(at, "theirs").proto.popover.disabled
    assert any("Only the teacher can delete or overwrite someone else's stored model" in c.value for c in at.caption)
    assert _choose_stored(at, "default").proto.popover.disabled
    assert any("read-only for everyone" in c.value for c in at.caption)
    mine = _choose_stored(at, "mine")
    assert not mine.proto.popover.disabled
    mine.button[0].click().run()
    assert not at.exception and any("Deleted the stored model" in s.value for s in at.success)
    assert [entry.name for entry in class_models.list()] == ["default", "theirs"]


def test_the_teacher_deletes_anyones_stored_model_but_not_the_shipped_one(passcode, class_models):
    at = _train_as(STUDENT, teacher=passcode)
    _choose_stored(at, "theirs").button[0].click().run()
    assert not at.exception and not class_models.exists("theirs")
    assert _choose_stored(at, "default").proto.popover.disabled


def test_a_class_database_that_cannot_be_reached_is_one_line_under_stored_models(class_models, monkeypatch):
    monkeypatch.setenv("DIGITS_DATABASE_URL", "postgresql://teacher:secret@127.0.0.1:9/class")
    at = _train_as(STUDENT)
    assert not at.exception and not at.get("popover")  # nothing asked of the database until a model is chosen
    next(s for s in at.selectbox if s.label == "Stored model").select("mine").run()
    assert not at.exception
    assert any("cannot be deleted now" in e.value and "cannot be reached" in e.value and "secret" not in e.value
               for e in at.error)


def _wipe_popover(at: AppTest):
    return next(p for p in at.get("popover") if p.proto.popover.label == "Wipe the class's data")


def _wipe(at: AppTest, typed: str) -> None:
    next(t for t in at.text_input if t.label == "Type WIPE to confirm").input(typed)
    next(b for b in at.button if b.label == "Wipe the class").click().run()


def test_a_student_cannot_wipe_the_class(passcode, mnist):
    at = _handwriting(mnist)
    wipe = _wipe_popover(at)
    assert wipe.proto.popover.disabled and "Only the teacher can wipe the class's data" in wipe.proto.popover.help


def test_the_teacher_wipes_the_class_once_wipe_is_typed(passcode, mnist, tiny_training):
    from digits_core.classroom.runs import KeptRuns
    from digits_core.classroom.samples import Collection
    from digits_core.runs import run_from_training

    KeptRuns().save_run(STUDENT, run_from_training(tiny_training, "dense-128x2", [], mnist.x_test))
    at = _handwriting(mnist, teacher=passcode)
    _wipe(at, "wipe")
    assert any("Nothing was wiped" in e.value for e in at.error) and Collection().counts().sum() == 12
    _wipe(at, "WIPE")
    assert not at.exception
    assert any("The class is wiped: 12 samples, 1 imports, 1 kept runs" in s.value for s in at.success)
    assert Collection().counts().sum() == 0 and KeptRuns().load_runs(STUDENT) == []
