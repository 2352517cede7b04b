"""ui.keras_guard: Streamlit's end-of-run Keras reset is switched off, and a renamed hook fails loudly."""

from __future__ import annotations

import sys
from types import SimpleNamespace
from unittest import mock

import pytest
from streamlit.runtime.scriptrunner import script_runner

from ui.keras_guard import PATCHED, keep_keras_state


@pytest.fixture
def hook(monkeypatch):
    """Streamlit's clean-up hook as Streamlit ships it (an earlier app test may have patched it already),
    put back as it was after the test."""
    monkeypatch.setattr(script_runner, PATCHED, lambda: sys.modules["keras"].backend.clear_session())


def test_streamlit_no_longer_clears_the_keras_session(hook, monkeypatch):
    fake_keras = SimpleNamespace(backend=SimpleNamespace(clear_session=mock.Mock()))
    monkeypatch.setitem(sys.modules, "keras", fake_keras)
    getattr(script_runner, PATCHED)()
    assert fake_keras.backend.clear_session.call_count == 1  # what Streamlit 1.67 does after every run
    keep_keras_state()
    getattr(script_runner, PATCHED)()
    assert fake_keras.backend.clear_session.call_count == 1


def test_a_renamed_hook_fails_loudly(hook, monkeypatch):
    monkeypatch.delattr(script_runner, PATCHED)
    with pytest.raises(RuntimeError, match=PATCHED):
        keep_keras_state()
    assert not hasattr(script_runner, PATCHED)  # nothing was assigned in its place
