"""`python -m campus.cli.catalogue export-moochub`: the approved catalogue as a MOOChub v3 document, no server needed.

Without options the whole catalogue in one document (what a consumer gets
by following every ``next`` link of ``GET /api/moochub/courses``); with
``--page``/``--size`` exactly the page that URL serves. Reads the configured
store (``KC_DATABASE_URL`` / ``var/``) and writes nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
from typing import Any

from sqlmodel import Session

from campus.catalogue.export import Paging, catalogue_document, course_page
from campus.store.db import get_engine
from campus.store.errors import DomainError, message_pair
from campus.store.texts import text

HELP_KEY = "export"
MAX_INDENT = 8
_BASE_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options = "cli.catalogue.export_options"
    paging = Paging.load()
    parser.add_argument("--page", type=_whole, default=None, help=text(f"{options}.page"))
    parser.add_argument("--size", type=_whole, default=None,
                        help=text(f"{options}.size", default=paging.default_size, maximum=paging.max_size))
    parser.add_argument("--indent", type=_whole, default=None, help=text(f"{options}.indent"))
    parser.add_argument("--base-url", type=_base_url, default=None, help=text(f"{options}.base_url"))


def _whole(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(message_pair("cli_number_invalid", value=value)[0]) from None


def _base_url(value: str) -> str:
    if not _BASE_URL.match(value):
        raise argparse.ArgumentTypeError(message_pair("moochub_base_url_invalid", value=value)[0])
    return value.rstrip("/")


def run(args: argparse.Namespace) -> int:
    try:
        with Session(get_engine()) as session:
            document = export(session, args)
    except DomainError as exc:
        sys.stderr.write(exc.message_de + "\n")
        return 2
    if isinstance(sys.stdout, io.TextIOWrapper) and sys.stdout.encoding.lower().replace("-", "") != "utf8":
        sys.stdout.reconfigure(encoding="utf-8")  # JSON is UTF-8 whatever the terminal's locale says
    indent = min(args.indent, MAX_INDENT) if args.indent is not None and args.indent > 0 else None
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=indent) + "\n")
    return 0


def export(session: Session, args: argparse.Namespace) -> dict[str, Any]:
    if args.page is None and args.size is None:
        return catalogue_document(session, base_url=args.base_url)
    return course_page(session, 1 if args.page is None else args.page, args.size, base_url=args.base_url)
