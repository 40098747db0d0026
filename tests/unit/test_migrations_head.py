"""`leadport.db.migrate.HEAD` is the newest migration, and a database at it opens without Alembic."""

from __future__ import annotations

import subprocess
import sys

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from leadport.db.migrate import HEAD, alembic_config, is_current, upgrade


def test_head_is_the_newest_migration():
    engine = create_engine("sqlite://")
    assert ScriptDirectory.from_config(alembic_config(engine)).get_current_head() == HEAD


def test_a_new_database_is_migrated_then_current(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert not is_current(engine)
    upgrade(engine)
    assert is_current(engine)
    engine.dispose()


def test_a_current_database_opens_without_loading_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    opens = (
        "import sys; from leadport.bootstrap import build; from leadport.config import Settings; "
        f"build(Settings(database_url={url!r}, data_dir={str(tmp_path)!r}, secret_key='k')); "
        "print('alembic' in sys.modules)"
    )
    first = subprocess.run([sys.executable, "-c", opens], capture_output=True, text=True)
    second = subprocess.run([sys.executable, "-c", opens], capture_output=True, text=True)
    assert (first.stdout.strip(), second.stdout.strip()) == ("True", "False"), first.stderr
