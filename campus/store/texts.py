"""The one loader for data files: every sentence a person reads comes from ``data/``.

Files are read from ``settings.data_dir`` and re-read when they change, so
wording can be edited without a restart and tests can point the platform at
other data. ``text("file.key.sub")`` names a text by its file under
``data/texts/`` and its path inside; a test walks the code for such keys and
fails on one that no file defines.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from campus.store.settings import get_settings


@lru_cache(maxsize=256)
def _load(path: Path, mtime_ns: int) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def read_yaml(path: Path) -> Any:
    """A YAML file, cached until it changes on disk."""
    return _load(path, path.stat().st_mtime_ns)


def data_file(relative: str) -> Any:
    """A YAML file under the data directory, e.g. ``interview_guide.yml`` or ``seed/competencies.yml``."""
    return read_yaml(get_settings().data_dir / relative)


def texts(name: str) -> dict[str, Any]:
    """All of ``data/texts/<name>.yml``."""
    loaded = data_file(f"texts/{name}.yml")
    if not isinstance(loaded, dict):
        raise ValueError(f"data/texts/{name}.yml does not hold a mapping")
    return loaded


def lookup(key: str) -> Any:
    """The entry ``file.path.to.entry`` of ``data/texts/file.yml`` (a text, list or mapping)."""
    name, _, path = key.partition(".")
    node: Any = texts(name)
    for part in path.split(".") if path else []:
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"data/texts/{name}.yml has no entry {path!r}")
        node = node[part]
    return node


def text(key: str, **values: Any) -> str:
    """The text ``file.path.to.entry``, its ``{placeholders}`` filled from ``values``."""
    entry = lookup(key)
    if not isinstance(entry, str):
        raise TypeError(f"text {key!r} is not a string")
    return entry.format(**values) if values else entry
