"""API tokens: stored as digests only, shown once, expiring, rotated with a grace period, revocable,
ended by a password change, last use noted without a write per request; old DRF tokens imported."""

import importlib
import subprocess
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.authentication import ApiTokenAuthentication
from accounts.models import ApiToken
from accounts.services import create_api_client, create_api_token, revoke_api_tokens
from accounts.tokens import digest_of
from analytics.services.pg_tools import find_tool, libpq_environment, libpq_params
from core.errors import Conflict, NotFound
from tests.accounts.factories import ApiTokenFactory
from tests.accounts.two_factor_factories import force_login
from tests.api.factories import BotFactory
from tests.handoff.factories import AgentFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/interactions/"


@pytest.fixture
def bot(db):
    return BotFactory(username="tool-router")


def _get(secret: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client.get(URL)


def _text_values(table: str) -> list[str]:
    """Every value of every text column of the table (what a `pg_restore --data-only -t` shows)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
            " AND data_type IN ('character varying', 'text', 'character')",
            [table],
        )
        columns = [row[0] for row in cursor.fetchall()]
        quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
        cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
        return [value for row in cursor.fetchall() for value in row if value]


def _shift(token: ApiToken, **fields) -> None:
    ApiToken.objects.filter(pk=token.pk).update(**fields)


def test_only_a_digest_is_stored_and_the_token_works():
    _, secret = create_api_client(name="tool-router")
    token = ApiToken.objects.get(user__username="tool-router")
    assert token.digest == digest_of(secret) and len(secret) == 64
    values = _text_values(ApiToken._meta.db_table)
    assert values and not any(secret in value for value in values)
    assert _get(secret).status_code == 200


def test_the_token_is_shown_once_a_rerun_refuses_and_rotate_issues_another():
    _, secret = create_api_client(name="tool-router")
    with pytest.raises(Conflict, match="--rotate"):
        create_api_client(name="tool-router")
    _, rotated = create_api_client(name="tool-router", rotate_token=True)
    assert rotated != secret
    assert {t.digest for t in ApiToken.objects.all()} == {digest_of(secret), digest_of(rotated)}


def test_an_expired_token_is_refused_with_the_usual_401():
    token = ApiTokenFactory(secret="a" * 64)
    assert _get("a" * 64).status_code == 200
    _shift(token, expires_at=timezone.now() - timedelta(seconds=1))
    response = _get("a" * 64)
    assert response.status_code == 401
    assert response.json()["type"] == "authentication_failed" and "expired" in response.json()["detail"].lower()
    assert response["WWW-Authenticate"] == "Token"


@override_settings(API_TOKEN_TTL_DAYS=30)
def test_expiry_follows_the_setting_and_zero_means_never():
    _, secret = create_api_client(name="tool-router")
    token = ApiToken.objects.get(digest=digest_of(secret))
    assert timedelta(days=29, hours=23) < token.expires_at - token.created_at <= timedelta(days=30)
    with override_settings(API_TOKEN_TTL_DAYS=0):
        _, forever = create_api_client(name="tool-router", rotate_token=True)
    assert ApiToken.objects.get(digest=digest_of(forever)).expires_at is None


@override_settings(API_TOKEN_ROTATION_GRACE=timedelta(hours=24))
def test_rotation_keeps_the_old_token_valid_until_the_grace_period_ends():
    _, old = create_api_client(name="tool-router")
    _, new = create_api_client(name="tool-router", rotate_token=True)
    assert _get(old).status_code == 200 and _get(new).status_code == 200  # two valid tokens meanwhile
    old_row = ApiToken.objects.get(digest=digest_of(old))
    assert timedelta(hours=23) < old_row.expires_at - timezone.now() <= timedelta(hours=24)
    # The grace period ends: shift the old token's dates a day back instead of waiting.
    day = timedelta(days=1)
    _shift(old_row, created_at=old_row.created_at - day, expires_at=old_row.expires_at - day)
    assert _get(old).status_code == 401
    assert _get(new).status_code == 200


def test_rotation_never_lengthens_a_token_that_ends_sooner_than_the_grace():
    soon = timezone.now() + timedelta(minutes=5)
    bot = BotFactory(username="tool-router")
    token = ApiTokenFactory(user=bot, expires_at=soon)
    create_api_client(name="tool-router", rotate_token=True)
    token.refresh_from_db()
    assert token.expires_at == soon


def test_a_revoked_token_is_refused_at_once(bot):
    token = ApiTokenFactory(user=bot, secret="b" * 64)
    assert _get("b" * 64).status_code == 200
    assert revoke_api_tokens(token_ids=[token.pk]) == 1
    assert _get("b" * 64).status_code == 401
    assert revoke_api_tokens(token_ids=[token.pk]) == 0  # already revoked: its date stays


def test_a_password_change_ends_the_persons_tokens(agent):
    _, secret = create_api_token(username="alice")
    assert _get(secret).status_code == 200
    agent.set_password("another-long-passphrase")
    agent.save()
    response = _get(secret)
    assert response.status_code == 401 and "password" in response.json()["detail"]
    # Their tokens no longer count: a new one needs no --rotate.
    _, renewed = create_api_token(username="alice")
    assert _get(renewed).status_code == 200


def test_create_api_token_needs_an_existing_active_account():
    with pytest.raises(NotFound):
        create_api_token(username="nobody")


def test_last_use_is_noted_at_most_once_a_minute(bot):
    token = ApiTokenFactory(user=bot, secret="c" * 64)
    assert _get("c" * 64).status_code == 200
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    assert _get("c" * 64).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first_use  # no write on the second request
    _shift(token, last_used_at=first_use - timedelta(minutes=2))
    assert _get("c" * 64).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first_use


def test_authentication_is_one_query_when_last_use_is_fresh(bot, django_assert_num_queries):
    ApiTokenFactory(user=bot, secret="d" * 64, last_used_at=timezone.now())
    with django_assert_num_queries(1):
        user, token = ApiTokenAuthentication().authenticate_credentials("d" * 64)
    assert user == bot and token.user_id == bot.pk


def test_create_api_token_prints_a_new_token_once_for_a_person(agent):
    out = StringIO()
    call_command("create_api_token", "alice", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    assert ApiToken.objects.get(user=agent).digest == digest_of(secret)
    with pytest.raises(CommandError, match="--rotate"):
        call_command("create_api_token", "alice", stdout=StringIO())


LEGACY_KEY = "0123456789abcdef0123456789abcdef01234567"  # a DRF authtoken key: 40 hex digits


def _legacy_drf_token_table(user) -> None:
    """authtoken_token as DRF's migrations left it in databases of earlier releases, with one key."""
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE "authtoken_token" ("key" varchar(40) PRIMARY KEY, "created" timestamptz NOT NULL,'
            ' "user_id" integer NOT NULL UNIQUE REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED)'
        )
        cursor.execute('INSERT INTO "authtoken_token" VALUES (%s, now(), %s)', [LEGACY_KEY, user.pk])


def test_existing_drf_tokens_move_into_the_hashed_store_and_leave_the_old_table(bot):
    _legacy_drf_token_table(bot)
    migration = importlib.import_module("accounts.migrations.0002_import_drf_tokens")
    with connection.schema_editor() as editor:
        migration.import_drf_tokens(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute('SELECT COUNT(*) FROM "authtoken_token"')
        assert cursor.fetchone()[0] == 0
    token = ApiToken.objects.get(user=bot)
    assert (token.digest, token.prefix) == (digest_of(LEGACY_KEY), LEGACY_KEY[:8])
    assert token.expires_at > timezone.now() + timedelta(days=364)
    assert _get(LEGACY_KEY).status_code == 200  # the bot keeps working with the key it has


@pytest.mark.django_db(transaction=True)
def test_a_full_pg_dump_holds_no_usable_token_nor_session_key():
    """The review's finding: a dump with bots, sessions and idempotent responses replayed a token and a session."""
    _, secret = create_api_client(name="tool-router")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    body = {"customer_id": "C-1", "channel": "phone", "intent": "claim_status"}
    assert client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    staff = APIClient()
    staff.force_login(AgentFactory(username="someone"))  # a session row
    cookie = staff.cookies[settings.SESSION_COOKIE_NAME].value
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server_major = int(cursor.fetchone()[0]) // 10000
    pg_dump = find_tool("pg_dump", server_major)
    dump = subprocess.run(
        [str(pg_dump.path), "--data-only"],
        env=libpq_environment(libpq_params(connection.settings_dict)),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert "accounts_api_tokens" in dump and "idempotency" in dump and "django_session" in dump
    assert secret not in dump
    assert digest_of(secret) in dump  # what the dump holds instead: useless as a token
    assert _get(digest_of(secret)).status_code == 401
    assert cookie not in dump
    stored = Session.objects.get().session_key  # what the dump holds for the session
    assert stored in dump
    replayed = APIClient()
    replayed.cookies[settings.SESSION_COOKIE_NAME] = stored
    assert replayed.get(URL).status_code == 401  # not logged in
    assert staff.get(URL).status_code == 200  # while the real cookie still is


ADMIN_LIST = "/admin/accounts/apitoken/"


def test_supervisors_list_and_revoke_tokens_but_never_see_them(client, supervisor, django_assert_max_num_queries):
    _, secret = create_api_client(name="tool-router")
    ApiTokenFactory.create_batch(5)
    force_login(client, supervisor)
    with django_assert_max_num_queries(12):
        page = client.get(ADMIN_LIST)
    html = page.content.decode()
    assert page.status_code == 200 and "tool-router" in html and f"{secret[:8]}…" in html
    assert secret not in html and digest_of(secret) not in html
    token = ApiToken.objects.get(digest=digest_of(secret))
    detail = client.get(f"{ADMIN_LIST}{token.pk}/change/").content.decode()
    assert "tool-router" in detail and secret not in detail and token.digest not in detail

    client.post(ADMIN_LIST, {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _get(secret).status_code == 401
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 5


def test_agents_cannot_see_the_tokens(client, agent):
    force_login(client, agent)
    assert client.get(ADMIN_LIST).status_code == 403
