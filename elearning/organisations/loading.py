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
    """Create or update every county and organisation; returns the number of organisations.

    One read, at most one insert and one update per table (it runs on every deploy and after
    every flush of the test database).
    """
    county_rows = _rows("counties.csv")
    counties = _upsert(
        county_model,
        {(row["code"],): {"name": row["county_name"]} for row in county_rows},
        key=("code",),
    )
    wanted = {}
    for row in county_rows:
        county = counties[(row["code"],)].pk
        wanted["region", row["code"]] = {"name": row["region_name"], "county_id": county}
        wanted["county_board", row["code"]] = {
            "name": row["county_board_name"],
            "county_id": county,
        }
    for row in _rows("municipalities.csv"):
        wanted["municipality", row["code"]] = {
            "name": row["name"],
            "county_id": counties[(row["code"][:2],)].pk,
        }
    for row in _rows("national.csv"):
        wanted[row["kind"], row["code"]] = {"name": row["name"], "county_id": None}
    _upsert(organisation_model, wanted, key=("kind", "code"))
    return len(wanted)


def _upsert(model, wanted: dict[tuple, dict], *, key: tuple[str, ...]) -> dict[tuple, object]:
    """Rows of ``model`` matching ``wanted`` (key values → field values), inserted or updated
    where they differ; returns them by key."""
    existing = {tuple(getattr(obj, f) for f in key): obj for obj in model.objects.all()}
    fields = sorted({field for values in wanted.values() for field in values})
    new, changed = [], []
    for values_key, values in wanted.items():
        obj = existing.get(values_key)
        if obj is None:
            obj = model(**dict(zip(key, values_key, strict=True)), **values)
            new.append(obj)
            existing[values_key] = obj
        elif any(getattr(obj, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(obj, field, value)
            changed.append(obj)
    model.objects.bulk_create(new)
    if changed:
        model.objects.bulk_update(changed, fields)
    return existing
