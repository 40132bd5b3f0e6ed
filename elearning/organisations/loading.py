"""Loads the organisation register shipped in ``data/`` (SCB codes, checked in tests).

Used by the data migration and by ``manage.py setup_site``; takes the model classes as
arguments so the migration can pass its historical models. Idempotent: rows are matched on
(kind, code) and updated in place, never duplicated.
"""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def _rows(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def organisations_load(*, county_model, organisation_model) -> int:
    """Create or update every county and organisation; returns the number of organisations."""
    counties = {}
    for row in _rows("counties.csv"):
        county, _ = county_model.objects.update_or_create(
            code=row["code"], defaults={"name": row["county_name"]}
        )
        counties[row["code"]] = county

    wanted = []
    for row in _rows("counties.csv"):
        county = counties[row["code"]]
        wanted.append(("region", row["code"], row["region_name"], county))
        wanted.append(("county_board", row["code"], row["county_board_name"], county))
    for row in _rows("municipalities.csv"):
        wanted.append(("municipality", row["code"], row["name"], counties[row["code"][:2]]))
    for row in _rows("national.csv"):
        wanted.append((row["kind"], row["code"], row["name"], None))

    for kind, code, name, county in wanted:
        organisation_model.objects.update_or_create(
            kind=kind, code=code, defaults={"name": name, "county": county}
        )
    return len(wanted)
