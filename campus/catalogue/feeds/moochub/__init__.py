"""Map MOOChub v3 course documents onto the module template (:class:`ModuleIn`).

MOOChub (https://moochub.org, schema v3.0.1 in ``shared/ext/moochub-schema``)
is the JSON:API format in which German MOOC platforms publish their course
catalogues. :func:`map_moochub_document` turns one such document into
``ModuleIn``-compatible dicts plus a list of :class:`MappingIssue` records
that say, in German and English, what was skipped, dropped or defaulted
(wording in ``data/texts/moochub.yml``).

The mapper is pure and deterministic: no network, no database, no clock, no
time-zone database (German local dates are computed with the EU summer-time
rule). Competency matching is delegated to the caller's ``competency_lookup``.

Attribute mapping (MOOChub v3 name → template field), by module:

* :mod:`.course`: ``id`` → ``external_id``; ``name`` → ``title``;
  ``description`` (HTML → text; v2 ``abstract`` as fallback) → ``description``,
  the names of ``hasPart`` learning items appended as "Kursinhalte";
  ``inLanguage[]`` → ``language``; ``teaches[]`` (name: description) and v2
  ``learningObjectives`` → ``learning_outcomes``
* :mod:`.competencies`: ``teaches[]`` (Skill) and ``educationalAlignment[]``
  (ISCED-F/OEFOS/BIRD subject) → ``competencies`` (level_to, source "feed");
  ``competencyRequired[]`` → level_from of a taught competency;
  ``educationalLevel`` (Skill-level, else course-level) → levels 0–4
* :mod:`.schedule`: ``courseMode[]`` → ``format``; ``workload`` ×
  ``duration`` (ISO 8601; else the first start/end span) → ``duration_hours``,
  ``learning_units``, ``parts``; ``startDate[]``/``endDate[]`` → ``dates``;
  ``contentLocation.address.city`` → ``locations`` (not for online modules)
* :mod:`.price`: ``offer[]`` and ``access[]`` → ``price_member_eur`` =
  ``price_non_member_eur``; ``numberOfCredits`` → ``ects``;
  ``educationalCredentialsAwarded[]`` → ``proof_tiers``

* :mod:`.course` also: ``url`` → ``url``; ``license[]`` (SPDX identifier,
  else URL) → ``license``; ``keywords[]`` and the ``educationalAlignment``
  subject names → ``keywords`` (hints for tagging an untagged course)

Decisions the schema leaves open are constants in those modules. Fields
without a template counterpart (image, instructor, publisher, audience, …)
are ignored without an issue. A course none of whose skills maps is kept,
with an issue, and tagged by the platform from its text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from campus.catalogue.feeds.moochub.competencies import CompetencyLookup
from campus.catalogue.feeds.moochub.course import map_course
from campus.catalogue.feeds.moochub.document import course_resources, document_error
from campus.catalogue.feeds.moochub.issues import MappingIssue

__all__ = ["CompetencyLookup", "MappingIssue", "MappingResult", "map_moochub_document"]

MAX_PROVIDER_ID = 64


@dataclass
class MappingResult:
    modules: list[dict[str, Any]]  # ModuleIn-compatible dicts (validated with ModuleIn.model_validate)
    issues: list[MappingIssue] = field(default_factory=list)


def map_moochub_document(doc: Any, provider_id: str, competency_lookup: CompetencyLookup) -> MappingResult:
    """Map a MOOChub v3 JSON:API document onto ``ModuleIn``-compatible dicts.

    ``doc["data"]`` may be the array of course resources or a single resource
    object (``null`` means no courses). A document that is not JSON:API raises
    ``ValueError``; a course that cannot be mapped is skipped with a fatal issue
    and the others are still mapped. Every returned dict has passed
    ``ModuleIn.model_validate`` and is its JSON dump (dates as ISO strings).
    """
    if not isinstance(provider_id, str) or not 1 <= len(provider_id.strip()) <= MAX_PROVIDER_ID:
        raise document_error("document.invalid_provider")
    resources = course_resources(doc)
    result = MappingResult(modules=[])
    seen: set[str] = set()
    for index, resource in enumerate(resources):
        module, issues = map_course(index, resource, provider_id.strip(), competency_lookup, seen)
        result.issues.extend(issues)
        if module is not None:
            result.modules.append(module)
    return result
