"""TensorFlow and Keras stay out of the Streamlit server, read from the source (ast), without importing anything.

What runs in the server: app.py, pages/ and ui/, every import of theirs (a function's too: the server calls it);
the digits_core modules they import, and what those import when they are imported. Only digits_core's TensorFlow
side, which the training process and the command line run, imports TensorFlow when it is imported: a module-level
import of TensorFlow or Keras anywhere else, or a server module that reaches that side, fails here with the chain.
tests/e2e/test_all_actions.py checks the running server itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = {"tensorflow", "keras"}
# digits_core's modules that import TensorFlow when they are imported: run only in the training process and the CLI.
TENSORFLOW_SIDE = {"digits_core.backend", "digits_core.network", "digits_core.training", "digits_core.finetune",
                   "digits_core.explain", "digits_core.compiled"}
SERVER_ROOTS = ["app.py", *sorted(str(p.relative_to(REPO)) for d in ("pages", "ui") for p in (REPO / d).glob("*.py"))]


def module_name(path: str) -> str:
    """"ui/state.py" -> "ui.state"; a package's __init__.py is the package."""
    parts = Path(path).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_of(module: str) -> Path | None:
    """The repository file of a module (app, pages.x, ui.x, digits_core.x), or None for a library."""
    base = REPO.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def imported_at_import(tree: ast.Module) -> list[ast.stmt]:
    """The import statements that run when the module is imported: not in functions, not under TYPE_CHECKING."""
    found, pending = [], list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending += node.orelse
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            pending += [child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)]
    return found


def every_import(tree: ast.Module) -> list[ast.stmt]:
    return [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]


def targets(node: ast.stmt, module: str, is_package: bool) -> list[str]:
    """The modules an import statement imports (a package's parents included, as Python imports them)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        package = module if is_package else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = ".".join(part for part in (package if node.level else "", node.module or "") if part)
        names = [base] + [f"{base}.{alias.name}" for alias in node.names if source_of(f"{base}.{alias.name}")]
    return [".".join(name.split(".")[:depth]) for name in names for depth in range(1, name.count(".") + 2)]


def server_imports() -> dict[str, str]:
    """Every module the server imports, each with the module that first imports it ("" for the roots)."""
    seen = {module_name(root): "" for root in SERVER_ROOTS}
    pending = list(seen)
    while pending:
        module = pending.pop()
        path = source_of(module)
        if path is None:
            continue
        tree = ast.parse(path.read_text(), str(path))
        runs_in_server = module == "app" or module.split(".")[0] in ("pages", "ui")
        for node in (every_import if runs_in_server else imported_at_import)(tree):
            for target in targets(node, module, path.name == "__init__.py"):
                if target not in seen:
                    seen[target] = module
                    pending.append(target)
    return seen


def chain(imports: dict[str, str], module: str) -> str:
    links = [module]
    while imports[links[-1]]:
        links.append(imports[links[-1]])
    return " <- ".join(links)


def test_the_server_never_imports_tensorflow_or_its_side_of_digits_core():
    imports = server_imports()
    assert "digits_core.worker" in imports and "streamlit" in imports  # the walk follows what the pages import
    bad = sorted(m for m in imports if m.split(".")[0] in FORBIDDEN or m in TENSORFLOW_SIDE)
    assert not bad, "imported by the server:\n" + "\n".join(chain(imports, m) for m in bad)


@pytest.mark.parametrize("path", sorted(str(p.relative_to(REPO)) for p in (REPO / "digits_core").rglob("*.py")))
def test_only_the_tensorflow_side_imports_tensorflow_when_imported(path):
    module = module_name(path)
    tree = ast.parse((REPO / path).read_text())
    reached = {t for node in imported_at_import(tree) for t in targets(node, module, path.endswith("__init__.py"))}
    tensorflow = sorted(t for t in reached if t.split(".")[0] in FORBIDDEN or t in TENSORFLOW_SIDE)
    assert module in TENSORFLOW_SIDE or not tensorflow, (
        f"{path} imports {tensorflow} when it is imported: import them inside the functions the training process "
        "runs, or add the module to TENSORFLOW_SIDE if the server never imports it")
