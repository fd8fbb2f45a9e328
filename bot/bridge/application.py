"""The type of the PTB application the bridge builds: an ``ExtBot`` behind ``ChatRateLimiter`` (an
``AIORateLimiter``, whose per-call argument is an ``int``), default context and data types, default job queue."""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram.ext import Application, ContextTypes, ExtBot, JobQueue

BridgeApplication: TypeAlias = Application[
    ExtBot[int], ContextTypes.DEFAULT_TYPE, dict[Any, Any], dict[Any, Any], dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]
