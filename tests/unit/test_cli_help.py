"""Every CLI command explains itself (`--help`) and is shown in the README."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from leadport.cli.main import app

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Typer carries its own copy of click: a group is whatever has sub-commands."""
    for name, command in group.commands.items():
        path = (*prefix, name)
        if hasattr(command, "commands"):
            yield from _commands(command, path)
        else:
            yield path


COMMANDS = sorted(_commands(typer.main.get_group(app)))


def test_the_cli_has_the_commands_of_the_contract() -> None:
    contract = {
        ("workspace", "create"), ("member", "add"), ("campaign", "create"), ("import",),
        ("lead", "status"), ("lead", "show"), ("lead", "delete"), ("deleted", "clean"),
        ("activity", "add"), ("activity", "import"), ("dnc", "add"), ("imports", "list"),
        ("rollback",), ("restore",), ("stats",), ("export", "leads"), ("apikey", "create"),
        ("serve",), ("worker",),
    }  # fmt: skip
    assert contract <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command = typer.main.get_group(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert (command.help or "").strip(), f"leadport {' '.join(path)} has no help text"


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_is_shown_in_the_readme(path: tuple[str, ...]) -> None:
    assert f"leadport {' '.join(path)}" in README
