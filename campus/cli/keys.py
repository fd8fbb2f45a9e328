"""Create API keys on the command line: python -m campus.cli.keys --role provider --provider hs_verwaltung_nord"""

from __future__ import annotations

import argparse
import sys

from campus.access.keys import ROLES, create_key
from campus.store.db import get_engine, session_scope
from campus.store.texts import text
from campus.tables import create_schema


def main() -> int:
    parser = argparse.ArgumentParser(description=text("cli.keys.description"))
    parser.add_argument("--role", choices=ROLES, required=True)
    parser.add_argument("--provider")
    parser.add_argument("--org")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    create_schema(get_engine())
    with session_scope() as session:
        plain, row = create_key(session, args.role, args.provider, args.org, args.label)
    print(text("cli.keys.created", role=row.role, id=row.id, api_key=plain))
    return 0


if __name__ == "__main__":
    sys.exit(main())
