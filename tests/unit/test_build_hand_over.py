"""Rows built in a forked child reach the deciding process exactly as they were built there."""

from __future__ import annotations

from typing import Any

import pytest

from leadport.db.import_writes import _lead_json, _lead_values
from leadport.domain.lead_input import LeadBuilder, LeadInput
from leadport.readers.base import Progress, RawRow
from leadport.services.build_process import SentLead, build_in_child, build_in_process

TARGETS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "linkedin_url",
    "company_name",
    "tags",
    "custom:Colour",
    None,
)

RECORDS = [
    ["Ann", "Lee", " ANN@Acme.com ", "+44 20 7946 0000", "", "Acme", "a;b", "red", "x"],
    ["Unit", "Sep", "sep@x.org", "", "", "", "", "blue\x1fgreen", ""],  # the separator in a cell
    ["Li", "Only", "", "", "https://linkedin.com/in/li-1/", "", "vip", "", ""],
    ["Bad", "Mail", "not-an-email", "", "", "", "", "", ""],
    ["No", "Identifier", "", "", "", "Nobody Inc", "", "", ""],
    ["Odd", "Phone", "odd@x.org", "call me", "https://example.com/p/1", "", "", "", ""],
    ["Zoë", "Ünal", "zoe@exämple.com", "0049 30 1234567", "", "Ünal GmbH", "", "", ""],
    ["Short", "Row", "short@x.org"],  # ragged: fewer cells than columns
    ["", "", "", "", "", "", "", "", ""],
    ["Late", "Quote", "'=late@x.org", "", "", "", "", "", ""],
]
ATTRIBUTES = [
    "row",
    "cells",
    "fields",
    "custom",
    "tags",
    "email_present",
    "email_valid",
    "linkedin_key",
    "name_key",
    "warnings",
    "error",
    "email",
    "keys",
    "prepared",
]


def raw_rows() -> list[RawRow]:
    rows = [RawRow(row=i + 2, cells=list(cells)) for i, cells in enumerate(RECORDS)]
    rows.append(RawRow(row=len(rows) + 2, cells=["broken"], error="unterminated quote"))
    return rows


def as_plain(lead: LeadInput) -> dict[str, Any]:
    return {name: getattr(lead, name) for name in ATTRIBUTES}


@pytest.mark.parametrize("prepare", [_lead_values, _lead_json], ids=["sqlite", "postgresql"])
@pytest.mark.parametrize("rebuildable", [True, False], ids=["slim", "whole"])
def test_the_deciding_process_sees_every_row_as_built(prepare: Any, rebuildable: bool) -> None:
    builder = LeadBuilder(
        TARGETS, transforms=[], region="GB", import_tags=["fair"], prepare=prepare
    )
    expected = [
        as_plain(lead)
        for batch in build_in_process(iter(raw_rows()), builder.build, 3)
        for lead in batch
    ]
    received = [
        lead
        for batch in build_in_child(
            iter(raw_rows()), builder.build, 3, Progress(), rebuildable=rebuildable
        )
        for lead in batch
    ]
    assert [as_plain(lead) for lead in received] == expected
    # Field order shows in reports (the changes of a modified lead): kept as built.
    assert [list(lead.fields) for lead in received] == [list(e["fields"]) for e in expected]
    slim = [lead.row for lead in received if isinstance(lead, SentLead)]
    if rebuildable:
        assert slim == [e["row"] for e in expected if e["prepared"] is not None]
        assert len(slim) >= 6
    else:
        assert slim == []


def test_a_slim_row_builds_its_values_only_when_asked() -> None:
    calls: list[int] = []
    builder = LeadBuilder(TARGETS, transforms=[], region=None, import_tags=[], prepare=_lead_values)

    def counting_build(row: int, cells: list[str]) -> LeadInput:
        calls.append(row)
        return builder.build(row, cells)

    (batch,) = build_in_child(
        iter(raw_rows()[:2]), counting_build, 10, Progress(), rebuildable=True
    )
    built_in_child = len(calls)
    first, second = batch
    assert isinstance(first, SentLead)
    assert first.keys == ("e:ann@acme.com",)
    assert first.prepared is not None
    assert second.cells[7] == "blue\x1fgreen"
    assert len(calls) == built_in_child  # nothing built again yet
    assert first.fields["email"] == "ann@acme.com"
    assert first.tags == ["a", "b"]
    assert len(calls) == built_in_child + 1  # once for all three
