"""Template tags of the console: the unread-notification count and the agent's load, on every admin page."""

from django import template

from accounts.roles import is_agent

from .. import live

register = template.Library()


@register.simple_tag
def console_summary(user) -> dict:
    """What the header and the index show an agent; empty for people who are not agents.

    One statement (console.live, the poll's own), rendered before the page's lists: the queue's version
    and the newest notification it carries are what live.js compares its first poll with.
    """
    if not is_agent(user):
        return {}
    state = live.live_state(user=user)
    return {
        "unread": state.unread,
        "unread_label": f"{state.unread - 1}+" if state.unread_capped else str(state.unread),
        "held": state.held,
        "version": state.version,
        "newest_unread_id": state.newest_unread.id if state.newest_unread else "",
    }
