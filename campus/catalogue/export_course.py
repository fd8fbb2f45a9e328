"""One approved module → one MOOChub v3 course resource (the attribute mapping of the export).

Template field → MOOChub v3 attribute, and the decisions the schema leaves open:

* ``provider`` + ``external_id`` → ``id``: a UUID (the schema's format), uuid5
  of both, so a course keeps its id across exports and re-imports;
  ``external_id`` → ``courseCode``; ``title`` → ``name``;
* ``description`` (plain text) → ``description`` as HTML paragraphs, the
  learning outcomes appended as a list (v3 has no field for them);
* ``format`` → ``courseMode``; ``language`` → ``inLanguage``;
* ``dates`` (German calendar dates) → ``startDate``/``endDate`` at the start
  and end of those days in Germany;
* ``duration_hours`` → ``duration`` ``PT<h>H``: the template knows the total
  time a module takes, which MOOChub states exactly as a duration in hours
  (importers, ours included, read such a duration as the workload);
  ``workload`` needs whole hours per day, week or month and is left out;
* the provider → ``publisher`` and ``creator`` (an Organization);
* ``url`` → ``url`` (else our catalogue entry of the module), ``license`` →
  ``license`` (SPDX ids and Creative Commons URLs recognised, else the
  declared default), ``keywords`` → ``keywords``;
* prices → ``offer`` (one offer, or a member and a non-member offer) and
  ``access``; ``ects`` → ``numberOfCredits``; ``proof_tiers`` →
  ``educationalCredentialsAwarded``; ``locations``/``region`` →
  ``contentLocation`` (the first venue; not for online modules);
* competencies → ``teaches`` and ``competencyRequired`` (:mod:`.export_skills`).
"""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Mapping
from datetime import date, datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo

from campus.catalogue.export_skills import SkillWriter
from campus.catalogue.models import Module, Provider
from campus.store.clock import aware

# Fixed once: changing it would give every published course a new id.
COURSE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://kommunalcampus.de/moochub/courses")
# The template's dates are calendar dates in Germany (the MOOChub import reads them so).
GERMANY = ZoneInfo("Europe/Berlin")
CURRENCY = "EUR"
COUNTRY = "DE"
NATIONWIDE = "bundesweit"
LEARNING_RESOURCE_TYPE = {
    "identifier": "https://w3id.org/kim/hcrt/course",
    "type": "Concept",
    "inScheme": "https://w3id.org/kim/hcrt/scheme",
}
_COURSE_MODE = {"online": ["online"], "presence": ["onsite"], "blended": ["blended"]}
_CREDENTIALS = {
    "participation": "confirmation of participation",
    "scores": "record of achievement",
    "certificate": "certificate",
}
_SPDX_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]*$")
_CC_LICENCE_URL = re.compile(r"^https?://creativecommons\.org/licenses/([a-z-]+)/(\d\.\d)(?:/.*)?$", re.IGNORECASE)
_CC0_URL = re.compile(r"^https?://creativecommons\.org/publicdomain/zero/1\.0(?:/.*)?$", re.IGNORECASE)
PROPRIETARY = "proprietary"


def course_uuid(provider_id: str, external_id: str) -> str:
    """The published id of a module: stable for the pair, distinct for distinct pairs (no separator ambiguity)."""
    return str(uuid.uuid5(COURSE_NAMESPACE, json.dumps([provider_id, external_id], ensure_ascii=False)))


class CourseWriter:
    """Course resources for one export: wording, skills and the base URL shared by every course."""

    def __init__(self, wording: Mapping[str, Any], skills: SkillWriter, base_url: str) -> None:
        self.wording = wording
        self.skills = skills
        self.base_url = base_url

    def course(self, module: Module, provider: Provider) -> dict[str, Any]:
        organisation = {"type": "Organization", "name": provider.name}
        attrs: dict[str, Any] = {
            "name": module.title,
            "courseCode": module.external_id,
            "learningResourceType": dict(LEARNING_RESOURCE_TYPE),
            "courseMode": list(_COURSE_MODE.get(module.format, ["online"])),
            "description": self.description(module.description, module.learning_outcomes),
            "inLanguage": [module.language],
            **self.dates(module.dates),
            "duration": f"PT{number(round(module.duration_hours, 2))}H",
            "publisher": organisation,
            "creator": [dict(organisation)],
            "url": module.url or f"{self.base_url}/api/modules/{module.id}",
            "license": [licence(module.license, self.wording["default_license"])],
            **self.prices(module.price_member_eur, module.price_non_member_eur),
            "numberOfCredits": number(module.ects),
        }
        credentials = [_CREDENTIALS[t] for t in _CREDENTIALS if t in module.proof_tiers]
        if credentials:
            attrs["educationalCredentialsAwarded"] = credentials
        teaches = self.skills.taught(module.competencies)
        if teaches:
            attrs["teaches"] = teaches
        required = self.skills.required(module.competencies)
        if required:
            attrs["competencyRequired"] = required
        keywords = [k for k in dict.fromkeys(module.keywords) if isinstance(k, str) and k.strip()]
        if keywords:
            attrs["keywords"] = keywords
        place = self.place(module)
        if place:
            attrs["contentLocation"] = place
        attrs["dateModified"] = aware(module.updated_at).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"id": course_uuid(module.provider_id, module.external_id), "type": "Course", "attributes": attrs}

    def description(self, description: str, outcomes: list[str]) -> str:
        """Plain text as HTML: paragraphs at blank lines, line breaks kept, the outcomes as a list."""
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", description) if p.strip()]
        parts = ["<p>" + html.escape(p, quote=False).replace("\n", "<br>") + "</p>" for p in paragraphs]
        items = [o.strip() for o in outcomes if isinstance(o, str) and o.strip()]
        if items:
            heading = html.escape(str(self.wording["description"]["outcomes_heading"]), quote=False)
            parts.append(f"<p>{heading}</p>")
            parts.append("<ul>" + "".join(f"<li>{html.escape(i, quote=False)}</li>" for i in items) + "</ul>")
        return "".join(parts)

    @staticmethod
    def dates(windows: list[dict[str, str]]) -> dict[str, list[str]]:
        """Start and end date-times of each run; runs that repeat an earlier start or end are left out
        (MOOChub's date lists are sets paired by position)."""
        starts: list[str] = []
        ends: list[str] = []
        for window in windows:
            try:
                start, end = date.fromisoformat(str(window["start"])), date.fromisoformat(str(window["end"]))
            except (KeyError, TypeError, ValueError):
                continue
            first = datetime.combine(start, time(0, 0), GERMANY).isoformat()
            last = datetime.combine(end, time(23, 59, 59), GERMANY).isoformat()
            if first in starts or last in ends:
                continue
            starts.append(first)
            ends.append(last)
        return {"startDate": starts, "endDate": ends} if starts else {}

    def prices(self, member: float, non_member: float) -> dict[str, Any]:
        def offer(price: float, name: str | None = None) -> dict[str, Any]:
            item: dict[str, Any] = {"price": number(price), "priceCurrency": CURRENCY,
                                    "paymentFrequency": "one-time", "category": "course"}
            if name:
                item["name"] = name
            return item

        if member == non_member:
            offers = [offer(member)]
        else:
            names = self.wording["offers"]
            offers = [offer(member, str(names["member"])), offer(non_member, str(names["non_member"]))]
        access = [a for a, present in (("free", min(member, non_member) == 0), ("paid", max(member, non_member) > 0))
                  if present]
        return {"offer": offers, "access": access}

    @staticmethod
    def place(module: Module) -> dict[str, Any] | None:
        if module.format == "online" or not module.locations:
            return None
        city = str(module.locations[0])
        address: dict[str, str] = {"city": city, "addressCountry": COUNTRY}
        if module.region and module.region != NATIONWIDE:
            address["addressRegion"] = module.region
        return {"name": city, "address": address}


def licence(value: str | None, default: Mapping[str, Any]) -> dict[str, Any]:
    """A MOOChub License: an SPDX id (or a Creative Commons URL read as one), else ``default``.

    Anything else a provider wrote (free text, an unknown URL) cannot be told
    apart from "all rights reserved", which is what the default declares.
    """
    given = (value or "").strip()
    identifier: str | None = None
    if given.lower() == PROPRIETARY:
        return {"identifier": PROPRIETARY, "url": None}
    if match := _CC_LICENCE_URL.match(given):
        identifier = f"CC-{match.group(1).upper()}-{match.group(2)}"
    elif _CC0_URL.match(given):
        identifier = "CC0-1.0"
    elif given and not given.lower().startswith(("http://", "https://")):
        candidate = re.sub(r"\s+", "-", given)
        identifier = candidate if _SPDX_ID.match(candidate) else None
    if identifier:
        return {"identifier": identifier, "url": f"https://spdx.org/licenses/{identifier}.html"}
    return {"identifier": str(default["identifier"]), "url": default.get("url")}


def number(value: float) -> int | float:
    """A JSON number without a needless ``.0`` (prices, credits, hours)."""
    return int(value) if float(value).is_integer() else float(value)
