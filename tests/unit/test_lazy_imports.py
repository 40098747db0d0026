"""Libraries a command may not need are imported when first used, not at every start."""

from __future__ import annotations

import subprocess
import sys

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from leadport.writers.lead_export import XLSX_ILLEGAL


def test_the_xlsx_cell_check_is_openpyxls():
    assert XLSX_ILLEGAL.pattern == ILLEGAL_CHARACTERS_RE.pattern


def test_the_cli_starts_without_openpyxl_tldextract_or_alembic():
    code = (
        "import sys, leadport.cli.main; "
        "print(sorted(m for m in ('openpyxl', 'tldextract', 'alembic') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr
