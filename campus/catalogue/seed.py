"""Load the seed domain data (framework, roles, providers, sample organisations, sample catalogue).

Loading is idempotent and keyed by a hash of the seed files: an unchanged
seed is not touched again, a changed one is upserted (never duplicated).
Every record goes through the same validation as provider input. Seeded
providers and organisations are ordinary ones: the seed sets the fields it
states and leaves the rest (a provider's contact, an organisation's budget)
as an admin set them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session

from campus.catalogue.models import Competency, RoleProfile
from campus.catalogue.modules import upsert_module
from campus.catalogue.providers import seed_provider
from campus.catalogue.template import ModuleIn
from campus.hr.organisations import seed_organisation
from campus.store.base import Meta
from campus.store.errors import DomainError

SEED_FILES = ("competencies.yml", "role_profiles.yml", "providers.yml", "organisations.yml", "catalogue.jsonl")


@dataclass
class SeedReport:
    competencies: int = 0
    roles: int = 0
    providers: int = 0
    organisations: int = 0
    modules: int = 0
    skipped: bool = False


def seed_hash(seed_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in SEED_FILES:
        digest.update(name.encode())
        digest.update((seed_dir / name).read_bytes())
    return digest.hexdigest()


def read_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)  # the seed files are mappings at the top
    return loaded


def read_catalogue(path: Path) -> list[ModuleIn]:
    modules = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                modules.append(ModuleIn.model_validate(json.loads(line)))
            except Exception as exc:  # report the line; seed data must be clean
                raise ValueError(f"{path.name}:{line_no}: {exc}") from exc
    return modules


def load_seed(session: Session, seed_dir: Path, force: bool = False) -> SeedReport:
    digest = seed_hash(seed_dir)
    marker = session.get(Meta, "seed_hash")
    if marker is not None and marker.value == digest and not force:
        return SeedReport(skipped=True)

    report = SeedReport()
    framework = read_yaml(seed_dir / "competencies.yml")
    competency_ids = set()
    for item in framework["competencies"]:
        competency_ids.add(item["id"])
        session.merge(Competency(
            id=item["id"], area=item["area"], label=item["label"],
            description=item["description"], synonyms=item.get("synonyms", []),
            levels={str(k): v for k, v in item["levels"].items()}, digcomp=item.get("digcomp"),
        ))
        report.competencies += 1

    for item in read_yaml(seed_dir / "role_profiles.yml")["roles"]:
        unknown = [t["competency"] for t in item["targets"] if t["competency"] not in competency_ids]
        if unknown:
            raise ValueError(f"role {item['id']}: unknown competencies {unknown}")
        session.merge(RoleProfile(
            id=item["id"], org=None, title=item["title"], description=item["description"],
            synonyms=item.get("synonyms", []), leads_staff=bool(item.get("leads_staff", False)),
            targets=item["targets"],
        ))
        report.roles += 1

    for item in read_yaml(seed_dir / "providers.yml")["providers"]:
        seed_provider(session, item)
        report.providers += 1
    for item in read_yaml(seed_dir / "organisations.yml")["organisations"]:
        seed_organisation(session, item)
        report.organisations += 1
    session.flush()

    for module_in in read_catalogue(seed_dir / "catalogue.jsonl"):
        try:
            upsert_module(session, module_in.provider, module_in, competency_ids, status=module_in.status)
        except DomainError as exc:
            raise ValueError(f"module {module_in.external_id}: {exc.message_en}") from exc
        report.modules += 1

    if marker is None:
        marker = Meta(key="seed_hash", value=digest)
    marker.value = digest
    session.add(marker)
    return report
