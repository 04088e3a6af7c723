"""Template helpers of the supervisor's board and the queue page: who sees the board, the queue page's title."""

from django import template

from accounts.roles import is_supervisor

register = template.Library()


@register.filter
def supervisor(user) -> bool:
    return is_supervisor(user)


@register.simple_tag(takes_context=True)
def queue_title(context, cl) -> str:
    """ "My tickets", "Held by Alice Martin", "Nobody's tickets", else "Ticket queue": what the list shows."""
    user = context.get("user")
    for spec in cl.filter_specs:
        if getattr(spec, "parameter_name", None) != "holder" or spec.value() is None:
            continue
        value = spec.value()
        if value == "me" or (user is not None and value == str(user.pk)):
            return "My tickets"
        if value == "nobody":
            return "Tickets in the queue (held by nobody)"
        name = dict(spec.lookup_choices).get(value)
        if name:
            return f"Tickets held by {name}"
        return "Tickets held by one agent" if value.isascii() and value.isdigit() else "Ticket queue"
    return "Ticket queue"
