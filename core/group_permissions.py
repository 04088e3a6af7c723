"""Role groups' permissions, as data migrations give them: the same steps for every app.

In a migration's app registry Django has not made the app's permissions yet (it does after `migrate`), so
they are made first; the groups are made when missing. `tests/conftest.py` runs these migrations again
after a flush, with the real registry.
"""

from django.contrib.auth.management import create_permissions


def grant(apps, app_label: str, grants: dict[str, list[str]]) -> None:
    """Give each group (name → permission codenames) these permissions on `app_label`'s models."""
    config = apps.get_app_config(app_label)
    historical = getattr(config, "models_module", None) is None
    if historical:
        config.models_module = True
    try:
        create_permissions(config, verbosity=0, apps=apps)
    finally:
        if historical:
            config.models_module = None
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    for name, codenames in grants.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))


def revoke(apps, app_label: str, grants: dict[str, list[str]]) -> None:
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    for name, codenames in grants.items():
        permissions = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*permissions)
