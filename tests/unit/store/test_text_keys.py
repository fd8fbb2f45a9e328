"""Every text the code names exists in a data file (as KI-Campus's KIM bot checks its responses at start-up).

The code refers to wording only by key: ``problem("key", …)`` and
``message_pair("key")`` name ``errors.<key>`` in ``data/texts/errors.yml`` or ``errors_<area>.yml``;
``text("file.path")``/``lookup("file.path")`` and ``texts("file")["a"]["b"]``
name entries of ``data/texts/<file>.yml``; ``response="utter_…"`` names a Rasa
response in ``bot/domain``. A typo or a deleted entry would surface as a
``KeyError`` in front of a user; here it fails before that.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
CODE_DIRS = ("campus", "actions", "plan_engine", "embeddings", "bot")
TEXTS = ROOT / "data" / "texts"


def code_files() -> list[Path]:
    return sorted(p for d in CODE_DIRS for p in (ROOT / d).rglob("*.py") if "__pycache__" not in p.parts)


def literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def called(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def subscript_chain(node: ast.Subscript) -> tuple[ast.AST, list[str | None]]:
    """The root of ``x["a"]["b"]`` and its keys (None for a key that is not a literal)."""
    keys: list[str | None] = []
    current: ast.AST = node
    while isinstance(current, ast.Subscript):
        keys.insert(0, literal(current.slice))
        current = current.value
    return current, keys


def references(path: Path) -> Iterator[tuple[str, str, int]]:
    """(kind, key, line) for every text reference with literal keys in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name, first = called(node), literal(node.args[0]) if node.args else None
            if name in ("problem", "message_pair") and first:
                yield "error", first, node.lineno
            elif name in ("text", "lookup") and first and "." in first:
                yield "text", first, node.lineno
            elif name == "texts" and first:
                yield "text", first, node.lineno
            for keyword in node.keywords:
                if keyword.arg == "response" and (value := literal(keyword.value)):
                    yield "response", value, node.lineno
        elif isinstance(node, ast.Subscript) and not isinstance(getattr(node, "parent", None), ast.Subscript):
            root, keys = subscript_chain(node)
            if isinstance(root, ast.Call) and called(root) == "texts" and root.args and literal(root.args[0]):
                known = []
                for key in keys:
                    if key is None:
                        break
                    known.append(key)
                if known:
                    yield "text", ".".join([literal(root.args[0]) or "", *known]), node.lineno


def resolve(key: str) -> Any:
    name, _, path = key.partition(".")
    node: Any = yaml.safe_load((TEXTS / f"{name}.yml").read_text(encoding="utf-8"))
    for part in path.split(".") if path else []:
        node = node[part]
    return node


def domain_responses() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "bot" / "domain").glob("*.yml"):
        names |= set((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    return names


@pytest.fixture(scope="module")
def all_references() -> list[tuple[str, str, str]]:
    found = []
    for path in code_files():
        tree_refs = list(references(path))
        found.extend((kind, key, f"{path.relative_to(ROOT)}:{line}") for kind, key, line in tree_refs)
    return found


def test_the_walk_finds_the_references_it_checks(all_references) -> None:
    kinds = {kind for kind, _, _ in all_references}
    assert kinds == {"error", "text", "response"}
    assert ("error", "missing_key") in {(k, key) for k, key, _ in all_references}


def test_every_error_key_is_worded_in_german_and_english(all_references) -> None:
    errors: dict[str, Any] = {}
    for path in [TEXTS / "errors.yml", *sorted(TEXTS.glob("errors_*.yml"))]:
        for key, entry in yaml.safe_load(path.read_text(encoding="utf-8"))["errors"].items():
            assert key not in errors, f"{path.name}: errors.{key} is defined twice"
            errors[key] = entry
    missing = [f"{where}: errors.{key}" for kind, key, where in all_references if kind == "error" and key not in errors]
    assert not missing, missing
    incomplete = [key for key, entry in errors.items() if not (entry.get("de") and entry.get("en"))]
    assert not incomplete, incomplete
    used = {key for kind, key, _ in all_references if kind == "error"} | {"invalid_value"}
    assert set(errors) <= used, f"error texts nobody raises: {sorted(set(errors) - used)}"


def test_every_text_key_exists(all_references) -> None:
    missing = []
    for kind, key, where in all_references:
        if kind != "text":
            continue
        try:
            resolve(key)
        except (KeyError, TypeError, FileNotFoundError):
            missing.append(f"{where}: {key}")
    assert not missing, missing


def test_every_response_the_actions_send_is_in_the_domain(all_references) -> None:
    known = domain_responses()
    missing = [f"{where}: {key}" for kind, key, where in all_references if kind == "response" and key not in known]
    assert not missing, missing
