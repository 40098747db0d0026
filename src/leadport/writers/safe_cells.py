"""Formula-injection guard for files opened in spreadsheet programs.

A cell starting with =, +, -, @ (or tab/CR, which some programs also evaluate) gets a leading
single quote; leadport's own import removes that quote again, so a round trip is lossless.
"""

from __future__ import annotations

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: str) -> str:
    if value and value.startswith(DANGEROUS_STARTS):
        return "'" + value
    return value
