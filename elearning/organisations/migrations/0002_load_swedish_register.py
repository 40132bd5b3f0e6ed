"""Load the 21 counties, 290 municipalities, 21 regions, 21 county boards and national bodies."""

from django.db import migrations

from elearning.organisations.loading import organisations_load


def load(apps, schema_editor):
    organisations_load(
        county_model=apps.get_model("organisations", "County"),
        organisation_model=apps.get_model("organisations", "Organisation"),
    )


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
