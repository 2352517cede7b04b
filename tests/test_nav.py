"""Every page starts with leave_legacy_navigation(), and a page opened on its own still gets app.py's navigation."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.routes import ROUTES

REPO = Path(__file__).resolve().parents[1]
PAGE_FILES = sorted((REPO / "pages").glob("*.py"))


def first_statement_after_imports(path: Path) -> ast.stmt:
    body = ast.parse(path.read_text()).body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return next(s for s in body if not isinstance(s, (ast.Import, ast.ImportFrom)))


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_every_page_calls_leave_legacy_navigation_first(path):
    statement = first_statement_after_imports(path)
    assert ast.unparse(statement) == "leave_legacy_navigation()", (
        f"{path.name}: the first line after the imports must be leave_legacy_navigation() (see pages/README.md)")


def test_every_page_file_is_a_route():
    assert sorted(str(p.relative_to(REPO)) for p in PAGE_FILES) == sorted(r.script for r in ROUTES)


@pytest.mark.parametrize("script", ["pages/explore.py", "pages/home.py"])
def test_a_page_run_on_its_own_gets_app_py_around_it(script):
    """Streamlit runs a page URL's file without app.py in legacy pages/ mode (AppTest: on every run)."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120).run()
    at.switch_page(script).run()
    assert not at.exception
    assert len(at.title) == 1  # the page drew once, inside app.py, not also on its own
    assert any("model" in block.value for block in [*at.sidebar.markdown, *at.sidebar.caption])  # app.py's sidebar
