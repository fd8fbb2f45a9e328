"""One module as a MOOChub course: each template field where MOOChub v3 expects it (no store needed)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from campus.catalogue.export_course import CourseWriter, course_uuid, licence
from campus.catalogue.export_skills import SkillWording, SkillWriter, read_crosswalk
from campus.catalogue.models import Competency, Module, Provider
from campus.store.formats import german_local_date, html_to_text, parse_datetime
from campus.store.texts import texts

BASE = "https://kommunalcampus.example"
ESCO_URI = "http://data.europa.eu/esco/skill/16a00c69-9c74-4c37-96d7-6301d285e5ce"
DEFAULT = {"identifier": "proprietary", "url": None}
FRAMEWORK = {
    "e_akte": Competency(id="e_akte", area="E-Akte", label="Arbeiten mit der E-Akte",
                         description="Vorgänge in der elektronischen Akte bearbeiten.",
                         synonyms=["E-Akte", "eAkte", "arbeiten mit der e-akte"],
                         levels={"1": "Kann Dokumente finden.", "2": "Kann Vorgänge anlegen."}, digcomp="1.3"),
    "data_protection": Competency(id="data_protection", area="Sicherheit", label="Datenschutz",
                                  description="Personenbezogene Daten schützen.", levels={3: "Kann beraten."}),
}
PROVIDER = Provider(id="hs_test", name="Hochschule Test (Beispiel)", kind="university")


def module(**fields: Any) -> Module:
    values: dict[str, Any] = {
        "id": 7, "provider_id": "hs_test", "external_id": "t-01", "title": "E-Akte kompakt",
        "description": "Erster Absatz mit a < b & c.\nZweite Zeile.\n\nZweiter Absatz.",
        "learning_outcomes": ["Die Teilnehmenden können <Vorgänge> anlegen."], "category": "Basismodul",
        "competencies": [{"id": "e_akte", "level_from": 0, "level_to": 2, "source": "provider", "confidence": 1.0}],
        "duration_hours": 12.5, "format": "blended", "language": "de", "ects": 2.5, "region": "Niedersachsen",
        "locations": ["Hannover", "Celle"], "dates": [{"start": "2027-03-29", "end": "2027-11-02"}],
        "price_member_eur": 0.0, "price_non_member_eur": 120.0, "proof_tiers": ["scores", "participation"],
        "keywords": ["E-Akte", "DMS", "E-Akte"], "status": "approved",
        "updated_at": datetime(2027, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
    }
    values.update(fields)
    return Module(**values)


def writer(crosswalk: dict[str, Any] | None = None) -> CourseWriter:
    skills = SkillWriter(FRAMEWORK, read_crosswalk({"competencies": crosswalk or {}}), SkillWording.load(), BASE)
    return CourseWriter(texts("moochub_export"), skills, BASE)


def attributes(**fields: Any) -> dict[str, Any]:
    course = writer().course(module(**fields), PROVIDER)
    assert course["id"] == course_uuid("hs_test", fields.get("external_id", "t-01"))
    assert course["type"] == "Course"
    attrs: dict[str, Any] = course["attributes"]
    return attrs


def test_identity_provider_and_catalogue_url():
    attrs = attributes()
    assert (attrs["name"], attrs["courseCode"], attrs["inLanguage"]) == ("E-Akte kompakt", "t-01", ["de"])
    assert attrs["publisher"] == {"type": "Organization", "name": "Hochschule Test (Beispiel)"}
    assert attrs["creator"] == [attrs["publisher"]]
    assert attrs["url"] == f"{BASE}/api/modules/7"
    assert attributes(url="https://anbieter.example/kurs")["url"] == "https://anbieter.example/kurs"
    assert attrs["dateModified"] == "2027-01-02T03:04:05Z"
    assert attrs["keywords"] == ["E-Akte", "DMS"]


def test_description_is_escaped_html_with_the_outcomes_as_a_list():
    html = attributes()["description"]
    assert html.startswith("<p>Erster Absatz mit a &lt; b &amp; c.<br>Zweite Zeile.</p><p>Zweiter Absatz.</p>")
    assert "<li>Die Teilnehmenden können &lt;Vorgänge&gt; anlegen.</li>" in html
    text = html_to_text(html)
    assert "a < b & c." in text and texts("moochub_export")["description"]["outcomes_heading"] in text
    assert "<ul>" not in attributes(learning_outcomes=[])["description"]


@pytest.mark.parametrize(("fmt", "mode"), [("online", ["online"]), ("presence", ["onsite"]),
                                           ("blended", ["blended"])])
def test_format_becomes_course_mode(fmt, mode):
    assert attributes(format=fmt)["courseMode"] == mode


def test_dates_are_the_whole_german_days_in_either_season():
    attrs = attributes(dates=[{"start": "2027-03-29", "end": "2027-11-02"},
                              {"start": "2027-03-29", "end": "2027-04-02"},  # repeats a start: left out
                              {"start": "2027-12-01", "end": "2027-12-03"}])
    assert attrs["startDate"] == ["2027-03-29T00:00:00+02:00", "2027-12-01T00:00:00+01:00"]
    assert attrs["endDate"] == ["2027-11-02T23:59:59+01:00", "2027-12-03T23:59:59+01:00"]
    moments = [parse_datetime(v) for v in attrs["startDate"] + attrs["endDate"]]
    assert [german_local_date(m).isoformat() for m in moments if m] == [
        "2027-03-29", "2027-12-01", "2027-11-02", "2027-12-03"]
    assert "startDate" not in attributes(dates=[])


def test_hours_are_the_duration_and_credits_and_proof_are_named_as_moochub_does():
    attrs = attributes()
    assert attrs["duration"] == "PT12.5H" and attributes(duration_hours=16.0)["duration"] == "PT16H"
    assert attrs["numberOfCredits"] == 2.5
    assert attrs["educationalCredentialsAwarded"] == ["confirmation of participation", "record of achievement"]
    assert "educationalCredentialsAwarded" not in attributes(proof_tiers=[])


def test_member_and_non_member_prices_are_two_named_offers_one_price_is_one():
    names = texts("moochub_export")["offers"]
    attrs = attributes()
    assert attrs["offer"] == [
        {"price": 0, "priceCurrency": "EUR", "paymentFrequency": "one-time", "category": "course",
         "name": names["member"]},
        {"price": 120, "priceCurrency": "EUR", "paymentFrequency": "one-time", "category": "course",
         "name": names["non_member"]},
    ]
    assert attrs["access"] == ["free", "paid"]
    same = attributes(price_member_eur=99.5, price_non_member_eur=99.5)
    assert same["offer"] == [{"price": 99.5, "priceCurrency": "EUR", "paymentFrequency": "one-time",
                              "category": "course"}]
    assert same["access"] == ["paid"]
    assert attributes(price_non_member_eur=0.0)["access"] == ["free"]


def test_the_first_venue_and_the_region_are_the_content_location_not_for_online_modules():
    assert attributes()["contentLocation"] == {
        "name": "Hannover", "address": {"city": "Hannover", "addressCountry": "DE", "addressRegion": "Niedersachsen"}}
    assert "contentLocation" not in attributes(format="online", region="bundesweit")
    assert "addressRegion" not in attributes(format="presence", region=None)["contentLocation"]["address"]
    assert "addressRegion" not in attributes(format="presence", region="bundesweit")["contentLocation"]["address"]


@pytest.mark.parametrize(("given", "expected"), [
    (None, DEFAULT),
    ("", DEFAULT),
    ("Alle Rechte vorbehalten, bitte anfragen", DEFAULT),
    ("https://anbieter.example/lizenz", DEFAULT),
    ("proprietary", DEFAULT),
    ("CC-BY-SA-4.0", {"identifier": "CC-BY-SA-4.0", "url": "https://spdx.org/licenses/CC-BY-SA-4.0.html"}),
    ("CC BY 4.0", {"identifier": "CC-BY-4.0", "url": "https://spdx.org/licenses/CC-BY-4.0.html"}),
    ("https://creativecommons.org/licenses/by-sa/4.0/",
     {"identifier": "CC-BY-SA-4.0", "url": "https://spdx.org/licenses/CC-BY-SA-4.0.html"}),
    ("https://creativecommons.org/licenses/by/4.0/deed.de",
     {"identifier": "CC-BY-4.0", "url": "https://spdx.org/licenses/CC-BY-4.0.html"}),
    ("https://creativecommons.org/publicdomain/zero/1.0/",
     {"identifier": "CC0-1.0", "url": "https://spdx.org/licenses/CC0-1.0.html"}),
])
def test_licences_are_spdx_ids_or_the_declared_default(given, expected):
    assert licence(given, texts("moochub_export")["default_license"]) == expected


def test_a_competency_without_crosswalk_is_a_skill_of_our_own_framework_with_its_level():
    (skill,) = attributes()["teaches"]
    assert skill["name"] == [{"inLanguage": "de", "name": "Arbeiten mit der E-Akte"}]
    assert skill["alternateName"] == ["E-Akte", "eAkte"]  # the label itself is not repeated
    assert (skill["url"], skill["targetUrl"]) == (f"{BASE}/api/competencies", f"{BASE}/api/competencies#e_akte")
    assert "shortCode" not in skill  # the DigComp alignment of the framework is no crosswalk
    level = skill["educationalLevel"]
    assert (level["shortCode"], level["educationalFramework"], level["description"]) == (
        "4", "DigComp", "Kann Vorgänge anlegen.")
    assert level["name"][1] == {"inLanguage": "en", "name": "Intermediate"}


def test_crosswalked_competencies_name_their_esco_uris_and_digcomp_codes():
    course = writer({"e_akte": {"esco": [ESCO_URI, ESCO_URI], "digcomp": ["1.3", "not a code"]}}).course(
        module(), PROVIDER)
    skills = course["attributes"]["teaches"]
    assert [(s["educationalFramework"], s.get("targetUrl"), s.get("shortCode")) for s in skills] == [
        ("ESCO", ESCO_URI, None), ("DigComp", None, "1.3")]
    assert all(s["name"][0]["name"] == "Arbeiten mit der E-Akte" for s in skills)


def test_required_levels_unknown_competencies_and_int_level_keys():
    attrs = attributes(competencies=[
        {"id": "data_protection", "level_from": 2, "level_to": 3},
        {"id": "gone_from_the_framework", "level_from": 0, "level_to": 1},
    ])
    assert [s["name"][0]["name"] for s in attrs["teaches"]] == ["Datenschutz"]
    assert attrs["teaches"][0]["educationalLevel"]["description"] == "Kann beraten."
    assert [s["educationalLevel"]["shortCode"] for s in attrs["competencyRequired"]] == ["4"]
    assert "teaches" not in attributes(competencies=[])
    assert "competencyRequired" not in attributes()  # e_akte starts at level 0


def test_an_identifier_listed_under_several_competencies_is_published_for_the_first_only():
    """Read back, a shared identifier names the first competency listing it; a later one would be misread."""
    table = read_crosswalk({"competencies": {
        "e_akte": {"esco": [ESCO_URI], "digcomp": ["1.3", "4"]},
        "records_management": {"esco": [ESCO_URI.replace("http:", "https:")[:-12] + ESCO_URI[-12:].upper()],
                               "digcomp": ["1.3", "1.2"]},
        "data_protection": {"digcomp": ["4.0"]},
    }})
    assert (table["e_akte"].esco, table["e_akte"].digcomp) == ((ESCO_URI,), ("1.3", "4.0"))
    assert (table["records_management"].esco, table["records_management"].digcomp) == ((), ("1.2",))
    assert "data_protection" not in table  # its only code is e_akte's: published as our own framework's skill


def test_a_damaged_crosswalk_file_is_read_as_far_as_it_goes():
    assert read_crosswalk(None) == {} and read_crosswalk({"competencies": []}) == {}
    table = read_crosswalk({"competencies": {"a": "esco", "b": {"esco": ESCO_URI, "digcomp": [4.2, True, "9.99"]},
                                             "c": {"esco": ["ftp://x"]}}})
    assert list(table) == ["b"]
    assert (table["b"].esco, table["b"].digcomp) == ((ESCO_URI,), ("4.2", "9.99"))
