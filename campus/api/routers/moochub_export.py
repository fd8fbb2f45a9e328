"""The approved catalogue published as MOOChub v3, so other platforms read ours as we read theirs.

Public (no key), like the feeds of openHPI or KI-Campus. The MOOChub API
(``moochub-api.v3.yml``) pages with ``?page=N``; ``page[number]`` and
``page[size]`` (JSON:API) are read too. A client names the last major
MOOChub version it supports in ``Accept: application/vnd.api+json;
moochub-version=N`` (``moochub-versioning.md``): 3 or later gets version 3,
an older one a 406, no version the newest.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from campus.api.deps import SessionDep
from campus.catalogue.export import course_page
from campus.store.errors import problem
from campus.store.texts import text

router = APIRouter(tags=["catalogue"])

MEDIA_TYPE = "application/vnd.api+json"
OFFERED_MAJOR = 3
OFFERED_VERSION = "3.0"
CONTENT_TYPE = f"{MEDIA_TYPE}; moochub-version={OFFERED_VERSION}"


def requested_version(accept: str | None) -> str | None:
    """The ``moochub-version`` a client asks for in its Accept header, if it names one."""
    for media_range in (accept or "").split(","):
        media, *params = (part.strip() for part in media_range.split(";"))
        if media.lower() != MEDIA_TYPE:
            continue
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "moochub-version":
                return value.strip().strip('"')
    return None


def check_version(accept: str | None) -> None:
    """Refuse (406) a client that supports only versions older than ours."""
    version = requested_version(accept)
    if version is None:
        return
    major = version.split(".")[0]
    if not (major.isdigit() and int(major) >= OFFERED_MAJOR):
        raise problem("moochub_version_unsupported", "Accept", 406, requested=version[:20], offered=OFFERED_VERSION)


@router.get("/moochub/courses", response_class=JSONResponse,
            summary=text("moochub_export.api.summary"), description=text("moochub_export.api.description"),
            responses={200: {"content": {CONTENT_TYPE: {}}, "description": text("moochub_export.api.document")}})
def moochub_courses(
    session: SessionDep,
    page: Annotated[int | None, Query(description=text("moochub_export.api.page"))] = None,
    page_number: Annotated[int | None, Query(alias="page[number]",
                                                   description=text("moochub_export.api.page_number"))] = None,
    page_size: Annotated[int | None, Query(alias="page[size]",
                                                 description=text("moochub_export.api.page_size"))] = None,
    accept: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    check_version(accept)
    if page is not None and page_number is not None and page != page_number:
        raise problem("moochub_page_conflict", "page")
    number = page if page is not None else page_number if page_number is not None else 1
    document = course_page(session, number, page_size)
    return JSONResponse(document, media_type=CONTENT_TYPE, headers={"Vary": "Accept"})
