"""The MOOChub v3 export of the seeded catalogue: valid against the real schema, paged, approved only, and
readable again by our own MOOChub import (a round trip)."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from sqlmodel import Session, select

from campus.catalogue.export import catalogue_document, course_page
from campus.catalogue.export_course import course_uuid
from campus.catalogue.export_skills import load_crosswalk, read_crosswalk
from campus.catalogue.feeds.moochub import map_moochub_document
from campus.catalogue.framework import competencies
from campus.catalogue.models import Module
from campus.store.errors import DomainError
from campus.store.texts import texts

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = json.loads((ROOT.parent / "shared" / "ext" / "moochub-schema" / "moochub-schema.json").read_text("utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
BASE = "https://kommunalcampus.example"
ESCO_EAKTE = "http://data.europa.eu/esco/skill/2b2d3d9a-5e6c-4a2a-9d55-4f7d0c3d1a11"
ESCO_OZG = "http://data.europa.eu/esco/skill/16a00c69-9c74-4c37-96d7-6301d285e5ce"
# a crosswalk as data/crosswalk.yml holds it (the real file is filled elsewhere)
CROSSWALK = read_crosswalk({"competencies": {
    "e_akte": {"esco": [ESCO_EAKTE], "digcomp": ["1.3"]},
    "ozg_basics": {"esco": [ESCO_OZG]},
    "data_protection": {"digcomp": ["4.2"]},
}})


def schema_errors(document: Any) -> list[str]:
    """The schema's complaints, plus date-times the format checker does not check (no rfc3339 package)."""
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(document)]
    for course in document.get("data") or []:
        attrs = course["attributes"]
        for key in ("startDate", "endDate", "dateModified"):
            values = attrs.get(key) if isinstance(attrs.get(key), list) else [attrs.get(key)]
            for value in [v for v in values if v is not None]:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
                if moment.tzinfo is None:
                    errors.append(f"{course['id']}/{key}: {value} has no time zone")
    return errors


def approved(session: Session) -> list[Module]:
    return list(session.exec(select(Module).where(Module.status == "approved")).all())


@pytest.fixture(scope="module")
def session(prepared_store):
    with Session(prepared_store) as s:
        yield s


@pytest.fixture(scope="module")
def document(session) -> dict[str, Any]:
    """The whole approved catalogue with the real crosswalk file."""
    return catalogue_document(session, base_url=BASE)


@pytest.fixture(scope="module")
def aligned(session) -> dict[str, Any]:
    """The whole approved catalogue with the test crosswalk."""
    return catalogue_document(session, base_url=BASE, crosswalk=CROSSWALK)


def by_code(document: dict[str, Any], code: str) -> dict[str, Any]:
    return next(c["attributes"] for c in document["data"] if c["attributes"]["courseCode"] == code)


def test_the_whole_seeded_catalogue_is_a_valid_moochub_v3_document(document, aligned):
    assert len(document["data"]) > 100
    assert schema_errors(document) == []
    assert schema_errors(aligned) == []


def test_the_validator_finds_what_breaks_the_schema(document):
    """The check above can fail: a course without its licence or with a non-UUID id is reported."""
    broken = json.loads(json.dumps(document))
    del broken["data"][0]["attributes"]["license"]
    broken["data"][1]["id"] = "hsvn-eakte-basis-01"
    broken["data"][2]["attributes"]["startDate"] = ["2027-03-29T00:00:00"]
    errors = schema_errors(broken)
    assert any("'license' is a required property" in e for e in errors)
    assert any("is not a 'uuid'" in e for e in errors)
    assert any("has no time zone" in e for e in errors)


def test_only_approved_modules_are_published_each_once(session, document):
    published = [(c["attributes"]["publisher"]["name"], c["attributes"]["courseCode"]) for c in document["data"]]
    modules = approved(session)
    assert sorted(c["attributes"]["courseCode"] for c in document["data"]) == sorted(m.external_id for m in modules)
    assert len(set(published)) == len(published)
    others = session.exec(select(Module).where(Module.status != "approved")).all()
    assert others, "the seed has submitted and rejected modules"
    ids = {c["id"] for c in document["data"]}
    assert not ids & {course_uuid(m.provider_id, m.external_id) for m in others}


def test_course_ids_are_stable_uuids_of_provider_and_external_id(document):
    assert course_uuid("hs_verwaltung_nord", "hsvn-eakte-basis-01") == "9649dd4e-b5e2-530e-a8e2-0a4d87d2d1e2"
    assert course_uuid("a", "b/c") != course_uuid("a/b", "c")
    ids = [c["id"] for c in document["data"]]
    assert len(set(ids)) == len(ids)
    first = next(c for c in document["data"] if c["attributes"]["courseCode"] == "hsvn-eakte-basis-01")
    assert first["id"] == "9649dd4e-b5e2-530e-a8e2-0a4d87d2d1e2"


def test_the_order_is_stable_by_provider_then_external_id(session, document):
    keys = [(m.provider_id, m.external_id) for m in approved(session)]
    assert [c["id"] for c in document["data"]] == [course_uuid(p, e) for p, e in sorted(keys)]


def test_pages_split_the_catalogue_without_gaps_or_repeats(session, document):
    size = 7
    total = len(document["data"])
    last = math.ceil(total / size)
    pages = [course_page(session, n, size, base_url=BASE) for n in range(1, last + 1)]
    assert [c["id"] for p in pages for c in p["data"]] == [c["id"] for c in document["data"]]
    assert all(len(p["data"]) == size for p in pages[:-1]) and 1 <= len(pages[-1]["data"]) <= size
    url = f"{BASE}/api/moochub/courses?page={{}}&page%5Bsize%5D=7"
    assert pages[0]["links"] == {"self": url.format(1), "first": url.format(1), "last": url.format(last),
                                 "next": url.format(2)}
    assert pages[1]["links"]["prev"] == url.format(1) and pages[1]["links"]["self"] == url.format(2)
    assert "next" not in pages[-1]["links"] and pages[-1]["links"]["prev"] == url.format(last - 1)
    assert all(schema_errors(p) == [] for p in pages[:2])


def test_the_default_page_size_is_not_written_into_the_links(session):
    default = texts("moochub_export")["paging"]["default_size"]
    page = course_page(session, base_url=BASE)
    assert len(page["data"]) == default
    assert page["links"]["self"] == f"{BASE}/api/moochub/courses?page=1"


@pytest.mark.parametrize(("number", "size", "field", "status"), [
    (1, 0, "page[size]", 422),
    (1, 201, "page[size]", 422),
    (0, 10, "page", 422),
    (10**12, 10, "page", 422),
    (999, 10, "page", 404),
])
def test_pages_outside_the_catalogue_are_refused_naming_the_field(session, number, size, field, status):
    with pytest.raises(DomainError) as raised:
        course_page(session, number, size, base_url=BASE)
    assert (raised.value.field, raised.value.status_code) == (field, status)
    assert raised.value.message_de and raised.value.message_en


def _targets(competencies: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    return sorted((c["id"], c["level_from"], c["level_to"]) for c in competencies)


def _assert_round_trip(session: Session, document: dict[str, Any], lookup: Any) -> None:
    result = map_moochub_document(document, "kommunalcampus", lookup)
    assert [i for i in result.issues if i.fatal] == []
    by_id = {course_uuid(m.provider_id, m.external_id): m for m in approved(session)}
    assert len(result.modules) == len(by_id)
    for mapped in result.modules:
        original = by_id[mapped["external_id"]]
        assert mapped["title"] == original.title
        assert _targets(mapped["competencies"]) == _targets(original.competencies), original.external_id


def test_our_own_import_reads_the_export_back_with_the_same_titles_and_competencies(session, document):
    """The real lookup of the import (DigComp codes, then the framework's text matcher), over every course."""
    from embeddings.framework_matchers import competency_lookup

    _assert_round_trip(session, document, lru_cache(maxsize=None)(competency_lookup()))


def test_crosswalked_skills_read_back_through_their_esco_uri_or_digcomp_code(session, aligned):
    """An importer that knows only the crosswalk (no names) finds the same competencies in the aligned export."""
    reverse = {uri: cid for cid, a in CROSSWALK.items() for uri in a.esco}
    reverse |= {f"DigComp:{code}": cid for cid, a in CROSSWALK.items() for code in a.digcomp}
    labels = {}
    for course in aligned["data"]:
        for skill in course["attributes"].get("teaches", []):
            target = skill.get("targetUrl") or ""
            if "#" in target:  # our own framework's node: /api/competencies#<id>
                labels[skill["name"][0]["name"]] = target.rsplit("#", 1)[1]
    known = {**reverse, **labels}
    _assert_round_trip(session, aligned, known.get)
    teaches = by_code(aligned, "hsvn-eakte-basis-01")["teaches"]  # e_akte (crosswalked), records_management
    assert [(s["educationalFramework"], s.get("targetUrl"), s.get("shortCode")) for s in teaches] == [
        ("ESCO", ESCO_EAKTE, None), ("DigComp", None, "1.3"),
        ("DigComp", f"{BASE}/api/competencies#records_management", None)]


def test_every_identifier_of_the_real_crosswalk_is_published_for_its_competency(session, document):
    crosswalk = load_crosswalk()
    id_of = {c.label: c.id for c in competencies(session).values()}
    published = 0
    modules = {course_uuid(m.provider_id, m.external_id): m for m in approved(session)}
    for course in document["data"]:
        module = modules[course["id"]]
        named: dict[str, set[tuple[str, str]]] = {}
        for skill in course["attributes"].get("teaches", []):
            reference = skill.get("shortCode") or skill.get("targetUrl")
            if not reference.startswith(f"{BASE}/api/competencies#"):
                named.setdefault(id_of[skill["name"][0]["name"]], set()).add((skill["educationalFramework"],
                                                                               reference))
        for target in module.competencies:
            alignment = crosswalk.get(target["id"])
            expected = {("ESCO", u) for u in alignment.esco} | {("DigComp", c) for c in alignment.digcomp} \
                if alignment else set()
            assert named.get(target["id"], set()) == expected, (module.external_id, target["id"])
            published += len(expected)
    assert published > 0 or not crosswalk


def test_levels_survive_the_round_trip_as_digcomp_proficiency(document):
    """Our level n is DigComp 2n, which the import reads back as ceil(2n / 2) = n (from and to)."""
    attrs = by_code(document, "hsvn-bonus-recherche-16")  # dc_information_literacy 1 → 3
    assert {s["educationalLevel"]["shortCode"] for s in attrs["teaches"]} == {"6"}  # one skill per identifier
    assert {s["educationalLevel"]["shortCode"] for s in attrs["competencyRequired"]} == {"2"}
    assert "competencyRequired" not in by_code(document, "hsvn-eakte-basis-01")  # starts at level 0
    assert all(re.fullmatch(r"[2468]", s["educationalLevel"]["shortCode"])
               for c in document["data"] for s in c["attributes"].get("teaches", []))
