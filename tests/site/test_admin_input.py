"""Every admin changelist and object URL refuses what it did not declare: odd lookups, NUL characters."""

from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.urls import reverse

from core.admin_base import DeclaredFiltersOnlyMixin
from tests.accounts.two_factor_factories import force_login
from tests.handoff.factories import HandoffTicketFactory

pytestmark = pytest.mark.django_db
OUR_APPS = ("accounts", "analytics", "berinia_sync", "console", "crm", "handoff", "interactions", "callbot_site")
OUR_ADMINS = sorted(
    (
        model_admin
        for model_admin in admin.site._registry.values()
        if type(model_admin).__module__.split(".")[0] in OUR_APPS
    ),
    key=lambda model_admin: model_admin.model._meta.label,
)
IDS = [model_admin.model._meta.label for model_admin in OUR_ADMINS]
READS_NO_LOOKUP = {"analytics.Dashboard"}  # a page of its own, not a changelist: it ignores query parameters


def changelist(model_admin) -> str:
    return reverse(f"admin:{model_admin.model._meta.app_label}_{model_admin.model._meta.model_name}_changelist")


def a_column(model_admin) -> str:
    fields = [field for field in model_admin.model._meta.concrete_fields if not field.is_relation]
    return next((field.name for field in fields if field.get_internal_type() in ("CharField", "TextField")), "pk")


def declared_filter_query(model_admin) -> str:
    if model_admin.date_hierarchy:
        return f"{model_admin.date_hierarchy}__year=2024"
    if not model_admin.list_filter:
        return ""
    item = model_admin.list_filter[0]
    if isinstance(item, type) and issubclass(item, SimpleListFilter):
        return f"{item.parameter_name}=all"
    return f"{item[0] if isinstance(item, tuple) else item}__isnull=False"


def test_every_admin_of_ours_accepts_only_declared_filters():
    assert OUR_ADMINS
    assert all(isinstance(model_admin, DeclaredFiltersOnlyMixin) for model_admin in OUR_ADMINS)


@pytest.mark.parametrize("model_admin", OUR_ADMINS, ids=IDS)
def test_an_undeclared_lookup_is_a_400(admin_client, model_admin):
    response = admin_client.get(changelist(model_admin), {f"{a_column(model_admin)}__regex": "["})

    assert response.status_code == (200 if model_admin.model._meta.label in READS_NO_LOOKUP else 400)


@pytest.mark.parametrize("model_admin", OUR_ADMINS, ids=IDS)
def test_a_declared_filter_still_works(admin_client, model_admin):
    response = admin_client.get(f"{changelist(model_admin)}?{declared_filter_query(model_admin)}")

    assert response.status_code == 200


@pytest.mark.parametrize("model_admin", OUR_ADMINS, ids=IDS)
def test_a_nul_in_a_filter_or_an_object_url_is_a_400(admin_client, model_admin):
    url = changelist(model_admin)
    query = declared_filter_query(model_admin) or "q=x"

    assert admin_client.get(f"{url}?{query.split('=')[0]}=%00").status_code == 400
    assert admin_client.get(f"{url}%00/change/").status_code == 400


def test_the_admins_own_filter_links_pass(admin_client):
    HandoffTicketFactory()
    url = reverse("admin:handoff_handoffticket_changelist")
    for query in ("priority__exact=high", "queue__name__exact=general", "holder=mine", "state=all", "o=2"):
        assert admin_client.get(f"{url}?{query}").status_code == 200, query
    url = reverse("admin:accounts_apitoken_changelist")
    assert admin_client.get(f"{url}?revoked_at__gte=2024-01-01&revoked_at__lt=2024-02-01").status_code == 200
    url = reverse("admin:analytics_erasurerecord_changelist")
    assert admin_client.get(f"{url}?erased_at__year=9999&erased_at__month=12").status_code == 400


@pytest.mark.parametrize(
    "name, data",
    [
        ("claim_next", {"queue": "gen\x00eral"}),
        ("resolve", {"resolution_notes": "a\x00b", "reason_code": "solved"}),
        ("hand-back", {"note": "back\x00"}),
    ],
)
def test_a_nul_in_a_console_form_is_a_400(client, agent, name, data):
    ticket = HandoffTicketFactory(assigned_agent=agent, status="assigned")
    force_login(client, agent)
    if name == "claim_next":
        url = reverse("admin:handoff_ticket_claim_next")
    else:
        url = reverse(f"admin:handoff_ticket_{name}", args=[ticket.pk])

    response = client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")  # as browsers

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
