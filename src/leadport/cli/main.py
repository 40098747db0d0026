"""The `leadport` command: one Typer app, one module per command group, errors mapped here.

Exit status: 0 done (also when rows were rejected), 1 refused or failed, 2 usage error.
"""

from __future__ import annotations

import sys

import typer

from leadport.cli import (
    activity_cmds,
    admin_cmds,
    demo_cmd,
    history_cmds,
    import_cmd,
    lead_cmds,
    report_cmds,
    rollback_cmds,
    server_cmds,
)
from leadport.cli.common import err_console
from leadport.errors import LeadportError, UsageError

app = typer.Typer(
    name="leadport",
    help="Lead imports you can trust and undo.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
import_cmd.register(app)
admin_cmds.register(app)
lead_cmds.register(app)
history_cmds.register(app)
rollback_cmds.register(app)
activity_cmds.register(app)
report_cmds.register(app)
demo_cmd.register(app)
server_cmds.register(app)


def _fail(message: str, code: int) -> None:
    err_console.print(f"leadport: {message}", highlight=False, markup=False, soft_wrap=True)
    sys.exit(code)


def run() -> None:
    """Entry point: no traceback ever reaches the user. Typer parses in standalone mode, so its
    own usage errors print the usage and exit 2; every refusal of ours is one sentence here."""
    try:
        app(prog_name="leadport")
    except UsageError as exc:
        _fail(exc.message, 2)
    except LeadportError as exc:
        _fail(exc.message, 1)
    except KeyboardInterrupt:
        _fail("interrupted; nothing was written.", 1)
    except OSError as exc:
        _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc), 1)
    except Exception as exc:  # the last guard: one sentence, never a traceback
        _fail(f"unexpected error ({type(exc).__name__}): {exc}", 1)


if __name__ == "__main__":
    run()
