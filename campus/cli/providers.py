"""Providers on the command line, like ``/api/admin/providers``:

    python -m campus.cli.providers add --id kvhs_nord --name "Kreisvolkshochschule Nord" --contact kurse@example.org
    python -m campus.cli.providers update kvhs_nord --region Niedersachsen
    python -m campus.cli.providers list
    python -m campus.cli.providers key kvhs_nord --label "Katalog-Export"

``add`` prints the provider's first API key once (``--no-key`` for none).
"""

from __future__ import annotations

import argparse
import sys

from campus.catalogue.providers import (
    PROVIDER_KINDS,
    ProviderIn,
    ProviderUpdate,
    issue_provider_key,
    list_providers,
    register_provider,
    update_provider,
)
from campus.cli.admin_support import run_action
from campus.store.db import session_scope
from campus.store.texts import text

T = "admin.cli.providers"


def _add(args: argparse.Namespace) -> int:
    data = ProviderIn.model_validate({"id": args.id, "name": args.name, "kind": args.kind, "contact": args.contact,
                                      "region": args.region, "issue_key": not args.no_key, "key_label": args.label})
    with session_scope() as session:
        row, plain = register_provider(session, data)
        print(text(f"{T}.created", id=row.id, name=row.name))
    if plain:
        print(text(f"{T}.key_created", id=data.id, api_key=plain))
    return 0


def _update(args: argparse.Namespace) -> int:
    given = {name: getattr(args, name) for name in ("name", "kind", "contact", "region")
             if getattr(args, name) is not None}
    data = ProviderUpdate.model_validate(given)
    with session_scope() as session:
        update_provider(session, args.id, data)
    print(text(f"{T}.updated", id=args.id))
    return 0


def _list(args: argparse.Namespace) -> int:
    with session_scope() as session:
        for row in list_providers(session):
            print(text(f"{T}.line", id=row.id, kind=row.kind, name=row.name, contact=row.contact or "–"))
    return 0


def _key(args: argparse.Namespace) -> int:
    with session_scope() as session:
        plain, _ = issue_provider_key(session, args.id, args.label)
    print(text(f"{T}.key_created", id=args.id, api_key=plain))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m campus.cli.providers", description=text(f"{T}.description"))
    commands = root.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help=text(f"{T}.add"))
    add.add_argument("--id", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--contact", required=True)
    add.add_argument("--kind", choices=PROVIDER_KINDS, default="other")
    add.add_argument("--region")
    add.add_argument("--label", default="")
    add.add_argument("--no-key", action="store_true")
    add.set_defaults(action=_add)
    update = commands.add_parser("update", help=text(f"{T}.update"))
    update.add_argument("id")
    update.add_argument("--name")
    update.add_argument("--contact")
    update.add_argument("--kind", choices=PROVIDER_KINDS)
    update.add_argument("--region")
    update.set_defaults(action=_update)
    commands.add_parser("list", help=text(f"{T}.list")).set_defaults(action=_list)
    key = commands.add_parser("key", help=text(f"{T}.key"))
    key.add_argument("id")
    key.add_argument("--label", default="")
    key.set_defaults(action=_key)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return run_action(lambda: int(args.action(args)))


if __name__ == "__main__":
    sys.exit(main())
