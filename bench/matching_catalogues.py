"""The two catalogues bench/matching_quality.py ranks: the sample catalogue and the real KI-Campus courses.

Both live in one temporary store: the seed (framework, providers, sample
catalogue) plus the 47 real course records from
/work/shared/ext/kicampus-amb, turned into module templates and ingested
through the platform's own ``Ingestor`` with the competency tagger (they
arrive without competency ids, as real feeds do). Each catalogue is an index
snapshot of its own modules, with its queries and graded judgments.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import yaml

ROOT = Path(__file__).resolve().parent.parent
REAL_RECORDS = Path(os.environ.get("KC_BENCH_AMB", "/work/shared/ext/kicampus-amb/kicampus_oersi_amb_metadata.jsonl"))
REAL_PROVIDER = "ki_campus_bench"

if TYPE_CHECKING:  # the bench imports the platform only after fixing its environment
    from embeddings.index import IndexSnapshot


@dataclass
class Catalogue:
    name: str
    snapshot: IndexSnapshot
    queries: list[dict[str, Any]]
    judgments: dict[str, dict[int, int]]  # query id → {module id: grade}
    vectors: npt.NDArray[np.float32]  # one query vector per query


def real_templates(path: Path = REAL_RECORDS) -> list[Any]:
    """Module templates from the AMB records: title, description, language, url and subject labels."""
    from campus.catalogue.template import ModuleIn
    from campus.store.formats import html_to_text

    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        labels = [a.get("prefLabel", {}).get("de") for a in record.get("about", [])]
        keywords = [k for k in [*labels, *record.get("keywords", [])] if isinstance(k, str) and k]
        out.append(ModuleIn(
            external_id=record["id"].rstrip("/").rsplit("/", 1)[-1], provider=REAL_PROVIDER,
            title=record["name"], description=html_to_text(record.get("description", "")),
            language=(record.get("inLanguage") or ["de"])[0], url=record["id"], keywords=keywords[:50],
            category="Basismodul", learning_units=1, duration_hours=8, format="online",
        ))
    return out


def _judgments(data: dict[str, Any], ids: dict[str, int]) -> dict[str, dict[int, int]]:
    return {q["id"]: {ids[ext]: int(g) for ext, g in q["relevant"].items() if int(g) > 0} for q in data["queries"]}


def build() -> tuple[Catalogue, Catalogue]:
    """Seed + real courses into the (temporary) store; the two catalogues as snapshots."""
    from sqlmodel import Session, select

    from campus.catalogue.models import Module, Provider
    from campus.catalogue.seed import load_seed
    from campus.store.db import get_engine, session_scope
    from campus.store.ids import stored_id
    from campus.store.settings import get_settings
    from campus.tables import create_schema
    from embeddings.encoder import get_encoder
    from embeddings.index import IndexSnapshot, ModuleIndex, framework_query_centre
    from embeddings.ingest import Ingestor
    from embeddings.module_vectors import sync_module_vectors
    from embeddings.tagging import get_tagger

    encoder = get_encoder()
    create_schema(get_engine())
    with session_scope() as session:
        load_seed(session, get_settings().seed_dir)
    with session_scope() as session:
        sync_module_vectors(session, encoder)
        if session.get(Provider, REAL_PROVIDER) is None:
            session.add(Provider(id=REAL_PROVIDER, name="KI-Campus (Bench)", kind="platform"))
    with session_scope() as session:
        ingestor = Ingestor(session, REAL_PROVIDER, encoder, status="approved", tagger=get_tagger())
        records = [template.model_dump(mode="json") for template in real_templates()]
        results = ingestor.ingest_batch(list(enumerate(records, start=1)))
        errors = [r for r in results if r.outcome == "error"]
        if errors:
            raise RuntimeError(f"real records rejected: {errors[:3]}")
    with Session(get_engine()) as session:
        modules = session.exec(select(Module)).all()
        ids = {(m.provider_id == REAL_PROVIDER, m.external_id): stored_id(m.id) for m in modules}
        full = ModuleIndex(encoder.dim, query_centre=framework_query_centre).snapshot(session)

    def part(real: bool, name: str, eval_file: str) -> Catalogue:
        keep = [i for i, m in enumerate(full.modules) if (m.provider_id == REAL_PROVIDER) == real]
        snap = IndexSnapshot([full.modules[i] for i in keep], full.vectors[keep].copy(), (name,), name,
                             full.query_centre)
        data = yaml.safe_load((ROOT / "data/eval" / eval_file).read_text(encoding="utf-8"))
        by_external = {ext: mid for (is_real, ext), mid in ids.items() if is_real == real}
        queries = list(data["queries"])
        return Catalogue(name, snap, queries, _judgments(data, by_external),
                         encoder.queries([q["text"] for q in queries]))

    return part(False, "Beispielkatalog", "matching_queries.yml"), part(True, "KI-Campus (echt)", "real_matching.yml")
