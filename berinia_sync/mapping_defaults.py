"""The default infra-ia → Berinia field mapping: seeded by migration 0002, and used when the table is empty."""

DEFAULT_MAPPINGS = [
    ("contact_name", "name", "Split into first_name / last_name; company-only leads show the company."),
    ("company_name", "company", "Written to company and entreprise (older column the UI falls back to)."),
    ("email", "email", "Validated with email-validator, lower-cased; required."),
    ("phone", "phone", "Normalised to E.164, France by default."),
    ("website", "website", ""),
    ("source", "source", ""),
    ("position", "position", ""),
    ("business_type", "industry", ""),
    ("score", "score", "Integer 0-100."),
    ("status", "status", "Used for new leads only: an existing lead's status is never set back."),
    ("campaign_id", "campaign", "Berinia campaigns.id; the run's campaign, when given, takes precedence."),
    ("niche", "niche", "Looked up by exact name in niches; unknown names stay in score_details."),
    ("id", "score_details", "infra-ia's id, kept as score_details.id (also in the export ledger)."),
]
