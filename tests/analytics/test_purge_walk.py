"""purge_old_data walks the interactions table in physical order, a window of pages per batch: over many pages,
old and recent rows interleaved, with or without planner statistics, it deletes every old interaction with its
children, keeps every recent one, and never takes more than `batch_size` interactions in one batch."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from analytics.services import purge_old_data
from bench import datagen
from interactions.models import ConversationMessage, Interaction


class _Conn:
    """The psycopg-style `execute` that bench.datagen expects, over the test's own connection."""

    def __init__(self, cursor):
        self.cursor = cursor

    def execute(self, sql, params=None):
        return self.cursor.execute(sql, params)


def _interleaved(chunks: int, old_per_chunk: int, recent_per_chunk: int) -> tuple[int, int]:
    """Old and recent interactions written in alternating runs, so they share the table's pages."""
    with connection.cursor() as cursor:
        conn = _Conn(cursor)
        for _ in range(chunks):
            datagen.interactions(conn, old_per_chunk, days_min=95, days_max=400)
            datagen.interactions(conn, recent_per_chunk, days_min=0, days_max=85)
        datagen.children(conn, messages=1, crm_share=0.0, ticket_share=0.0)
        cursor.execute("SELECT pg_relation_size('interactions') / current_setting('block_size')::int")
        pages = cursor.fetchone()[0]
    return chunks * old_per_chunk, pages


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE interactions")


@pytest.mark.django_db
@pytest.mark.parametrize("with_statistics", [True, False])
def test_every_old_interaction_on_every_page_goes_and_every_recent_one_stays(with_statistics):
    old, pages = _interleaved(chunks=8, old_per_chunk=120, recent_per_chunk=200)
    assert pages > 10  # the walk spans many windows
    if with_statistics:
        _analyze()
    recent = set(Interaction.objects.filter(created_at__gte=_cutoff()).values_list("pk", flat=True))

    report = purge_old_data(days=90, batch_size=50)

    assert set(Interaction.objects.values_list("pk", flat=True)) == recent
    assert report.interactions == old
    assert report.removed["conversation_messages"] == old
    assert ConversationMessage.objects.count() == len(recent)
    assert report.batches >= old // 50  # never more than batch_size interactions per batch


@pytest.mark.django_db
def test_old_rows_only_at_the_end_of_a_long_table_are_found():
    """Sparse old rows (the window grows over recent pages) and a dense old tail: all of them."""
    with connection.cursor() as cursor:
        conn = _Conn(cursor)
        datagen.interactions(conn, 3000, days_min=0, days_max=85)
        datagen.interactions(conn, 7, days_min=95, days_max=400)
    _analyze()

    report = purge_old_data(days=90, batch_size=2)

    assert report.interactions == 7 and report.batches == 4
    assert Interaction.objects.count() == 3000


def _cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=90)
