"""Who calls the API: bot clients (the "Bots" group), human agents and supervisors (handoff.roles)."""

from handoff.roles import _group_names, is_agent, is_supervisor

BOTS_GROUP = "Bots"

BOT, AGENT, SUPERVISOR = "bot", "agent", "supervisor"


def is_bot(user) -> bool:
    # _group_names caches the user's group names on the user object: one query per request for all roles.
    return bool(user and user.is_authenticated and user.is_active and BOTS_GROUP in _group_names(user))


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
