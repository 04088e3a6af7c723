"""The kernel: domain errors, validation, db helpers, routers, paginators, admin base, command helper, API machinery.

It imports only Django, DRF and the standard library; every other package may import it.
"""
