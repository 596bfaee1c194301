import sqlite3

import pytest

from feeds import database
from feeds.database import DatabaseError, connect, migrate, transaction


def test_first_use_creates_the_file_with_the_schema_in_wal_mode(tmp_path):
    path = tmp_path / "state" / "feeds.sqlite"
    db = connect(path)
    assert path.exists()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"subscribers", "editions", "edition_entries", "deliveries", "suppressions"} <= tables
    with transaction(db):
        db.execute("INSERT INTO subscribers (email, created_at, updated_at) "
                   "VALUES ('a@example.com', 'now', 'now')")
    db.close()
    again = connect(path)
    assert [r["email"] for r in again.execute("SELECT email FROM subscribers")] == ["a@example.com"]


def test_a_database_of_an_older_feeds_is_upgraded_keeping_its_rows(tmp_path, monkeypatch):
    path = tmp_path / "feeds.sqlite"
    with monkeypatch.context() as older:
        older.setattr(database, "MIGRATIONS", database.MIGRATIONS[:2])
        db = connect(path)
        db.execute("INSERT INTO subscribers (email, created_at, updated_at) "
                   "VALUES ('a@example.com', 'now', 'now')")
        db.close()
        assert not sqlite3.connect(path).execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'suppressions'").fetchone()
    db = connect(path)
    assert [r["email"] for r in db.execute("SELECT email FROM subscribers")] == ["a@example.com"]
    db.execute("INSERT INTO suppressions (email, reason, detail, created_at) "
               "VALUES ('a@example.com', 'hard-bounce', '', 'now')")


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "feeds.sqlite"
    connect(path).close()
    with monkeypatch.context() as broken:
        broken.setattr(database, "MIGRATIONS",
                       (*database.MIGRATIONS, ("CREATE TABLE half_done (x)", "THIS IS NOT SQL")))
        with pytest.raises(sqlite3.OperationalError):
            connect(path)
    assert not sqlite3.connect(path).execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'half_done'").fetchone()
    connect(path).close()  # this feeds still opens it
    with monkeypatch.context() as fixed:  # and the corrected migration runs in full
        fixed.setattr(database, "MIGRATIONS",
                      (*database.MIGRATIONS, ("CREATE TABLE half_done (x)",)))
        connect(path).execute("SELECT x FROM half_done")


def test_a_database_from_a_newer_feeds_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "feeds.sqlite"
    with monkeypatch.context() as newer:
        newer.setattr(database, "MIGRATIONS", (*database.MIGRATIONS, ("CREATE TABLE later (x)",)))
        connect(path).close()
    with pytest.raises(DatabaseError, match="newer than this feeds understands"):
        connect(path)


def test_migrate_twice_is_a_no_op(tmp_path):
    db = connect(tmp_path / "feeds.sqlite")
    schema = db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    assert migrate(db) == migrate(db)
    assert db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema


def test_transaction_rolls_back_when_the_block_raises(tmp_path):
    db = connect(tmp_path / "feeds.sqlite")
    with pytest.raises(RuntimeError), transaction(db):
        db.execute("INSERT INTO editions (id, created_at) VALUES ('x', 'now')")
        raise RuntimeError
    assert db.execute("SELECT count(*) FROM editions").fetchone()[0] == 0


def test_a_file_that_is_not_a_database_is_refused_not_replaced(tmp_path):
    path = tmp_path / "feeds.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match=r"damaged .* `feeds state backup`"):
        connect(path)
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_an_empty_database_file_is_refused_not_silently_made_again(tmp_path):
    path = tmp_path / "feeds.sqlite"
    path.write_bytes(b"")
    with pytest.raises(DatabaseError, match="empty or not an SQLite database"):
        connect(path)
    assert path.stat().st_size == 0


def _with_subscribers(path):
    db = connect(path)
    with transaction(db):
        db.executemany("INSERT INTO subscribers (email, created_at, updated_at) "
                       "VALUES (?, 'now', 'now')", [(f"r{i}@example.com",) for i in range(2000)])
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def test_a_truncated_database_is_refused(tmp_path):
    path = tmp_path / "feeds.sqlite"
    _with_subscribers(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DatabaseError, match="truncated"):
        connect(path)


def test_a_garbled_database_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "feeds.sqlite"
    _with_subscribers(path)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseError, match="damaged"):
        db = connect(path)
        db.execute("SELECT count(*) FROM subscribers").fetchone()


def test_first_use_says_that_the_database_was_made(tmp_path, caplog):
    caplog.set_level("INFO", logger="feeds.state")
    connect(tmp_path / "feeds.sqlite").close()
    assert "created the state database" in caplog.text
    caplog.clear()
    connect(tmp_path / "feeds.sqlite").close()
    assert "created" not in caplog.text


def test_backup_is_a_consistent_copy_made_while_the_database_is_open(tmp_path):
    path = tmp_path / "feeds.sqlite"
    _with_subscribers(path)
    writer = connect(path)
    with transaction(writer):
        writer.execute("INSERT INTO subscribers (email, created_at, updated_at) "
                       "VALUES ('late@example.com', 'now', 'now')")  # only in the WAL so far
    size = database.backup(path, tmp_path / "copies" / "backup.sqlite")
    copy = sqlite3.connect(tmp_path / "copies" / "backup.sqlite")
    assert copy.execute("SELECT count(*) FROM subscribers").fetchone()[0] == 2001
    assert size == (tmp_path / "copies" / "backup.sqlite").stat().st_size
    assert database.integrity(tmp_path / "copies" / "backup.sqlite") == []
    with pytest.raises(DatabaseError, match="the database itself"):
        database.backup(path, path)
