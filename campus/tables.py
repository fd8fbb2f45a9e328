"""Every table of the platform, on the one shared metadata: the schema as a whole.

Each domain defines its own tables (``<domain>/models.py``); this module
gathers them so that whatever needs the complete schema gets it regardless
of which domains a process happened to import: creating the schema, and
erasing a learner everywhere (``campus.learners.privacy`` walks every table
with a ``learner_id`` or ``address_hash`` column).
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from campus.access import models as access_models
from campus.catalogue import models as catalogue_models
from campus.channels import models as channels_models
from campus.hr import models as hr_models
from campus.learners import models as learners_models
from campus.store import base as store_models
from campus.store.added_columns import add_missing_columns

DOMAIN_MODELS = (store_models, access_models, catalogue_models, learners_models, channels_models, hr_models)


def create_schema(engine: Engine) -> None:
    """Create the tables that do not exist yet and add the columns an older store lacks (idempotent)."""
    SQLModel.metadata.create_all(engine)
    add_missing_columns(engine)
