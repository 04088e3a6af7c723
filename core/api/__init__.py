"""API machinery shared by every app: base view, strict serializer, fields, errors, pagination, throttling, schema."""
