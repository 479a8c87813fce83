"""Ship the default case types (organisation = NULL means 'every organisation')."""

from django.db import migrations

from safecase.cases.choices import install_default_case_types


def add_defaults(apps, schema_editor):
    install_default_case_types(apps.get_model("cases", "CaseType"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
