"""GET /api/moochub/courses: public, MOOChub's media type and version negotiation, paging, errors per field."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
from sqlmodel import Session

from campus.catalogue.export import course_page, public_base_url

SCHEMA_PATH = Path(__file__).resolve().parents[2].parent / "shared" / "ext" / "moochub-schema" / "moochub-schema.json"
VALIDATOR = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text("utf-8")),
                                            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
URL = "/api/moochub/courses"


def detail(response) -> dict[str, str]:
    (first,) = response.json()["detail"]
    assert first["message_de"] and first["message_en"]
    return first


def test_the_catalogue_is_public_in_moochubs_media_type_and_valid(client, prepared_store):
    response = client.get(URL)  # no X-API-Key
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.api+json; moochub-version=3.0"
    assert "accept" in response.headers["vary"].lower()
    document = response.json()
    assert list(VALIDATOR.iter_errors(document)) == []
    with Session(prepared_store) as session:
        assert document == course_page(session, 1)
    assert document["links"]["self"] == f"{public_base_url()}{URL}?page=1"


def test_following_next_links_reads_every_page_once(client, prepared_store):
    seen: list[str] = []
    url: str | None = f"{URL}?page%5Bsize%5D=40"
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        document = response.json()
        seen += [course["id"] for course in document["data"]]
        pages += 1
        following = document["links"].get("next")
        url = None if following is None else following.removeprefix(public_base_url())
    with Session(prepared_store) as session:
        whole = course_page(session, 1, 200)
    assert seen == [course["id"] for course in whole["data"]] and len(set(seen)) == len(seen)
    query = parse_qs(urlsplit(document["links"]["last"]).query)
    assert query == {"page": [str(pages)], "page[size]": ["40"]}


def test_page_number_is_read_as_page_or_page_number(client):
    by_page = client.get(URL, params={"page": 2, "page[size]": 3}).json()
    by_number = client.get(URL, params={"page[number]": 2, "page[size]": 3}).json()
    assert by_page == by_number and len(by_page["data"]) == 3
    assert by_page["data"] != client.get(URL, params={"page": 1, "page[size]": 3}).json()["data"]
    conflict = client.get(URL, params={"page": 1, "page[number]": 2})
    assert conflict.status_code == 422 and detail(conflict)["field"] == "page"


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"page": 9999}, 404, "page"),
    ({"page": 0}, 422, "page"),
    ({"page": "zwei"}, 422, "page"),
    ({"page[size]": 100000}, 422, "page[size]"),
    ({"page[size]": "-1"}, 422, "page[size]"),
    ({"page": 10**30}, 422, "page"),
])
def test_bad_paging_is_refused_naming_the_field(client, params, status, field):
    response = client.get(URL, params=params)
    assert response.status_code == status
    assert detail(response)["field"] == field


@pytest.mark.parametrize(("accept", "status"), [
    ("application/vnd.api+json; moochub-version=3", 200),
    ("application/vnd.api+json; moochub-version=4.1", 200),
    ("application/json, application/vnd.api+json;moochub-version=\"3.0\"", 200),
    ("*/*", 200),
    ("application/vnd.api+json; moochub-version=2", 406),
    ("application/vnd.api+json; moochub-version=neu", 406),
])
def test_the_moochub_version_is_negotiated_through_accept(client, accept, status):
    response = client.get(URL, params={"page[size]": 1}, headers={"Accept": accept})
    assert response.status_code == status
    if status == 406:
        assert detail(response)["field"] == "Accept"
        assert "3.0" in detail(response)["message_de"]
