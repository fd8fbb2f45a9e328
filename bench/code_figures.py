"""Figures about the code base's structure: module sizes, German text in Python, type errors, copy-paste.

    .venv/bin/python bench/code_figures.py            # sizes and German literals
    .venv/bin/python bench/code_figures.py --mypy     # also the mypy error count (takes a minute)

German literals are string constants outside docstrings that read as German
(umlauts, German quotes or common German words). Every sentence a person
reads belongs in ``data/texts/``; this prints where any are left.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("campus", "actions", "plan_engine", "embeddings", "bot", "nlu")
GERMAN = re.compile(r"[äöüÄÖÜß„“]|\b(?:der|die|das|und|nicht|Sie|Ihr|Ihre|ist|für|mit|eine?|bitte|keine?|gibt|wurde|"
                    r"werden|oder|zu|von|Modul|Kampagne|Schlüssel|Anfrage|Datei|Zeile)\b")


def python_files(dirs: tuple[str, ...]) -> list[Path]:
    return sorted(p for d in dirs for p in (ROOT / d).rglob("*.py") if "__pycache__" not in p.parts)


def docstring_nodes(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def german_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = docstring_nodes(tree)
    inside_fstring = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            literal = "".join(p.value for p in node.values if isinstance(p, ast.Constant) and isinstance(p.value, str))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip \
                and id(node) not in inside_fstring:
            literal = node.value
        else:
            continue
        if GERMAN.search(literal):
            out.append((node.lineno, literal))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mypy", action="store_true", help="also count mypy errors (make lint's configuration)")
    parser.add_argument("--list", action="store_true", help="list every German literal")
    args = parser.parse_args()
    files = python_files(CODE_DIRS)
    sizes = sorted(((len(p.read_text(encoding="utf-8").splitlines()), p) for p in files), reverse=True)
    test_sizes = sorted(((len(p.read_text(encoding="utf-8").splitlines()), p) for p in python_files(("tests",))),
                        reverse=True)
    print(f"Python modules (app code): {len(files)}, {sum(s for s, _ in sizes)} lines")
    print("largest: " + ", ".join(f"{p.relative_to(ROOT)} {s}" for s, p in sizes[:5]))
    print(f"over 400 lines: {sum(1 for s, _ in sizes if s > 400)} app modules, "
          f"{sum(1 for s, _ in test_sizes if s > 400)} test modules"
          + "".join(f"\n  {p.relative_to(ROOT)} {s}" for s, p in sizes + test_sizes if s > 400))
    literals = {p: german_literals(p) for p in files}
    total = sum(len(v) for v in literals.values())
    print(f"German string literals outside docstrings: {total} in {sum(1 for v in literals.values() if v)} files")
    for path, found in literals.items():
        if found and args.list:
            for line, literal in found:
                print(f"  {path.relative_to(ROOT)}:{line}: {literal[:80]!r}")
    if args.mypy:
        result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
        summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr.strip()
        print(f"mypy: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
