"""Make the store ready: tables, seed data, module vectors. Safe to run every time."""

from __future__ import annotations

import sys
import time

from campus.catalogue.seed import load_seed
from campus.store.db import get_engine, session_scope
from campus.store.settings import get_settings
from campus.tables import create_schema
from embeddings.encoder import get_encoder
from embeddings.module_vectors import sync_module_vectors


def main() -> int:
    settings = get_settings()
    started = time.perf_counter()
    engine = get_engine()
    create_schema(engine)
    with session_scope(engine) as session:
        report = load_seed(session, settings.seed_dir)
    with session_scope(engine) as session:
        embedded = sync_module_vectors(session, get_encoder())
    if report.skipped:
        seed_note = "Seed unverändert"
    else:
        seed_note = (
            f"Seed geladen: {report.competencies} Kompetenzen, {report.roles} Rollenprofile, "
            f"{report.providers} Anbieter, {report.modules} Module"
        )
    print(f"{seed_note}; {embedded} Module neu eingebettet ({time.perf_counter() - started:.1f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
