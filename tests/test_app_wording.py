"""What the pages say points only at what a visitor can reach: the app serves no README, and the
article the project started from is named nowhere, so no page sends the reader to either."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PAGES = sorted((Path(__file__).resolve().parent.parent / "pages").glob("*.py"))


def strings(path: Path) -> list[str]:
    """The string literals of a module, f-strings' literal parts included; docstrings aside."""
    tree = ast.parse(path.read_text())
    documented = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in documented
    ]


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.name)
def test_no_page_points_to_the_readme_or_an_unnamed_article(path):
    said = [text for text in strings(path) if "README" in text or "article" in text.lower()]
    assert not said, said
