"""infra-ia lead files for the lead export scenario, and the same leads in Berinia's column form.

Lead i is new unless i % 5 == 0 (20%): then it matches existing Berinia lead i // 5 + 1 — by
phone written the French national way when i % 10 == 0, else by e-mail in another case with
spaces around it. Existing Berinia leads are made by datagen.existing_leads with the same forms.
"""

import json
from collections.abc import Iterator
from pathlib import Path

COPY_COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "entreprise",
    "website",
    "source",
    "status",
    "score",
    "campagne_id",
    "niche_id",
    "score_details",
)


def _existing_phone(j: int) -> str:
    return f"+3360{j:07d}"


def _national(e164: str) -> str:
    digits = "0" + e164.removeprefix("+33")
    return " ".join(digits[k : k + 2] for k in range(0, 10, 2))


def infra_ia_lead(i: int, campaign_id: int) -> dict:
    phone, email = f"+3361{i:07d}", f"lead{i}@entreprise{i % 997}.fr"
    if i % 5 == 0:
        j = i // 5 + 1
        if i % 10 == 0:
            phone = _national(_existing_phone(j))
        else:
            email = f" Contact{j}@Societe{j % 997}.FR "
    return {
        "id": f"bench_{i}",
        "company_name": f"Entreprise {i}",
        "contact_name": f"Prenom{i} Nom{i}",
        "email": email,
        "phone": phone,
        "website": f"https://www.entreprise{i}.fr",
        "address": f"{i % 200 + 1} rue de la Paix, 75002 Paris, France",
        "city": "Paris",
        "postal_code": "75002",
        "country": "France",
        "status": "new",
        "campaign_id": campaign_id,
        "niche": "restaurant",
        "business_type": "Restaurant",
        "source": "Google Maps",
        "scrape_date": "2025-07-15T08:07:13",
        "score": i % 100,
        "classification": {"qualite_lead": "HOT" if i % 3 == 0 else "COLD", "score": (i % 100) / 100},
    }


def write_jsonl(path: Path, count: int, campaign_id: int) -> Path:
    with path.open("w") as out:
        for i in range(count):
            out.write(json.dumps(infra_ia_lead(i, campaign_id), ensure_ascii=False) + "\n")
    return path


def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open() as lines:
        for line in lines:
            yield json.loads(line)


def berinia_row(lead: dict, niche_ids: dict[str, int]) -> tuple:
    """The lead as Berinia's columns (COPY_COLUMNS), already normalised: what an exporter writes.

    niche_ids: Berinia's niches (name → id); a niche Berinia has is written as its id, as the export does
    (Berinia then checks the foreign key of every row).
    """
    email = lead["email"].strip().lower()
    phone = lead["phone"]
    if not phone.startswith("+"):
        phone = "+33" + phone.replace(" ", "")[1:]
    first, _, last = lead["contact_name"].partition(" ")
    details = {k: lead[k] for k in ("address", "city", "postal_code", "country", "classification")}
    return (
        first,
        last,
        email,
        phone,
        lead["company_name"],
        lead["company_name"],
        lead["website"],
        lead["source"],
        "new",
        lead["score"],
        lead["campaign_id"],
        niche_ids.get(lead["niche"]),
        json.dumps(details),
    )


def new_lead_count(count: int) -> int:
    """How many of the first `count` leads match no existing Berinia lead."""
    return count - len(range(0, count, 5))
