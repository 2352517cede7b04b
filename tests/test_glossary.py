"""Every word a page asks the glossary to explain is in it, so no explanation fails only when its panel shows."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ui.glossary import TERMS

REPO = Path(__file__).resolve().parents[1]
SOURCES = sorted([*(REPO / "pages").glob("*.py"), *(REPO / "ui").glob("*.py")])


def asked_terms(path: Path) -> set[str]:
    """The string arguments of every meaning(...) and explain(...) call in a file."""
    calls = [node for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Call)]
    return {arg.value for call in calls if getattr(call.func, "id", None) in ("meaning", "explain")
            for arg in call.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_term_a_page_explains_is_in_the_glossary(path):
    assert asked_terms(path) <= TERMS.keys()


def test_the_glossary_is_used_and_one_line_each():
    asked = set().union(*(asked_terms(path) for path in SOURCES))
    assert len(asked) > 40
    assert all("\n" not in sentence and sentence.endswith((".", "?")) for sentence in TERMS.values())
