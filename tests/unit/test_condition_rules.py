"""Each DynamoDB condition that enforces a cart rule names the domain rule it mirrors, and the
name stays true: a rule renamed or removed in the domain fails here, not in production."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ADAPTER = Path(__file__).parents[2] / "chalicelib" / "dynamodb"
MIRRORS = re.compile(r"`([a-z_]+(?:\.[A-Za-z_]+)+)`")


def _functions() -> list[tuple[str, ast.FunctionDef]]:
    """The adapter's functions: each module's own and its classes' methods."""
    found = []
    for module in sorted(ADAPTER.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.FunctionDef):
                found.append((f"{module.stem}.{node.name}", node))
    return found


def _condition_builders() -> list[tuple[str, ast.FunctionDef]]:
    """The module functions that answer a Condition (its own methods combine conditions)."""
    builders = []
    for module in sorted(ADAPTER.glob("*.py")):
        for node in ast.parse(module.read_text()).body:
            if not isinstance(node, ast.FunctionDef) or node.returns is None:
                continue
            if ast.unparse(node.returns).strip("'\"") == "Condition":
                builders.append((f"{module.stem}.{node.name}", node))
    return builders


def _mirrored(node: ast.FunctionDef) -> list[str]:
    doc = ast.get_docstring(node) or ""
    _, marker, rest = doc.partition("Mirrors ")
    return MIRRORS.findall(rest) if marker else []


def _resolve(name: str) -> object:
    module_name, *attributes = name.split(".")
    found: object = importlib.import_module(f"chalicelib.domain.{module_name}")
    for attribute in attributes:
        found = getattr(found, attribute)
    return found


MIRRORING = [(where, name) for where, node in _functions() for name in _mirrored(node)]


@pytest.mark.parametrize(("where", "rule"), MIRRORING)
def test_each_named_rule_exists_in_the_domain(where: str, rule: str) -> None:
    assert callable(_resolve(rule)), f"{where} mirrors {rule}, which is not a domain rule"


def test_every_condition_builder_names_its_rule() -> None:
    builders = _condition_builders()
    assert len(builders) >= 4, "the adapter's conditions are not where this test looks"
    assert [where for where, node in builders if not _mirrored(node)] == []


def test_the_cart_rules_each_have_their_condition() -> None:
    mirrored = {rule for _, rule in MIRRORING}
    assert {
        "cart.Cart.check",
        "cart.Cart.add",
        "cart.Cart.set_quantity",
        "products.Product.check_quantity",
        "promotions.Promotion.check_uses",
    } <= mirrored
