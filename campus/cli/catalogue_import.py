"""``import-feed PATH_OR_URL --provider ID [--dry-run] [--json]``: a feed into the catalogue, as the API does it.

The same run as a feed pull or a MOOChub upload (``embeddings.feed_pull``):
the same mappers (MOOChub v3 JSON:API, JSON Lines of MOOChub courses or of
AMB/OERSI records), the same tagging of untagged courses, the same safe
fetcher for a URL (public, or allowlisted by an admin) and the same report.
A file of JSON Lines is streamed. ``--dry-run`` maps and tags but writes
nothing; ``--json`` prints one JSON object (counts, and per course its
external id, status, competencies with level and provenance, issues).

Exit status: 0 complete, 1 failed (nothing could be read), 3 partial (a page
failed or the feed looped; nothing was withdrawn), 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sqlmodel import Session

from campus.catalogue.feeds.fetch import allowed_hosts
from campus.catalogue.feeds.sources import FeedSource, FileSource
from campus.store.db import get_engine
from campus.store.errors import DomainError
from campus.store.settings import get_settings
from campus.store.texts import text, texts
from embeddings.feed_pull import PullTools, run_pull, url_source

HELP_KEY = "import"
EXIT_CODES = {"complete": 0, "failed": 1, "partial": 3}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="PATH_OR_URL", help=text("feeds.cli.source"))
    parser.add_argument("--provider", required=True, metavar="ID", help=text("feeds.cli.provider"))
    parser.add_argument("--dry-run", action="store_true", help=text("feeds.cli.dry_run"))
    parser.add_argument("--json", action="store_true", help=text("feeds.cli.json"))


def source_of(argument: str, tools: PullTools) -> FeedSource:
    if argument.lower().startswith(("http://", "https://")):
        with Session(get_engine()) as session:
            allowed = allowed_hosts(session)
        return url_source(argument, allowed, tools)
    return FileSource(Path(argument), chunk=get_settings().feed_batch_size)


def run(args: argparse.Namespace) -> int:
    try:
        tools = PullTools.real(with_index=False)  # the API's index follows the store by itself
        result = run_pull(args.provider, source_of(args.source, tools), "cli", tools, dry_run=args.dry_run)
    except DomainError as exc:
        if args.json:
            print(json.dumps({"status": "failed", "errors": [exc.as_dict()]}, ensure_ascii=False))
        else:
            print(text("feeds.cli.failed", message=exc.message_de), file=sys.stderr)
        return EXIT_CODES["failed"]
    report = result["report"]
    if args.json:
        print(json.dumps({"run_id": result["id"], "provider": args.provider, "source": result["source"], **report},
                         ensure_ascii=False, default=str))
    else:
        print_report(result["source"], report)
    return EXIT_CODES.get(str(report["status"]), EXIT_CODES["failed"])


def print_report(source: str, report: dict[str, Any]) -> None:
    """The run for a person: one line per course, its tags or the reasons it was not taken over."""
    words = texts("feeds")
    statuses, run_statuses = words["statuses"], words["run_statuses"]
    for course in report["courses"]:
        print(text("feeds.cli.course", position=course["position"] or "", status=statuses[course["status"]],
                   external_id=course["external_id"] or "?", title=course.get("title") or ""))
        tags = course.get("competencies") or []
        if course["status"] == "rejected":
            for error in course.get("errors", []):
                print(text("feeds.cli.reason", field=error["field"], message=error["message_de"]))
        elif tags:
            shown = ", ".join(text("feeds.cli.tag", id=t["id"], level_from=t["level_from"], level_to=t["level_to"],
                                   source=t.get("source", "provider"), confidence=f"{t.get('confidence', 1):.2f}")
                              for t in tags)
            print(text("feeds.cli.tags", tags=shown))
        elif course["status"] != "withdrawn":
            print(text("feeds.cli.no_tags"))
    for error in report["errors"]:
        print(text("feeds.cli.run_error", field=error["field"], message=error["message_de"]))
    counts = {key: report[key] for key in statuses}
    print(text("feeds.cli.summary", source=source, status=run_statuses[report["status"]],
               received=report["received"], **counts))
    if report.get("dry_run"):
        print(text("feeds.cli.dry_run_note"))
