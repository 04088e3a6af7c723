"""Who is who in the console: human agents and supervisors are staff users in these groups."""

from django.contrib.auth import get_user_model

AGENTS_GROUP = "Agents"
SUPERVISORS_GROUP = "Supervisors"


def _group_names(user) -> set[str]:
    # Cached on the user object: a request asks several times.
    if not hasattr(user, "_callbot_groups"):
        user._callbot_groups = set(user.groups.values_list("name", flat=True)) if user.pk else set()
    return user._callbot_groups


def is_supervisor(user) -> bool:
    return bool(user and user.is_active and (user.is_superuser or SUPERVISORS_GROUP in _group_names(user)))


def is_agent(user) -> bool:
    """Anyone who may hold tickets: agents and supervisors."""
    return bool(
        user and user.is_active and user.is_staff and (is_supervisor(user) or AGENTS_GROUP in _group_names(user))
    )


def agents_queryset():
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name__in=[AGENTS_GROUP, SUPERVISORS_GROUP])
        .distinct()
    )
