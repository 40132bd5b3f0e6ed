"""The organisation register: every municipality, region and county board, with official codes."""

import pytest

from elearning.organisations.loading import organisations_load
from elearning.organisations.models import County, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def register_as_migrated():
    """The register as its data migration leaves it. A transactional test that ran earlier in
    this process (pytest-xdist runs files in any order) flushed every table; the migration's
    own function then loads it again, inside this test's transaction."""
    import importlib

    from django.apps import apps

    if not County.objects.exists():
        migration = importlib.import_module(
            "elearning.organisations.migrations.0002_load_swedish_register"
        )
        migration.load(apps, None)


def codes(kind):
    return set(Organisation.objects.filter(kind=kind).values_list("code", flat=True))


def test_the_migration_loads_every_swedish_actor():
    assert County.objects.count() == 21
    assert len(codes("municipality")) == 290
    assert len(codes("region")) == 21
    assert len(codes("county_board")) == 21
    assert Organisation.objects.filter(kind="national", code="folkhalsomyndigheten").exists()
    assert Organisation.objects.filter(kind="other").exists()


def test_codes_have_the_official_form():
    assert all(len(code) == 4 and code.isdigit() for code in codes("municipality"))
    county_codes = set(County.objects.values_list("code", flat=True))
    assert county_codes == {
        "01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13",
        "14", "17", "18", "19", "20", "21", "22", "23", "24", "25",
    }  # fmt: skip
    assert codes("region") == county_codes == codes("county_board")


@pytest.mark.parametrize(
    ("code", "name", "county"),
    [
        ("0114", "Upplands Väsby", "01"),
        ("0180", "Stockholm", "01"),
        ("0980", "Gotland", "09"),
        ("1280", "Malmö", "12"),
        ("1480", "Göteborg", "14"),
        ("2584", "Kiruna", "25"),
    ],
)
def test_known_municipalities(code, name, county):
    municipality = Organisation.objects.get(kind="municipality", code=code)
    assert municipality.name == name
    assert municipality.county.code == county


def test_a_countys_municipalities_can_be_found():
    skane = County.objects.get(code="12")
    municipalities = skane.organisations.filter(kind="municipality")
    assert municipalities.count() == 33
    assert all(m.code.startswith("12") for m in municipalities)
    assert skane.organisations.get(kind="region").name == "Region Skåne"
    assert skane.organisations.get(kind="county_board").name == "Länsstyrelsen i Skåne län"
    # Every municipality lies in the county its code says.
    for municipality in Organisation.objects.filter(kind="municipality").select_related("county"):
        assert municipality.code[:2] == municipality.county.code


def test_loading_again_updates_in_place_without_duplicates():
    malmo = Organisation.objects.get(kind="municipality", code="1280")
    malmo.name = "Renamed by mistake"
    malmo.save()
    before = Organisation.objects.count()
    organisations_load(county_model=County, organisation_model=Organisation)
    assert Organisation.objects.count() == before
    malmo.refresh_from_db()
    assert malmo.name == "Malmö"
