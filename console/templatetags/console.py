"""Template tags of the console: the unread-notification count and the agent's load, on every admin page."""

from django import template

from accounts.roles import is_agent
from handoff import selectors

register = template.Library()


@register.simple_tag
def console_summary(user) -> dict:
    """What the header and the index show an agent; empty for people who are not agents."""
    if not is_agent(user):
        return {}
    return {"unread": selectors.unread_count(agent=user), "held": selectors.held_count(agent=user)}
