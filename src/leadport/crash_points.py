"""Named points where a test can freeze a running operation, to kill it there and check that
nothing was half-written. Inert unless LEADPORT_CRASH_POINT names the point."""

from __future__ import annotations

import os
import time
from pathlib import Path


def crash_point(name: str) -> None:
    """With LEADPORT_CRASH_POINT=name, touch LEADPORT_CRASH_MARKER and wait to be killed."""
    if os.environ.get("LEADPORT_CRASH_POINT") != name:
        return
    marker = os.environ.get("LEADPORT_CRASH_MARKER")
    if marker:
        Path(marker).write_text(str(os.getpid()))
    time.sleep(float(os.environ.get("LEADPORT_CRASH_WAIT", "120")))
