"""Dashboard formats that show '—' for a figure with no value (an average over nothing)."""

from django import template

register = template.Library()
EMPTY = "—"


@register.filter
def percent(value) -> str:
    return EMPTY if value is None else f"{float(value):.0%}"


@register.filter
def seconds(value) -> str:
    if value is None:
        return EMPTY
    value = float(value)
    return f"{value:.0f} s" if value < 120 else f"{value / 60:.1f} min"


@register.filter
def milliseconds(value) -> str:
    return EMPTY if value is None else f"{float(value):.0f} ms"


@register.filter
def decimal2(value) -> str:
    return EMPTY if value is None else f"{float(value):.2f}"


@register.filter
def minutes(value) -> str:
    return EMPTY if value is None else f"{float(value):.1f} min"


@register.filter
def share_width(value) -> int:
    """A 0–1 share as the width (0–100) of a meter's bar."""
    return 0 if value is None else round(100 * float(value))
