"""The hand-made JSON of the import's writes is the text the general encoder would give."""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine

from leadport.db.bulk import as_json, as_json_rows, as_json_values
from leadport.db.import_writes import LEAD_INSERT, new_lead_payload
from leadport.domain.lead_input import LeadBuilder

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
values = st.lists(st.none() | texts, max_size=15)


@given(values)
def test_array_items_are_what_the_encoder_writes(items: list[str | None]) -> None:
    assert "[[" + as_json_values(items) + "]]" == as_json_rows([items])
    assert json.loads("[" + as_json_values(items) + "]") == items


@given(st.dictionaries(texts, texts, max_size=5), st.lists(texts, max_size=5))
def test_flat_shapes_are_what_json_dumps_writes(custom: dict[str, str], tags: list[str]) -> None:
    dumps = {"ensure_ascii": False, "separators": (",", ":")}
    assert as_json(custom) == json.dumps(custom, **dumps)  # type: ignore[arg-type]
    assert as_json(tags) == json.dumps(tags, **dumps)  # type: ignore[arg-type]


def _engine(url: str) -> Engine:
    """An engine that is never connected: the payload depends on its dialect only."""
    return create_engine(url)


def _builder(conn: Engine) -> LeadBuilder:
    targets = ("email", "first_name", "linkedin_url", "custom:City", "tags")
    return LeadBuilder(
        targets,
        transforms=[],
        region=None,
        import_tags=["q4"],
        prepare=new_lead_payload(conn),
    )


def test_a_row_that_may_add_a_lead_carries_its_columns() -> None:
    lead = _builder(_engine("sqlite://")).build(2, [" Ann@Acme.com", "Ann", "", "Köln", "vip"])
    assert lead.prepared is not None
    columns = dict(zip(LEAD_INSERT[1:], lead.prepared, strict=True))  # type: ignore[call-overload]
    assert columns["email"] == "ann@acme.com"
    assert columns["first_name"] == "Ann"
    assert columns["linkedin_key"] is None
    assert json.loads(columns["custom_fields"]) == {"City": "Köln"}
    assert json.loads(columns["tags"]) == ["vip", "q4"]


def test_postgres_gets_the_same_columns_as_json_text() -> None:
    cells = ["ann@acme.com", "Ann", "linkedin.com/in/ann-x", "Köln", ""]
    on_sqlite = _builder(_engine("sqlite://")).build(2, cells).prepared
    on_postgres = _builder(_engine("postgresql+psycopg://")).build(2, cells).prepared
    assert isinstance(on_postgres, str)
    assert json.loads("[" + on_postgres + "]") == list(on_sqlite)  # type: ignore[call-overload]


def test_a_row_that_cannot_add_a_lead_carries_nothing() -> None:
    builder = _builder(_engine("sqlite://"))
    assert builder.build(2, ["", "Ann", "", "Köln", ""]).prepared is None  # no identifier
    assert builder.build(3, ["not-an-email", "Ann", "", "", ""]).prepared is None


class _Unchanged:
    def apply(self, record: dict[str, str]) -> dict[str, str]:
        return record


cell_texts = st.text(alphabet=st.sampled_from(list("ab '=+\x00 \t,;")), max_size=6)


@given(
    st.lists(
        st.sampled_from(["email", "first_name", "custom:City", "tags", "full_name", None]),
        min_size=1,
        max_size=6,
    ),
    st.lists(cell_texts, max_size=7),
)
@example(["email", "first_name"], ["a", " '=b"])  # an export's quote before a formula
@example(["email", "email"], ["", "\x00 b"])
def test_every_way_of_cleaning_a_row_gives_the_same_lead(
    targets: list[str | None], cells: list[str]
) -> None:
    """The builder's shortcut for plain rows, its loop, and the general path that transforms
    take (gather_record) agree on fields, custom fields and tags."""
    options = {"region": None, "import_tags": ["q4"], "full_name_field": "Full Name"}
    direct = LeadBuilder(tuple(targets), transforms=[], **options)  # type: ignore[arg-type]
    general = LeadBuilder(tuple(targets), transforms=[_Unchanged()], **options)  # type: ignore[arg-type]
    a, b = direct.build(2, list(cells)), general.build(2, list(cells))
    assert (a.fields, a.custom, a.tags) == (b.fields, b.custom, b.tags)
