"""Run-time detection of the features the scenarios measure.

Features land independently; a scenario asks here whether its feature exists *now* (by import,
command registry, URL resolution or admin registration) and reports "not built yet" otherwise.
"""

import importlib


def attribute(module: str, name: str):
    """The named attribute of a module, or None when the module or the attribute does not exist."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def command_exists(name: str) -> bool:
    from django.core.management import get_commands

    return name in get_commands()


def url_exists(path: str, urlconf: str = "callbot_site.urls") -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path, urlconf=urlconf)
    except Resolver404:
        return False
    return True


def admin_for(model):
    """The ModelAdmin registered for a model on the default admin site, or None."""
    from django.contrib import admin

    return admin.site._registry.get(model)
