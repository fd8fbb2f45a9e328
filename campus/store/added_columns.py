"""Columns a newer version added to a table an older store already has.

``create_all`` creates missing tables but never touches existing ones, so a
store made before a release that added a column (``module.flags``,
``learnerprofile.organisation_id`` …) would fail on its first query after
the update. Until the schema is versioned with migrations (the production
profile), every *added* column is added here, as ``ALTER TABLE … ADD
COLUMN`` with the model's default (``[]`` for a list, else the scalar, else
NULL), so ``make run`` keeps working on an existing ``var/``. Nothing is
ever dropped, renamed or retyped: those need a real migration.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

log = logging.getLogger(__name__)


def _models_by_table() -> dict[str, type[SQLModel]]:
    registry = SQLModel._sa_registry  # noqa: SLF001  # the one registry every table model is mapped in
    return {str(getattr(m.local_table, "name", "")): m.class_ for m in registry.mappers}


def _model_default(model: type[SQLModel] | None, name: str) -> Any:
    field = model.model_fields.get(name) if model is not None else None
    if field is None:
        return None
    if field.default_factory is not None:
        produced = field.default_factory()  # type: ignore[call-arg]  # factories here take no arguments
        return produced if isinstance(produced, (list, dict, str, int, float, bool)) else None
    return None if field.default is PydanticUndefined else field.default


def _default_sql(value: Any, connection: Connection) -> str:
    if value is None or not isinstance(value, (list, dict, str, int, float, bool)):
        return ""
    if isinstance(value, (list, dict)):
        value = json.dumps(value)
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, str):
        return " DEFAULT '" + value.replace("'", "''") + "'"
    return f" DEFAULT {value!r}"


def add_missing_columns(engine: Engine) -> list[str]:
    """Add every model column an existing table lacks; returns ``table.column`` of what was added."""
    added: list[str] = []
    models = _models_by_table()
    with engine.begin() as connection:
        inspector = inspect(connection)
        existing_tables = set(inspector.get_table_names())
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in existing_tables:
                continue
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present or column.primary_key:
                    continue
                kind = column.type.compile(dialect=connection.dialect)
                default = _default_sql(_model_default(models.get(table.name), column.name), connection)
                connection.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}{default}'))
                added.append(f"{table.name}.{column.name}")
    if added:
        log.info("added columns to an older store: %s", ", ".join(added))
    return added
