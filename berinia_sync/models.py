"""Bookkeeping of lead exports into Berinia (default database) and Berinia's own tables (unmanaged)."""
