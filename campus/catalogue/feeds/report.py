"""The report a run leaves for its provider: counts, and per course what happened and why.

One entry per course the feed listed, in feed order: its position, external
id, title, status (``created``, ``updated``, ``unchanged``, ``rejected``, or
``withdrawn`` for a course that stayed missing), the module it became with its
competencies (level, source, confidence) and review flags, near-duplicates at
other providers, the mapper's issues and, for a rejected course, the errors
(German and English, with the field). Run-level errors (the feed could not be
fetched, a page failed) are listed apart, with the page they concern.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from campus.catalogue.feeds.moochub.issues import MappingIssue
from campus.store.errors import DomainError

STATUSES = ("created", "updated", "unchanged", "withdrawn", "rejected")


def issue_dict(issue: MappingIssue) -> dict[str, Any]:
    return {"field": issue.field, "fatal": issue.fatal, "message_de": issue.message_de,
            "message_en": issue.message_en}


@dataclass
class RunReport:
    courses: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0

    def course(self, position: int, external_id: str | None, status: str, **details: Any) -> dict[str, Any]:
        if status not in STATUSES:
            raise ValueError(f"unknown course status {status!r}")
        entry = {"position": position, "external_id": external_id, "status": status, **details}
        self.courses.append(entry)
        return entry

    def error(self, error: DomainError, page: int | None = None) -> None:
        self.errors.append({**error.as_dict(), "page": page})

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for entry in self.courses:
            out[entry["status"]] += 1
        return out

    def as_dict(self, status: str, *, dry_run: bool = False) -> dict[str, Any]:
        ordered = sorted(self.courses, key=lambda c: (c["status"] == "withdrawn", c["position"]))  # feed order
        return {"status": status, "dry_run": dry_run, "pages": self.pages, "received": self.received(),
                **self.counts(), "courses": ordered, "errors": self.errors}

    def received(self) -> int:
        return sum(1 for entry in self.courses if entry["status"] != "withdrawn")


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """A stored report without its per-course list (for listing runs)."""
    return {key: value for key, value in report.items() if key not in ("courses", "errors")} | {
        "errors": len(report.get("errors", []))}
