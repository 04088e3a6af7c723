"""Does Berinia still have the tables and columns the exporter reads and writes, with room for our values?"""

from .connection import berinia_cursor
from .mapping import MAX_LENGTHS

REQUIRED_COLUMNS = {
    "leads": (
        "id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "company",
        "entreprise",
        "position",
        "website",
        "industry",
        "linkedin_url",
        "source",
        "notes",
        "status",
        "score",
        "score_details",
        "campagne_id",
        "niche_id",
        "created_at",
        "updated_at",
    ),
    "campaigns": ("id", "name", "description", "niche_id", "agent", "status"),
    "niches": ("id", "name"),
}


def check_berinia_schema() -> list[str]:
    """Every problem found, one sentence each (empty when Berinia is as we expect); raises BeriniaUnavailable."""
    with berinia_cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, character_maximum_length FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ANY(%s)",
            [list(REQUIRED_COLUMNS)],
        )
        found: dict[str, dict[str, int | None]] = {}
        for table, column, max_length in cursor.fetchall():
            found.setdefault(table, {})[column] = max_length
        cursor.execute("SELECT to_regclass('leads') IS NOT NULL AND pg_get_serial_sequence('leads', 'id') IS NOT NULL")
        has_sequence = cursor.fetchone()[0]
    problems = []
    for table, columns in REQUIRED_COLUMNS.items():
        if table not in found:
            problems.append(f"table {table} is missing")
            continue
        missing = [column for column in columns if column not in found[table]]
        if missing:
            problems.append(f"table {table} lacks column(s) {', '.join(missing)}")
    for column, ours in MAX_LENGTHS.items():
        theirs = found.get("leads", {}).get(column)
        if theirs is not None and theirs < ours:
            problems.append(f"leads.{column} holds {theirs} characters, the exporter allows {ours}")
    if "leads" in found and not has_sequence:
        problems.append("leads.id has no sequence (serial) to take new ids from")
    return problems
