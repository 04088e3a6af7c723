"""Database routing: Berinia's unmanaged models live in the `berinia` database, everything else in `default`."""

BERINIA_ALIAS = "berinia"


def _is_berinia(model) -> bool:
    # Our own bookkeeping models in berinia_sync are managed; Berinia's tables are not.
    return model._meta.app_label == "berinia_sync" and not model._meta.managed


class BeriniaRouter:
    """Send Berinia's tables to the `berinia` alias; never migrate anything there."""

    def db_for_read(self, model, **hints):
        return BERINIA_ALIAS if _is_berinia(model) else None

    def db_for_write(self, model, **hints):
        return BERINIA_ALIAS if _is_berinia(model) else None

    def allow_relation(self, obj1, obj2, **hints):
        # Instances, not type(obj): request.user is a lazy proxy whose type is SimpleLazyObject.
        if _is_berinia(obj1) != _is_berinia(obj2):
            return False
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == BERINIA_ALIAS:
            return False
        return None
