"""The admin's allowlist of intranet hosts feeds may be fetched from (public hosts need no entry).

An entry is a host name or an IP literal, stored as the fetcher compares it
(``fetch.normalise_host``: ASCII, lower case, IPs canonical), so
``FEEDS.Intern.`` and ``feeds.intern`` are one entry and ``2130706433`` is
``127.0.0.1``. Each change is one transaction.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from campus.catalogue.feeds.fetch import normalise_host
from campus.catalogue.models import FetchAllowedHost
from campus.store.errors import DomainError, problem


def host_entry(host: str) -> str:
    """``host`` as stored and compared; a DomainError on the field ``host`` for anything else."""
    try:
        return normalise_host(host)
    except ValueError:
        raise problem("allowed_host_invalid", "host", host=host[:100]) from None


def allowed_view(row: FetchAllowedHost) -> dict[str, Any]:
    return {"host": row.host, "note": row.note, "created_at": row.created_at}


def list_allowed(session: Session) -> list[FetchAllowedHost]:
    return list(session.exec(select(FetchAllowedHost).order_by(col(FetchAllowedHost.host))).all())


def allow_host(session: Session, host: str, note: str = "") -> FetchAllowedHost:
    """Add a host (or update its note); one transaction."""
    entry = host_entry(host)
    row = session.get(FetchAllowedHost, entry) or FetchAllowedHost(host=entry)
    row.note = note
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def disallow_host(session: Session, host: str) -> None:
    """Remove a host; feeds on it are refused from the next fetch on. One transaction."""
    try:
        entry = host_entry(host)
    except DomainError:
        entry = host
    row = session.get(FetchAllowedHost, entry)
    if row is None:
        raise problem("allowed_host_not_found", "host", 404, host=host[:100])
    session.delete(row)
    session.commit()
