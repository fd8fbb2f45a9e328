"""The widget's socket.io client is the npm package pinned in package.json and package-lock.json, unchanged."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

WIDGET = Path(__file__).resolve().parents[2] / "web_widget"
PINNED = "4.8.4"
# SHA-256 of dist/socket.io.min.js and LICENSE in the npm tarball socket.io-client-4.8.4.tgz, whose sha512 is the
# `integrity` locked in package-lock.json (the lock hashes the whole tarball, so it cannot be checked from the
# bundled file alone). Checked with `npm pack socket.io-client@4.8.4`: tarball integrity equal to
# the lock, both files byte for byte equal to vendor/. To update after `npm run vendor` (vendor/README.md):
# `npm pack socket.io-client@<version>`, compare its integrity with the lock, then `sha256sum` the two files in
# `package/` and paste the sums and the version here.
BUNDLE_SHA256 = "d5d79a35039e860b32bdef4795528b05c2f788d4b2d9dacc913120e2878f7b3f"
LICENSE_SHA256 = "73cb68c437d59e066f9386ef97be57298df4db119fdbd7d7150817c6dbd9f189"
TARBALL_INTEGRITY = ("sha512-7wjKAvVXYOJsbmUgkWbnhPD4bFpkqrUR0++XOjpGFmqDqsqV1CI93VTraeExLxpjxEqrWgFoSRZu1ihjL"
                     "WfkAA==")


def test_vendored_socket_io_client_matches_the_pinned_version() -> None:
    package = json.loads((WIDGET / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((WIDGET / "package-lock.json").read_text(encoding="utf-8"))
    pinned = package["dependencies"]["socket.io-client"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), "an exact version, no range"
    assert pinned == PINNED, "a new version: update the checksums in this test (see the comment above)"
    assert lock["packages"][""]["dependencies"]["socket.io-client"] == pinned
    locked = lock["packages"]["node_modules/socket.io-client"]
    assert locked["version"] == pinned and locked["integrity"] == TARBALL_INTEGRITY
    bundle = (WIDGET / "vendor" / "socket.io.min.js").read_bytes()
    assert re.search(rb"Socket\.IO v(\S+)", bundle[:200]).group(1).decode() == pinned
    # unchanged: every byte, not only the banner
    assert hashlib.sha256(bundle).hexdigest() == BUNDLE_SHA256
    licence = (WIDGET / "vendor" / "LICENSE").read_bytes()
    assert hashlib.sha256(licence).hexdigest() == LICENSE_SHA256 and b"MIT" in licence
    # the widget loads exactly this file, next to itself
    assert '"vendor/socket.io.min.js"' in (WIDGET / "widget.js").read_text(encoding="utf-8")
