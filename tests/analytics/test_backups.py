"""backup_db / restore_db: a real pg_dump → pg_restore round trip, and clear refusals."""

import os
import stat
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from analytics.errors import ToolUnavailable
from analytics.services import restore_db
from analytics.services.backups import configured_params
from analytics.services.pg_tools import choose_tool, find_tool
from core.errors import Conflict, InvalidInput
from tests.api.factories import IdempotencyKeyFactory
from tests.crm.factories import CrmActionFactory, CustomerFactory
from tests.handoff.factories import HandoffTicketFactory
from tests.interactions.factories import ConversationMessageFactory

SYSTEM_PG15_DUMP = Path("/usr/lib/postgresql/15/bin/pg_dump")


def url_of(dbname: str) -> str:
    settings = connection.settings_dict
    credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    host = settings["HOST"]
    location = f"/{host}" if host.startswith("/") else f"{host}:{settings['PORT'] or 5432}"
    return f"postgres://{credentials}@{location}/{dbname}"


def row_counts(dbname: str) -> dict[str, int]:
    params = {**configured_params(), "dbname": dbname}
    with psycopg.connect(**params) as conn:
        tables = [row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


@pytest.fixture
def scratch_database(transactional_db):
    """An empty database next to the test database (named after it: parallel runs never share one), dropped
    afterwards."""
    scratch = f"{connection.settings_dict['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    yield scratch
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_reproduces_every_table(scratch_database, tmp_path, capsys):
    ConversationMessageFactory.create_batch(3)
    CrmActionFactory.create_batch(2)
    HandoffTicketFactory()
    CustomerFactory.create_batch(4)
    archive = tmp_path / "callbot.dump"

    call_command("backup_db", str(archive))
    call_command("restore_db", str(archive), "--target-url", url_of(scratch_database))

    out = capsys.readouterr().out
    assert f"Backup written: {archive}" in out
    assert f"Restored {archive} into {scratch_database}" in out
    original = row_counts(connection.settings_dict["NAME"])
    assert original["conversation_messages"] == 3 and original["customers"] == 4
    assert row_counts(scratch_database) == original


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    archive = tmp_path / "callbot.dump"
    call_command("backup_db", str(archive))

    with pytest.raises(Conflict, match=r"is not empty \(\d+ tables\)"):
        restore_db(path=archive)


def test_restore_refuses_a_file_that_is_not_an_archive(scratch_database, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a dump")

    with pytest.raises(InvalidInput, match="is not a pg_dump custom-format archive"):
        restore_db(path=junk, target_url=url_of(scratch_database))


def test_restore_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist or is not a file"):
        call_command("restore_db", str(tmp_path / "missing.dump"))


def test_restore_refuses_a_malformed_target_url(db, tmp_path):
    archive = tmp_path / "a.dump"
    archive.write_bytes(b"x")
    with pytest.raises(CommandError, match="Give a postgres:// URL"):
        call_command("restore_db", str(archive), "--target-url", "mysql://u@h/db")


def test_backup_never_overwrites_a_file(db, tmp_path):
    existing = tmp_path / "existing.dump"
    existing.write_text("keep me")

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup_db", str(existing))
    assert existing.read_text() == "keep me"


def test_backup_refuses_a_missing_directory(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("backup_db", str(tmp_path / "no" / "such" / "dir.dump"))


@pytest.mark.skipif(not SYSTEM_PG15_DUMP.exists(), reason="needs the system PostgreSQL 15 client")
def test_an_older_pg_dump_is_refused_with_a_clear_message():
    with pytest.raises(ToolUnavailable) as refused:
        choose_tool("pg_dump", 16, [SYSTEM_PG15_DUMP])

    assert str(refused.value).startswith(f"No pg_dump for PostgreSQL 16: found only {SYSTEM_PG15_DUMP} (version 15).")
    assert "refuses a server newer than itself" in str(refused.value)


def test_a_missing_tool_says_how_to_install_it():
    with pytest.raises(ToolUnavailable, match="pg_dump not found. Install the PostgreSQL 16 client programs"):
        choose_tool("pg_dump", 16, [])


def test_the_chosen_pg_dump_matches_the_server(db):
    server_major = connection.pg_version // 10000

    assert find_tool("pg_dump", server_major).major == server_major


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.django_db(transaction=True)
def test_a_dump_holds_no_sessions_nor_stored_responses_and_still_restores(scratch_database, tmp_path):
    session = SessionStore()
    session["_auth_user_id"] = "1"
    session.set_expiry(timedelta(hours=1))
    session.create()
    IdempotencyKeyFactory(response_body=b'{"message_text": "I live at 3 rue Haute"}')
    CustomerFactory.create_batch(2)
    archive = tmp_path / "callbot.dump"

    call_command("backup_db", str(archive))
    restore_db(path=archive, target_url=url_of(scratch_database))

    original = row_counts(connection.settings_dict["NAME"])
    assert original["django_session"] == 1 and original["api_idempotency_keys"] == 1
    # The tables are restored empty (structure kept); every other table, tokens included, keeps its rows.
    assert row_counts(scratch_database) == {**original, "django_session": 0, "api_idempotency_keys": 0}


@pytest.mark.django_db(transaction=True)
def test_the_backup_directory_is_private_and_the_dump_readable_by_its_owner_only(tmp_path):
    backup_dir = tmp_path / "backups"

    with override_settings(BACKUP_DIR=backup_dir):
        call_command("backup_db")

    [archive] = backup_dir.iterdir()
    assert mode_of(backup_dir) == 0o700
    assert mode_of(archive) == 0o600


@pytest.mark.django_db(transaction=True)
def test_an_existing_backup_dir_is_tightened_and_a_dump_elsewhere_is_0600(tmp_path):
    backup_dir = tmp_path / "backups"
    backup_dir.mkdir(mode=0o755)
    backup_dir.chmod(0o755)
    elsewhere = tmp_path / "elsewhere.dump"

    with override_settings(BACKUP_DIR=backup_dir):
        call_command("backup_db")
        call_command("backup_db", str(elsewhere))

    assert mode_of(backup_dir) == 0o700
    assert mode_of(next(backup_dir.iterdir())) == 0o600
    assert mode_of(elsewhere) == 0o600


def test_a_symlink_at_the_partial_path_is_refused_and_never_followed(db, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    archive = tmp_path / "callbot.dump"
    partial = tmp_path / "callbot.dump.partial"
    partial.symlink_to(victim)

    with pytest.raises(CommandError, match=r"callbot\.dump\.partial already exists"):
        call_command("backup_db", str(archive))

    assert victim.read_text() == "keep me"
    assert partial.is_symlink() and os.readlink(partial) == str(victim)
    assert not archive.exists()


def test_a_leftover_partial_file_is_refused_and_kept(db, tmp_path):
    archive = tmp_path / "callbot.dump"
    partial = tmp_path / "callbot.dump.partial"
    partial.write_text("someone else's")

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup_db", str(archive))

    assert partial.read_text() == "someone else's"
    assert not archive.exists()
