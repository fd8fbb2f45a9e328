"""Our approved catalogue as a MOOChub v3 document, so other platforms read our catalogue as we read theirs.

MOOChub (``shared/ext/moochub-schema``: ``moochub-schema.json`` v3.0.1 and
``moochub-api.v3.yml``) is JSON:API: ``data`` is the list of course
resources of one page, ``links`` says where this page, the first, the last
and the neighbouring pages are (``?page=N``, as the MOOChub API pages;
``page[size]`` is JSON:API's page-size parameter, written only when it is
not the default). Only approved modules are published, in a stable order
(provider, then the provider's id of the module), so a consumer paging
through the catalogue neither misses nor repeats a course while nothing
changes. How one module becomes a course is :mod:`.export_course`; how
its competencies become skills is :mod:`.export_skills`.

Reading only: nothing here writes to the store.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func
from sqlmodel import Session, col, select

from campus.catalogue.export_course import CourseWriter
from campus.catalogue.export_skills import Crosswalk, SkillWording, SkillWriter, load_crosswalk
from campus.catalogue.framework import RECOMMENDABLE, competencies
from campus.catalogue.models import Module, Provider
from campus.store.errors import problem
from campus.store.settings import get_settings
from campus.store.texts import texts

COURSES_PATH = "/api/moochub/courses"
MAX_PAGE = 1_000_000  # far beyond any catalogue; keeps offsets small integers for every database
PAGE_FIELD = "page"
SIZE_FIELD = "page[size]"


def public_base_url() -> str:
    """The address other platforms reach this API at (``KC_PUBLIC_API_URL``), without a trailing slash."""
    settings = get_settings()
    return (settings.public_api_url or f"http://localhost:{settings.api_port}").rstrip("/")


@dataclass(frozen=True)
class Paging:
    default_size: int
    max_size: int

    @classmethod
    def load(cls) -> Paging:
        paging = texts("moochub_export")["paging"]
        return cls(int(paging["default_size"]), int(paging["max_size"]))


def course_page(session: Session, number: int = 1, size: int | None = None, *, base_url: str | None = None,
                crosswalk: Crosswalk | None = None) -> dict[str, Any]:
    """Page ``number`` (from 1) of ``size`` courses; an empty catalogue has one empty page.

    Raises a ``DomainError`` naming ``page`` (404 beyond the last page) or
    ``page[size]`` (422 outside 1 … the maximum).
    """
    paging = Paging.load()
    size = paging.default_size if size is None else size
    if not 1 <= size <= paging.max_size:
        raise problem("moochub_page_size", SIZE_FIELD, maximum=paging.max_size)
    if not 1 <= number <= MAX_PAGE:
        raise problem("moochub_page_number", PAGE_FIELD, maximum=MAX_PAGE)
    total = approved_count(session)
    last = max(1, math.ceil(total / size))
    if number > last:
        raise problem("moochub_page_not_found", PAGE_FIELD, 404, page=number, last=last)
    base = base_url or public_base_url()
    modules = approved_modules(session, offset=(number - 1) * size, limit=size)
    links = {"self": page_url(base, number, size, paging), "first": page_url(base, 1, size, paging),
             "last": page_url(base, last, size, paging)}
    if number > 1:
        links["prev"] = page_url(base, number - 1, size, paging)
    if number < last:
        links["next"] = page_url(base, number + 1, size, paging)
    return {"links": links, "data": _courses(session, modules, base, crosswalk)}


def catalogue_document(session: Session, *, base_url: str | None = None,
                       crosswalk: Crosswalk | None = None) -> dict[str, Any]:
    """The whole approved catalogue in one document (the command line's export); its links name the listing."""
    base = base_url or public_base_url()
    listing = f"{base}{COURSES_PATH}"
    return {"links": {"self": listing, "first": listing, "last": listing},
            "data": _courses(session, approved_modules(session), base, crosswalk)}


def page_url(base: str, number: int, size: int, paging: Paging) -> str:
    query: dict[str, int] = {PAGE_FIELD: number}
    if size != paging.default_size:
        query[SIZE_FIELD] = size
    return f"{base}{COURSES_PATH}?{urlencode(query)}"


def approved_count(session: Session) -> int:
    query = select(func.count()).select_from(Module).where(Module.status == RECOMMENDABLE)
    return int(session.exec(query).one())


def approved_modules(session: Session, offset: int = 0, limit: int | None = None) -> list[Module]:
    query = (select(Module).where(Module.status == RECOMMENDABLE)
             .order_by(col(Module.provider_id), col(Module.external_id)).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query).all())


def _courses(session: Session, modules: list[Module], base: str, crosswalk: Crosswalk | None) -> list[dict[str, Any]]:
    if not modules:
        return []
    wanted = sorted({m.provider_id for m in modules})
    providers = {p.id: p for p in session.exec(select(Provider).where(col(Provider.id).in_(wanted))).all()}
    skills = SkillWriter(competencies(session), load_crosswalk() if crosswalk is None else crosswalk,
                         SkillWording.load(), base)
    writer = CourseWriter(texts("moochub_export"), skills, base)
    return [writer.course(m, providers[m.provider_id]) for m in modules]
