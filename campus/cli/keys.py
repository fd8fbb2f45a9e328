"""Create API keys: python -m campus.cli.keys --role provider --provider hs_verwaltung_nord"""

from __future__ import annotations

import argparse
import sys

from campus.access.keys import ROLES, create_key
from campus.store.db import session_scope


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", choices=ROLES, required=True)
    parser.add_argument("--provider")
    parser.add_argument("--org")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    with session_scope() as session:
        plain, row = create_key(session, args.role, args.provider, args.org, args.label)
    print(f"API-Schlüssel ({row.role}, id {row.id}) – wird nur jetzt angezeigt:\n{plain}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
