"""The `workers` fixture: real workers on the test database, with the job tables emptied around each test."""

import pytest
from django.db import connection

from tests.jobs.workers import JOB_TABLES, Workers


def _empty_job_tables() -> None:
    # Unmanaged tables: the flush after a transactional test leaves them as they are.
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {JOB_TABLES} RESTART IDENTITY CASCADE")


@pytest.fixture
def workers(transactional_db, tmp_path):
    _empty_job_tables()
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
        _empty_job_tables()
