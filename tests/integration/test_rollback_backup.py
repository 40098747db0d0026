"""The rollback's backup CSV byte for byte, and a rollback whose backup fails part of the way."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from leadport.db import backup_rows, rollback_archive
from leadport.services import rollback_files
from tests.integration.rollback_helpers import add_activity, import_id, sql
from tests.integration.snapshots import snapshot

HEADER = (
    "\ufeffemail,linkedin_url,first_name,last_name,company_name,company_domain,job_title,phone,"
    "Industry,Notes,tags,leadport_campaign,leadport_status,leadport_lead_id,"
    "leadport_lead_deleted,leadport_sent,leadport_opened,leadport_clicked,leadport_replied,"
    "leadport_bounced,leadport_meeting_booked,leadport_unsubscribed\r\n"
)
# In membership order, then the deleted leads without one; {a}… are the leads' ids.
ROWS = (
    'a@x.com,,\'=SUM(A1),Smith,"Acme, Inc.",,,\'+15550100,Tech,"said ""hi""\nthen left",'
    '"\'-x, vip",C,scheduled,{a},yes,2,1,0,1,0,0,0\r\n'
    'b@x.com,,Bob,\'-Jones,\'@Corp,,,,,"\'=HYPERLINK(""x"")","\'-x, vip",C,scheduled,{b},yes,'
    "0,0,0,0,0,0,0\r\n"
    "kept@x.com,,Kim,Lee,,,,,,'@home,\"'-x, vip\",C,scheduled,{kept},no,0,0,0,0,0,1,0\r\n"
    'c@x.com,,Cy,,,,,,Retail,,"\'-x, vip",,,{c},yes,0,0,0,0,0,0,0\r\n'
)


def _import_with_everything(cli, database_url, write_csv) -> str:
    """An import whose backup has every kind of row and cell: leads it deletes and one it
    keeps (in another campaign), one it deletes without a membership, activity, tags,
    custom fields with quotes, commas, line breaks and formula characters."""
    cli("campaign", "create", "C")
    cli("campaign", "create", "D")
    cli("import", write_csv("Email,First Name\nkept@x.com,Kim\n", "kept.csv"), "--campaign", "D")
    path = write_csv(
        "Email,First Name,Last Name,Company,Phone,Notes,Industry\n"
        'a@x.com,=SUM(A1),Smith,"Acme, Inc.",+1 555 0100,"said ""hi""\nthen left",Tech\n'
        'b@x.com,Bob,-Jones,@Corp,,"=HYPERLINK(""x"")",\n'
        "kept@x.com,Kim,Lee,,,@home,\n"
        "c@x.com,Cy,,,,,Retail\n",
        "all.csv",
    )
    first = import_id(
        cli(
            "import",
            path,
            "--campaign",
            "C",
            "--policy",
            "campaign",
            "--tag",
            "-x",
            "--tag",
            "vip",
            "--json",
        )
    )
    add_activity(database_url, "a@x.com", "C", "sent", "sent", "replied", "opened")
    add_activity(database_url, "kept@x.com", "C", "meeting_booked")
    # c@x.com leaves the campaign but stays a lead the import created: deleted, no membership
    sql(
        database_url,
        "DELETE FROM campaign_leads WHERE lead_id = (SELECT id FROM leads WHERE email = 'c@x.com')",
    )
    return first


@pytest.mark.parametrize("chunk", [2, 5_000])
def test_the_backup_csv_is_exactly_the_removed_rows_in_order_whatever_the_chunk_size(
    cli, database_url, write_csv, monkeypatch, chunk
):
    monkeypatch.setattr(backup_rows, "CHUNK", chunk)
    first = _import_with_everything(cli, database_url, write_csv)
    ids = dict(sql(database_url, "SELECT email, id FROM leads"))

    done = cli("rollback", first, "--yes", "--json")

    assert done.exit_code == 0, done.stderr
    content = Path(done.json()["backup_file"]).read_bytes()
    expected = HEADER + ROWS.format(**{e.split("@")[0]: i for e, i in ids.items()})
    assert content.decode("utf-8") == expected
    stored = sql(database_url, "SELECT content FROM stored_files ORDER BY id DESC")
    assert gzip.decompress(bytes(stored[0][0])) == content


def _no_backup_files(tmp_path: Path) -> list[str]:
    folder = tmp_path / "data" / "backups"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_backup_failing_part_of_the_way_fails_the_rollback_and_leaves_no_trace(
    cli, database_url, write_csv, monkeypatch, tmp_path
):
    first = _import_with_everything(cli, database_url, write_csv)
    before = snapshot(database_url)
    monkeypatch.setattr(backup_rows, "CHUNK", 1)
    real = rollback_files.write_backup_csv

    def failing(out, names, chunks):
        def some():
            yield next(iter(chunks))
            raise OSError("No space left on device")

        return real(out, names, some())

    monkeypatch.setattr(rollback_files, "write_backup_csv", failing)

    failed = cli("rollback", first, "--yes", "--json")

    assert (failed.exit_code, failed.stderr) == (1, "leadport: No space left on device\n")
    assert snapshot(database_url) == before
    assert _no_backup_files(tmp_path) == []


def test_a_rollback_failing_while_its_backup_is_written_stops_it_and_leaves_no_trace(
    cli, database_url, write_csv, monkeypatch, tmp_path
):
    first = _import_with_everything(cli, database_url, write_csv)
    before = snapshot(database_url)
    monkeypatch.setattr(backup_rows, "CHUNK", 1)
    real = rollback_archive.delete_removed

    def failing(conn, import_id):
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr(rollback_archive, "delete_removed", failing)

    failed = cli("rollback", first, "--yes", "--json")

    assert failed.stderr == "leadport: unexpected error (RuntimeError): disk I/O error\n"
    assert snapshot(database_url) == before
    assert _no_backup_files(tmp_path) == []
    monkeypatch.setattr(rollback_archive, "delete_removed", real)
    again = cli("rollback", first, "--yes", "--json")
    assert again.exit_code == 0, again.stderr
