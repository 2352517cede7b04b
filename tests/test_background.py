"""Answers computed in the background: once per key for every asker, a failure kept a while, then tried again."""

import threading

import pytest

from digits_core.background import Answers


def test_an_answer_is_computed_once_in_the_background_for_every_asker():
    release, calls = threading.Event(), []

    def slow_square(n):
        calls.append(n)
        release.wait(10)
        return n * n

    answers = Answers(slow_square)
    first = answers.ask(3)
    assert not first.done()  # the asker does not wait
    assert answers.ask(3) is first
    release.set()
    assert first.result(10) == 9 and answers.ask(3).result() == 9 and calls == [3]


def test_a_failure_is_kept_for_its_retry_time_then_computed_again():
    tries = []

    def flaky(key):
        tries.append(key)
        if len(tries) == 1:
            raise ConnectionError("the training process is starting")
        return "built"

    answers = Answers(flaky, retry_seconds=0.2)
    failed = answers.ask("net")
    with pytest.raises(ConnectionError):
        failed.result(10)
    assert answers.ask("net") is failed  # every page run in the retry time tells the same story
    threading.Event().wait(0.3)
    assert answers.ask("net").result(10) == "built" and len(tries) == 2


def test_only_the_last_answers_are_kept():
    answers = Answers(lambda n: n, keep=2)
    first = answers.ask(1)
    first.result(10)
    answers.ask(2), answers.ask(3)
    assert answers.ask(1) is not first
