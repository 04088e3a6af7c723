"""Human agents span two apps: their account (accounts) and their console settings (handoff)."""

from django.db import transaction

from accounts import services as account_services
from handoff import services as handoff_services


@transaction.atomic
def create_agent(*, username: str, password: str, supervisor: bool = False, email: str = ""):
    """Create (or update) a human agent and the console profile that holds their capacity."""
    user = account_services.create_agent(username=username, password=password, supervisor=supervisor, email=email)
    handoff_services.ensure_agent_profile(user=user)
    return user
