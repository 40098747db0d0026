"""Dependencies point inward (docs STYLE): doors → services → domain. The domain does no I/O and
knows no framework; `db/`, `readers/` and `writers/` may use the domain, never the services or
the doors. Checked over the source's import statements, so a new module cannot slip past."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "src" / "leadport"

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "domain": (
        "sqlalchemy",
        "fastapi",
        "typer",
        "rich",
        "httpx",
        "leadport.db",
        "leadport.services",
        "leadport.api",
        "leadport.cli",
        "leadport.web",
        "leadport.readers",
        "leadport.writers",
        "leadport.bootstrap",
    ),
    "db": ("leadport.services", "leadport.api", "leadport.cli", "leadport.web", "fastapi"),
    "readers": ("leadport.services", "leadport.api", "leadport.cli", "leadport.db", "fastapi"),
    "writers": ("leadport.services", "leadport.api", "leadport.cli", "fastapi"),
    "services": ("leadport.api", "leadport.cli", "leadport.web", "fastapi", "typer"),
}


def _runtime_imports(path: Path) -> Iterator[tuple[int, str]]:
    """Imported module names, leaving out `if TYPE_CHECKING:` blocks (annotations only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _violations(layer: str) -> list[str]:
    found = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for line, module in _runtime_imports(path):
            if any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN[layer]):
                found.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_only_what_is_further_in(layer: str) -> None:
    assert (PACKAGE / layer).is_dir()
    assert _violations(layer) == []
