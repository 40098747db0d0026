"""PostgreSQL look-ups are planned for the table as it is, at every run.

psycopg prepares a statement after five runs, and the server may then keep one generic plan for
it. An import's look-ups run thousands of times while the leads table grows from nothing, so a
plan kept from its first batches (with the values a parameter, not an array it can hash) read
the table ever more slowly. The look-ups must never become prepared statements, and must still
find exactly the leads the rows hold.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from leadport.bootstrap import build
from leadport.config import Settings
from leadport.db import lead_lookups as q

pytestmark = pytest.mark.postgres


def _seeded(url: str, tmp_path: Path, leads: int) -> None:
    """A workspace (id 1) with `leads` leads named pN."""
    build(Settings(database_url=url, data_dir=tmp_path / "data", secret_key="k")).engine.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO leads (workspace_id, email, linkedin_key, name_key, created_at,"
            " updated_at) SELECT 1, 'p' || i || '@x.com', 'in/p' || i, 'p|' || i || '|x.com',"
            " now(), now() FROM generate_series(1, %s) AS i",
            (leads,),
        )
    engine.dispose()


def test_look_ups_run_many_times_are_never_prepared(postgres_url, tmp_path):
    _seeded(postgres_url, tmp_path, 50)
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        for i in range(1, 13):  # more than psycopg's five runs before it prepares
            assert list(q.leads_by(conn, 1, "email", [f"p{i}@x.com", "nobody@x.com"])) == [
                f"p{i}@x.com"
            ]
            assert list(q.leads_by(conn, 1, "linkedin_key", [f"in/p{i}"])) == [f"in/p{i}"]
            assert list(q.leads_with_name_keys(conn, 1, [f"p|{i}|x.com"])) == [f"p|{i}|x.com"]
            assert q.memberships_of(conn, [i]) == {}
        prepared = conn.exec_driver_sql(
            "SELECT statement FROM pg_prepared_statements WHERE strpos(statement, 'ANY(') > 0"
        ).all()
    engine.dispose()
    assert prepared == []


def test_the_look_ups_find_what_the_rows_hold(postgres_url, tmp_path):
    _seeded(postgres_url, tmp_path, 3000)
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        by_email = q.leads_by(conn, 1, "email", ["p7@x.com", "nobody@x.com", "p7@x.com"])
        by_linkedin = q.leads_by(conn, 1, "linkedin_key", ["in/p9", "in/none"])
        names = q.leads_with_name_keys(conn, 1, ["p|5|x.com", "p|none|x.com"])
        elsewhere = q.leads_by(conn, 2, "email", ["p7@x.com"])
        nothing = q.leads_by(conn, 1, "email", [])
    engine.dispose()
    assert list(by_email) == ["p7@x.com"]
    assert by_email["p7@x.com"].linkedin_key == "in/p7"
    assert list(by_linkedin) == ["in/p9"]
    assert by_linkedin["in/p9"].fields["email"] == "p9@x.com"
    assert names == {"p|5|x.com": by_email["p7@x.com"].id - 2}
    assert elsewhere == {}
    assert nothing == {}
