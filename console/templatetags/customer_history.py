"""`{% customer_history customer_id %}`: the customer's earlier contacts and tickets, on the ticket and customer pages.

A tag rather than view context so that both pages (console's ticket page, crm's customer page whose template
the console supplies) render it from one selector and one template.
"""

from django import template

from console import selectors

register = template.Library()


@register.inclusion_tag("admin/console/customer_history.html", takes_context=True)
def customer_history(context, customer_id, exclude_interaction=None):
    return {
        "history": selectors.customer_history(customer_id=customer_id, exclude_interaction_id=exclude_interaction),
        "earlier": exclude_interaction is not None,
        "perms": context.get("perms"),
    }
