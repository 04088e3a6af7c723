"""Admin building blocks shared by the apps."""

import datetime

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.db.models.constants import LOOKUP_SEP

# The parameters Django's own filter links put in the URL for a declared field filter (choices, booleans,
# relations, dates); date_hierarchy adds its drill-down ones.
FIELD_FILTER_LOOKUPS = ("exact", "isnull", "gte", "lt")
DATE_HIERARCHY_LOOKUPS = ("year", "month", "day")


def _drillable_year(value: str) -> bool:
    return value.isascii() and value.isdigit() and 0 < int(value) < datetime.MAXYEAR


class DeclaredFiltersOnlyMixin:
    """Changelist URLs may filter only by what the admin declares (`list_filter`, `date_hierarchy`).

    Django lets any lookup on a model's own columns through (`?reason__regex=[` reaches PostgreSQL as an
    invalid pattern, a 500; an unindexed `__icontains` is a slow scan). A refused lookup raises
    DisallowedModelAdminLookup, which Django answers with a 400.
    """

    # Lookups the project's own links use without a sidebar filter (e.g. a run's rejected records).
    extra_lookups: tuple[str, ...] = ()

    def lookup_allowed(self, lookup, value, request):
        if lookup.endswith(LOOKUP_SEP + "year") and not _drillable_year(value):
            return False  # Django's date_hierarchy overflows past year 9998 (a 500)
        return lookup in self.declared_lookups(request)

    def declared_lookups(self, request) -> set[str]:
        allowed = set(self.extra_lookups)
        if self.date_hierarchy:
            allowed.update(LOOKUP_SEP.join((self.date_hierarchy, part)) for part in DATE_HIERARCHY_LOOKUPS)
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                allowed.add(item.parameter_name)
                continue
            path = item[0] if isinstance(item, list | tuple) else item
            field = get_fields_from_path(self.model, path)[-1]
            if field.is_relation:  # RelatedFieldListFilter links by the target's key: queue__name__exact
                allowed.add(LOOKUP_SEP.join((path, field.target_field.name, "exact")))
            allowed.update(LOOKUP_SEP.join((path, part)) for part in FIELD_FILTER_LOOKUPS)
        return allowed


class StrictModelAdmin(DeclaredFiltersOnlyMixin, admin.ModelAdmin):
    """The base of every editable admin of the project."""


class ReadOnlyAdminMixin:
    """Records written by the bots, the services or the commands: staff may look, nobody edits them by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, StrictModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False
