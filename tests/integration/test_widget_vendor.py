"""The widget's socket.io client is the npm package pinned in package.json and package-lock.json, unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path

WIDGET = Path(__file__).resolve().parents[2] / "web_widget"


def test_vendored_socket_io_client_matches_the_pinned_version() -> None:
    package = json.loads((WIDGET / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((WIDGET / "package-lock.json").read_text(encoding="utf-8"))
    pinned = package["dependencies"]["socket.io-client"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), "an exact version, no range"
    assert lock["packages"][""]["dependencies"]["socket.io-client"] == pinned
    locked = lock["packages"]["node_modules/socket.io-client"]
    assert locked["version"] == pinned and locked["integrity"].startswith("sha512-")
    bundle = (WIDGET / "vendor" / "socket.io.min.js").read_text(encoding="utf-8")
    assert re.search(r"Socket\.IO v(\S+)", bundle[:200]).group(1) == pinned
    assert "MIT" in (WIDGET / "vendor" / "LICENSE").read_text(encoding="utf-8")
    # the widget loads exactly this file, next to itself
    assert '"vendor/socket.io.min.js"' in (WIDGET / "widget.js").read_text(encoding="utf-8")
