"""What every CLI command shares: the app, the acting member, output helpers."""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from typing import Any

import typer
from rich.console import Console

from leadport.bootstrap import App, build
from leadport.db.engine import read_transaction
from leadport.services import directory

err_console = Console(stderr=True)

WorkspaceOpt = typer.Option(
    None, "--workspace", help="Workspace name (may be left out when there is one)."
)
AsOpt = typer.Option(None, "--as", help="Act as this member (default: the local admin).")
JsonOpt = typer.Option(False, "--json", help="Print the machine-readable JSON of the contract.")


@lru_cache(maxsize=1)
def app_() -> App:
    return build()


def resolve(
    workspace: str | None, as_email: str | None = None
) -> tuple[directory.Workspace, directory.Member]:
    with read_transaction(app_().engine) as conn:
        ws = directory.find_workspace(conn, workspace)
        member = directory.find_member(conn, ws.id, as_email)
    return ws, member


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def say(message: str) -> None:
    """Human output on stdout."""
    Console().print(message, highlight=False, markup=False)
