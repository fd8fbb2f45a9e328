"""Organisations on the command line, like ``/api/admin/organisations``:

    python -m campus.cli.organisations add --id testdorf --name "Gemeinde Testdorf" --kind municipality --member \\
        --synonym "Testdorf" --budget 800
    python -m campus.cli.organisations update testdorf --no-member --no-budget
    python -m campus.cli.organisations list

Register an organisation before issuing its HR key (``--org`` names its id).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from campus.cli.admin_support import run_action
from campus.hr.organisations import (
    ORGANISATION_KINDS,
    OrganisationIn,
    OrganisationUpdate,
    list_organisations,
    register_organisation,
    update_organisation,
)
from campus.store.db import session_scope
from campus.store.texts import text
from campus.store.wording import euro

T = "admin.cli.organisations"


def _add(args: argparse.Namespace) -> int:
    data = OrganisationIn.model_validate({
        "id": args.id, "name": args.name, "kind": args.kind, "region": args.region, "member": args.member,
        "synonyms": args.synonym or [], "yearly_budget_eur": args.budget})
    with session_scope() as session:
        row = register_organisation(session, data)
        print(text(f"{T}.created", id=row.id, name=row.name))
    return 0


def _update(args: argparse.Namespace) -> int:
    given: dict[str, Any] = {name: getattr(args, name) for name in ("name", "kind", "region", "member")
                             if getattr(args, name) is not None}
    if args.synonym is not None:
        given["synonyms"] = args.synonym
    if args.budget is not None:
        given["yearly_budget_eur"] = args.budget
    if args.no_budget:
        given["yearly_budget_eur"] = None
    data = OrganisationUpdate.model_validate(given)
    with session_scope() as session:
        update_organisation(session, args.id, data)
    print(text(f"{T}.updated", id=args.id))
    return 0


def _list(args: argparse.Namespace) -> int:
    with session_scope() as session:
        for row in list_organisations(session):
            budget = (text(f"{T}.budget", amount=euro(row.yearly_budget_eur)) if row.yearly_budget_eur is not None
                      else text(f"{T}.no_budget"))
            print(text(f"{T}.line", id=row.id, kind=row.kind, name=row.name, budget=budget,
                       member=text(f"{T}.member") if row.member else text(f"{T}.not_member")))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m campus.cli.organisations", description=text(f"{T}.description"))
    commands = root.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help=text(f"{T}.add"))
    add.add_argument("--id", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--kind", choices=ORGANISATION_KINDS, default="municipality")
    add.add_argument("--region")
    add.add_argument("--member", action="store_true")
    add.add_argument("--synonym", action="append")
    add.add_argument("--budget", type=float)
    add.set_defaults(action=_add)
    update = commands.add_parser("update", help=text(f"{T}.update"))
    update.add_argument("id")
    update.add_argument("--name")
    update.add_argument("--kind", choices=ORGANISATION_KINDS)
    update.add_argument("--region")
    update.add_argument("--member", action=argparse.BooleanOptionalAction, default=None)
    update.add_argument("--synonym", action="append")
    update.add_argument("--budget", type=float)
    update.add_argument("--no-budget", action="store_true")
    update.set_defaults(action=_update)
    commands.add_parser("list", help=text(f"{T}.list")).set_defaults(action=_list)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return run_action(lambda: int(args.action(args)))


if __name__ == "__main__":
    sys.exit(main())
