"""Shared machinery of the service API under /api/v1/: errors, permissions, pagination, throttling, idempotency."""
