"""The catalogue from the command line (a stable interface, also used to check the platform from outside).

    python -m campus.cli.catalogue import-feed PATH_OR_URL --provider ID [--dry-run] [--json]
    python -m campus.cli.catalogue search --stdin --json
    python -m campus.cli.catalogue export-moochub

Each subcommand lives in its own module (``catalogue_<name>``) with ``add_arguments`` and ``run``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from types import ModuleType

from campus.cli import catalogue_export, catalogue_import, catalogue_search
from campus.store.texts import text

SUBCOMMANDS: dict[str, ModuleType] = {
    "import-feed": catalogue_import,
    "search": catalogue_search,
    "export-moochub": catalogue_export,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m campus.cli.catalogue",
                                     description=text("cli.catalogue.description"))
    commands = parser.add_subparsers(dest="command", required=True)
    for name, module in SUBCOMMANDS.items():
        module.add_arguments(commands.add_parser(name, help=text(f"cli.catalogue.{module.HELP_KEY}")))
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = SUBCOMMANDS[args.command].run
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
