"""Console setup of the people who work tickets: agent profiles, role groups, resolution reasons."""

import importlib

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from accounts.roles import AGENTS_GROUP, SUPERVISORS_GROUP

from ..models import AgentProfile, ResolutionReason


def ensure_agent_profile(*, user) -> AgentProfile:
    """The console settings row of a human agent (its capacity stays the queue's default until set)."""
    profile, _ = AgentProfile.objects.get_or_create(user=user)
    return profile


def ensure_console_roles() -> None:
    """Create the Agents and Supervisors groups and the default resolution reasons when missing.

    Migration 0003 creates them; a database flush (transactional tests, a restored dump without
    them) removes them. Idempotent; uses the migration's own lists so there is one definition.
    """
    definition = importlib.import_module("handoff.migrations.0003_groups_and_reasons")

    def permissions(pairs):
        query = Q()
        for app_label, codename in pairs:
            query |= Q(content_type__app_label=app_label, codename=codename)
        return Permission.objects.filter(query)

    agent_pairs = definition.AGENT_PERMISSIONS
    for name, pairs in ((AGENTS_GROUP, agent_pairs), (SUPERVISORS_GROUP, agent_pairs + definition.SUPERVISOR_EXTRA)):
        group, created = Group.objects.get_or_create(name=name)
        if created:
            group.permissions.set(permissions(pairs))
    for code, label in definition.REASONS:
        ResolutionReason.objects.get_or_create(code=code, defaults={"label": label})
