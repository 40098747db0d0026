"""Exit statuses as scripts see them, from a real process: 2 for a usage error, never a traceback."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("import", "--bogus", "x.csv"), "No such option: --bogus"),
        (("campaign", "create"), "Missing argument"),
        (("import", "leads.csv", "--mode", "sometimes"), "Invalid value for '--mode'"),
    ],
)
def test_a_usage_error_exits_2_with_the_usage_and_no_traceback(
    cli_process, args: tuple[str, ...], says: str
) -> None:
    result = cli_process(*args)
    assert result.exit_code == 2
    assert says in result.stderr
    assert "Usage: leadport" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
