"""What the admin command lines share: run one action, report a refused one in German and exit non-zero."""

from __future__ import annotations

import sys
from collections.abc import Callable

from pydantic import ValidationError

from campus.store.db import get_engine
from campus.store.errors import DomainError, validation_errors
from campus.store.texts import text
from campus.tables import create_schema

REFUSED = 2


def report_refusal(field: str, message: str) -> None:
    print(text("admin.cli.failed", field=field, message=message), file=sys.stderr)


def run_action(action: Callable[[], int]) -> int:
    """``action``'s exit code; a refused input (field errors) prints them and returns 2."""
    create_schema(get_engine())
    try:
        return action()
    except ValidationError as exc:
        for error in validation_errors(exc):
            report_refusal(error["field"], error["message_de"])
    except DomainError as exc:
        report_refusal(exc.field, exc.message_de)
    return REFUSED
