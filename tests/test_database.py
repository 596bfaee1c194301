import sqlite3

import pytest

from feeds import database
from feeds.database import DatabaseError, connect, migrate, transaction


def test_first_use_creates_the_file_with_the_latest_schema_in_wal_mode(tmp_path):
    path = tmp_path / "state" / "feeds.sqlite"
    db = connect(path)
    assert path.exists()
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(database.MIGRATIONS)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"subscribers", "editions", "edition_entries", "deliveries"} <= tables
    db.close()
    assert connect(path).execute("PRAGMA user_version").fetchone()[0] == len(database.MIGRATIONS)


def test_a_failing_migration_leaves_the_previous_version_intact(tmp_path, monkeypatch):
    path = tmp_path / "feeds.sqlite"
    connect(path).close()
    broken = (("CREATE TABLE half_done (x)", "THIS IS NOT SQL"),)
    monkeypatch.setattr(database, "MIGRATIONS", database.MIGRATIONS + broken)
    with pytest.raises(sqlite3.OperationalError):
        connect(path)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(database.MIGRATIONS) - 1
    assert not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'half_done'").fetchone()


def test_a_database_from_a_newer_feeds_is_refused(tmp_path):
    path = tmp_path / "feeds.sqlite"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {len(database.MIGRATIONS) + 1}")
    raw.close()
    with pytest.raises(DatabaseError, match="newer than this feeds understands"):
        connect(path)


def test_migrate_twice_is_a_no_op(tmp_path):
    db = connect(tmp_path / "feeds.sqlite")
    assert migrate(db) == len(database.MIGRATIONS)


def test_transaction_rolls_back_when_the_block_raises(tmp_path):
    db = connect(tmp_path / "feeds.sqlite")
    with pytest.raises(RuntimeError), transaction(db):
        db.execute("INSERT INTO editions (id, created_at) VALUES ('x', 'now')")
        raise RuntimeError
    assert db.execute("SELECT count(*) FROM editions").fetchone()[0] == 0


def test_a_file_that_is_not_a_database_is_reported(tmp_path):
    path = tmp_path / "feeds.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match="cannot open the state database"):
        connect(path)
