"""`python -m campus.cli.catalogue` subcommand (being written)."""

from __future__ import annotations

import argparse

HELP_KEY = "import"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of the subcommand."""


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError("catalogue import is being written")
