"""Make the store ready: tables, seed data, module vectors. Safe to run every time."""

from __future__ import annotations

import sys
import time

from campus.catalogue.seed import load_seed
from campus.store.db import get_engine, session_scope
from campus.store.settings import get_settings
from campus.store.texts import text
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
        seed_note = text("cli.prepare.seed_unchanged")
    else:
        seed_note = text("cli.prepare.seed_loaded", competencies=report.competencies, roles=report.roles,
                         providers=report.providers, modules=report.modules)
    print(text("cli.prepare.done", seed=seed_note, embedded=embedded, seconds=time.perf_counter() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
