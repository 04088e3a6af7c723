"""Who is who: bot clients of the API (the "Bots" group), human agents and supervisors (staff in their groups).

One query per request for every role: the user's group names are cached on the user object.
"""

from django.contrib.auth import get_user_model

AGENTS_GROUP = "Agents"
SUPERVISORS_GROUP = "Supervisors"
BOTS_GROUP = "Bots"

BOT, AGENT, SUPERVISOR = "bot", "agent", "supervisor"


def group_names(user) -> set[str]:
    # Cached on the user object: a request asks several times.
    if not hasattr(user, "_callbot_groups"):
        user._callbot_groups = set(user.groups.values_list("name", flat=True)) if user.pk else set()
    return user._callbot_groups


def is_supervisor(user) -> bool:
    return bool(user and user.is_active and (user.is_superuser or SUPERVISORS_GROUP in group_names(user)))


def is_agent(user) -> bool:
    """Anyone who may hold tickets: agents and supervisors."""
    return bool(
        user and user.is_active and user.is_staff and (is_supervisor(user) or AGENTS_GROUP in group_names(user))
    )


def is_bot(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and BOTS_GROUP in group_names(user))


def roles_of(user) -> set[str]:
    """The API roles of a user; a supervisor is also an agent (supervisors may do what agents do)."""
    if not (user and user.is_authenticated):
        return set()
    roles = set()
    if is_bot(user):
        roles.add(BOT)
    if is_agent(user) or is_supervisor(user):
        roles.add(AGENT)
    if is_supervisor(user):
        roles.add(SUPERVISOR)
    return roles


def agents_queryset():
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name__in=[AGENTS_GROUP, SUPERVISORS_GROUP])
        .distinct()
    )
