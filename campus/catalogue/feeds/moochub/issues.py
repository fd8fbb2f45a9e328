"""What the mapper says about a course: skipped, dropped or defaulted values, worded in ``data/texts/moochub.yml``.

Every message is a key of that file (``"schedule.no_mode"``) plus the values
for its placeholders, so no wording lives in Python. A course's issues are
collected in an :class:`IssueLog`; a value the mapper cannot work around ends
the course with :class:`CourseSkipped`, which the log records as fatal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from campus.store.texts import lookup


@dataclass
class MappingIssue:
    """One per course that could not be mapped, or per field that was dropped/defaulted.

    A skipped course (``fatal=True``) may be preceded by non-fatal issues that
    were collected before it was skipped; they explain the cause (e.g. which
    competencies the lookup did not know).
    """

    index: int  # position of the course in the document's data array
    external_id: str | None
    field: str  # MOOChub attribute path, e.g. "attributes.workload"
    message_de: str
    message_en: str
    fatal: bool  # True: course skipped; False: mapped with a default / dropped value


def message(key: str, **values: Any) -> tuple[str, str]:
    """The German and English wording of ``moochub.<key>``, placeholders filled."""
    entry = lookup(f"moochub.{key}")
    return str(entry["de"]).format(**values), str(entry["en"]).format(**values)


class CourseSkipped(Exception):
    """Raised where a course cannot become a module; carries the reason for the fatal issue."""

    def __init__(self, path: str, key: str, **values: Any) -> None:
        self.path = path
        self.message_de, self.message_en = message(key, **values)
        super().__init__(self.message_en)


class IssueLog:
    """The issues of one course, in the order the mapper ran into them."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.external_id: str | None = None  # known once the course's id has been read
        self.issues: list[MappingIssue] = []

    def warn(self, path: str, key: str, **values: Any) -> None:
        """A value at ``path`` was dropped or defaulted; the course is still mapped."""
        german, english = message(key, **values)
        self.issues.append(MappingIssue(self.index, self.external_id, path, german, english, fatal=False))

    def skipped(self, reason: CourseSkipped) -> None:
        self.issues.append(
            MappingIssue(self.index, self.external_id, reason.path, reason.message_de, reason.message_en, fatal=True)
        )
